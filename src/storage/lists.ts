/** Lists are stored as space-separated text (see prisma/models.prisma). */
export function toList(value: string): string[] {
  return value === '' ? [] : value.split(' ');
}

export function fromList(values: readonly string[]): string {
  return values.join(' ');
}
