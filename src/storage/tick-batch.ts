// Batching per turn of the event loop, for PostgreSQL: the requests that look up rows by key, or
// insert rows, in one turn share one statement and one round trip (and, for inserts, one commit:
// group commit). On PostgreSQL the cost of a query is mostly per statement (a round trip, a wake-up
// of the backend, parse/bind/execute), not per row.

export interface TickBatchOptions<I, R> {
  /** Results in the order of `items`. */
  runMany(items: I[]): Promise<R[]>;
  /** One item alone: for a batch of one, and to find the culprit when a batch fails. */
  runOne(item: I): Promise<R>;
}

/**
 * Whether a failed batch may have failed for one item's sake (PostgreSQL SQLSTATE class 22, data
 * exception, or 23, integrity constraint violation): then each item runs again alone. Any other
 * failure (a lost connection, a timeout) fails them all at once: retrying would only wait again.
 */
function itemError(error: unknown): boolean {
  return /^2[23]/.test(String((error as { code?: unknown }).code ?? ''));
}

export function tickBatch<I, R>(options: TickBatchOptions<I, R>): (item: I) => Promise<R> {
  let pending: { item: I; resolve(result: R): void; reject(error: unknown): void }[] = [];

  const flush = async () => {
    const batch = pending;
    pending = [];
    if (batch.length === 1) {
      const [only] = batch;
      if (only) options.runOne(only.item).then(only.resolve, only.reject);
      return;
    }
    try {
      const results = await options.runMany(batch.map((p) => p.item));
      for (const [i, p] of batch.entries()) p.resolve(results[i] as R);
    } catch (error) {
      if (!itemError(error)) {
        for (const p of batch) p.reject(error);
        return;
      }
      // One bad row fails the whole statement: each again alone, so only its own fails.
      for (const p of batch) options.runOne(p.item).then(p.resolve, p.reject);
    }
  };

  return (item: I) =>
    new Promise<R>((resolve, reject) => {
      if (pending.length === 0) setImmediate(() => void flush());
      pending.push({ item, resolve, reject });
    });
}
