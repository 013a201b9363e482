import { type ParseArgsConfig, parseArgs } from 'node:util';

/** Wrong use of the command line: exit 2 with one line. */
export class UsageError extends Error {}

export type Options = NonNullable<ParseArgsConfig['options']>;

export function parse<T extends Options>(argv: string[], options: T, positionals = 0) {
  let parsed: ReturnType<
    typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>
  >;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = (error as Error).message;
    const unknown = /Unknown option '([^']+)'/.exec(message);
    throw new UsageError(
      unknown ? `unknown option "${unknown[1]}" (see --help)` : (message.split('\n')[0] ?? message),
    );
  }
  if (parsed.positionals.length !== positionals) {
    throw new UsageError(
      positionals === 0
        ? `unexpected argument "${parsed.positionals[0]}"`
        : `expected ${positionals} argument${positionals > 1 ? 's' : ''}, got ${parsed.positionals.length}`,
    );
  }
  return parsed;
}

/** "a,b , c" → ["a", "b", "c"] */
export function commaList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** "read  write" → ["read", "write"] */
export function spaceList(value: string): string[] {
  return value.split(/\s+/).filter((item) => item !== '');
}
