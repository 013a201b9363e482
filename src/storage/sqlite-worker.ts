import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

// The SQLite threads (sqlite-thread.ts, sqlite-checkpoints.ts) run self-contained functions through
// `eval`, so they work the same from the compiled build and from TypeScript under tsx or vitest.

/**
 * A thread running `source` (a function that reads its settings from workerData). `driver`, the path
 * of better-sqlite3, is added to them: an eval'd thread resolves modules from the working directory.
 */
export function startSqliteWorker(
  source: () => void,
  workerData: Record<string, unknown>,
  maxYoungGenerationSizeMb: number,
): Worker {
  // `__name`: the helper esbuild (tsx, vitest) calls to keep function names; absent from tsc's output.
  return new Worker(`var __name = (f) => f; (${source.toString()})()`, {
    eval: true,
    resourceLimits: { maxYoungGenerationSizeMb },
    workerData: { ...workerData, driver: createRequire(import.meta.url).resolve('better-sqlite3') },
  });
}
