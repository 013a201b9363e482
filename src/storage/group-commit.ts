// Group commit: the writes that requests make in one turn of the event loop share one transaction,
// so one WAL commit (and the index pages they share) serves them all. Each caller's promise settles
// only after that transaction has committed: a token is answered only once it is stored.

export type Settled = { ok: true; value: unknown } | { ok: false; error: unknown };

export interface GroupCommitOptions {
  /**
   * Runs the works, in order, in one transaction, and commits it. A work that throws is undone
   * alone (its own savepoint) and settles with its error; an error that concerns the whole
   * transaction (a lock, the disk) is thrown and fails or retries the batch.
   */
  commit(works: readonly (() => unknown)[]): Settled[];
  /** Retries what meets a lock held by another connection, without blocking the event loop. */
  retry<T>(attempt: () => T): Promise<T>;
}

/** A turn rarely brings more; a bound keeps one transaction from holding the event loop for long. */
const MAX_BATCH = 64;

interface Pending {
  work: () => unknown;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

export function groupCommit(options: GroupCommitOptions) {
  let pending: Pending[] = [];
  let scheduled = false;

  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush);
  };

  const flush = async () => {
    scheduled = false;
    const batch = pending.length > MAX_BATCH ? pending.slice(0, MAX_BATCH) : pending;
    pending = pending.length > MAX_BATCH ? pending.slice(MAX_BATCH) : [];
    if (pending.length > 0) schedule();
    try {
      const results = await options.retry(() => options.commit(batch.map((p) => p.work)));
      for (const [i, p] of batch.entries()) {
        const result = results[i];
        if (result?.ok) p.resolve(result.value);
        else p.reject(result ? result.error : new Error('group commit lost a result'));
      }
    } catch (error) {
      for (const p of batch) p.reject(error);
    }
  };

  return {
    /** Runs `work` inside the next group transaction; settles once that transaction has committed. */
    submit<T>(work: () => T): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        pending.push({ work, resolve: resolve as (value: unknown) => void, reject });
        schedule();
      });
    },
  };
}
