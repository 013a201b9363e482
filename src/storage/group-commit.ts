// Group commit: the writes that requests make in one turn of the event loop share one transaction,
// so one WAL commit (and the index pages they share) serves them all. Each caller's promise settles
// only after that transaction has committed: a token is answered only once it is stored.

/** Statements that must succeed or fail together, submitted by one caller. */
export type Work<S> = readonly S[];

export interface GroupCommitOptions<S> {
  /** Runs every work of the batch in one transaction (synchronously); the changes of each statement. */
  commitAll(batch: readonly Work<S>[]): number[][];
  /** Runs one work in a transaction of its own. */
  commitOne(work: Work<S>): number[];
  /** Retries what meets a lock held by another connection; throws past its deadline. */
  retry<T>(attempt: () => T): Promise<T>;
  /** Whether an error is about the database as a whole (locked, gone), not about one work. */
  isDatabaseError(error: unknown): boolean;
}

/** A turn rarely brings more; a bound keeps one transaction from holding the event loop for long. */
const MAX_BATCH = 256;

interface Pending<S> {
  work: Work<S>;
  resolve(changes: number[]): void;
  reject(error: unknown): void;
}

export function groupCommit<S>(options: GroupCommitOptions<S>) {
  let pending: Pending<S>[] = [];
  let scheduled = false;

  const flush = async () => {
    scheduled = false;
    const batch = pending.slice(0, MAX_BATCH);
    pending = pending.slice(batch.length);
    if (pending.length > 0) schedule();
    try {
      const results = await options.retry(() => options.commitAll(batch.map((p) => p.work)));
      for (const [i, p] of batch.entries()) p.resolve(results[i] ?? []);
    } catch (error) {
      if (batch.length === 1 || options.isDatabaseError(error)) {
        for (const p of batch) p.reject(error);
        return;
      }
      // The transaction rolled back whole: one bad work must not fail the others, so each again alone.
      for (const p of batch) {
        try {
          p.resolve(await options.retry(() => options.commitOne(p.work)));
        } catch (own) {
          p.reject(own);
        }
      }
    }
  };

  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => void flush());
  };

  return {
    submit(work: Work<S>): Promise<number[]> {
      return new Promise((resolve, reject) => {
        pending.push({ work, resolve, reject });
        schedule();
      });
    },
  };
}
