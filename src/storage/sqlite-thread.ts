import type { Worker } from 'node:worker_threads';
import { SqliteCheckpoints, WRITER_CHECKPOINT_PAGES } from './sqlite-checkpoints.js';
import { startSqliteWorker } from './sqlite-worker.js';

// The hot paths' SQLite work on a thread of its own. better-sqlite3 is synchronous: on the event
// loop, every B-tree update, every commit and every WAL checkpoint (with its fsync) would hold up
// all requests. This thread owns one connection:
// - reads run as soon as they arrive, outside any transaction, so they see every commit (the small
//   point lookups of the hot paths are made on the event loop instead: sqlite-read-now.ts);
// - writes wait for the end of the thread's turn and are committed together (group commit: one
//   transaction, a savepoint per write so one failing write fails alone); each is answered only
//   after that commit, so a token is answered only once it is stored.
// One connection for both keeps its page cache warm: a second connection's cache is dropped
// whenever the other one commits. Messages are batched per turn of the event loop in both directions.
// Checkpoints (copying the log back into the database file) run on a thread of their own
// (sqlite-checkpoints.ts).

export type RawValue = string | number | null;

/** One statement, with its values already in SQLite's storage format (sql.ts). */
export interface RawStatement {
  text: string;
  values: RawValue[];
}

/**
 * Statements that succeed or fail together. With `guarded`, the first statement must change exactly
 * one row or nothing else runs and the result is null (e.g. rotate only a refresh token not yet retired).
 */
export interface WriteWork {
  statements: RawStatement[];
  guarded: boolean;
}

/** On the wire a statement's text is sent once and then named by a number. */
interface WireStatement {
  sql: number;
  values: RawValue[];
}

interface WireWork {
  statements: WireStatement[];
  guarded: boolean;
}

type Request =
  | { id: number; read: WireStatement; many: boolean }
  | { id: number; write: WireWork }
  | { define: number; text: string };

interface Settled {
  id: number;
  ok: boolean;
  value?: unknown;
  error?: { message: string; code?: string };
}

/** How long a write waits for a lock held by another connection (Prisma's, another process). */
const BUSY_TIMEOUT_MS = 5000;
/** A bound on one transaction, so a burst cannot make one commit very long. */
const MAX_BATCH = 128;

export class SqliteThread {
  private readonly worker: Worker;
  private readonly checkpoints: SqliteCheckpoints;
  private readonly waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private outbox: Request[] = [];
  private readonly statementIds = new Map<string, number>();
  private nextId = 1;
  private failure: Error | undefined;

  constructor(path: string) {
    this.worker = startSqliteWorker(
      databaseThread,
      {
        path,
        busyTimeout: BUSY_TIMEOUT_MS,
        maxBatch: MAX_BATCH,
        checkpointPages: WRITER_CHECKPOINT_PAGES,
      },
      // The thread keeps little (prepared statements, a queue): a small young generation keeps its
      // memory small under load, where V8 would otherwise grow it to tens of megabytes.
      4,
    );
    this.checkpoints = new SqliteCheckpoints(path);
    this.worker.on('message', (results: Settled[]) => {
      for (const result of results) {
        const waiter = this.waiting.get(result.id);
        if (!waiter) continue;
        this.waiting.delete(result.id);
        if (result.ok) waiter.resolve(result.value);
        else waiter.reject(Object.assign(new Error(result.error?.message), { code: result.error?.code }));
      }
      if (this.waiting.size === 0) this.worker.unref();
    });
    const fail = (error: Error) => {
      this.failure ??= error;
      for (const waiter of this.waiting.values()) waiter.reject(error);
      this.waiting.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`the SQLite thread stopped (${code})`)));
    // An idle thread does not keep the process alive; one with work in flight does.
    this.worker.unref();
  }

  /** The first row of a query, or undefined. */
  get<T>(read: RawStatement): Promise<T | undefined> {
    return this.send({ id: 0, read: this.wire(read), many: false }) as Promise<T | undefined>;
  }

  all<T>(read: RawStatement): Promise<T[]> {
    return this.send({ id: 0, read: this.wire(read), many: true }) as Promise<T[]>;
  }

  /** The rows each statement changed (null when a guard stopped the work), once committed. */
  write(work: WriteWork): Promise<number[] | null> {
    const write = { statements: work.statements.map((s) => this.wire(s)), guarded: work.guarded };
    return this.send({ id: 0, write }) as Promise<number[] | null>;
  }

  /** Lets the work in flight finish (for up to two seconds), then stops the thread. */
  async close(): Promise<void> {
    for (let waited = 0; this.waiting.size > 0 && waited < 2000; waited += 20) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    this.failure ??= new Error('the SQLite thread is closed');
    await Promise.all([this.worker.terminate(), this.checkpoints.close()]);
  }

  private send(request: Exclude<Request, { define: number }>): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    request.id = this.nextId++;
    if (this.outbox.length === 0) setImmediate(() => this.post());
    this.outbox.push(request);
    if (this.waiting.size === 0) this.worker.ref();
    return new Promise((resolve, reject) => this.waiting.set(request.id, { resolve, reject }));
  }

  private wire(statement: RawStatement): WireStatement {
    let sql = this.statementIds.get(statement.text);
    if (sql === undefined) {
      sql = this.statementIds.size + 1;
      this.statementIds.set(statement.text, sql);
      if (this.outbox.length === 0) setImmediate(() => this.post());
      this.outbox.push({ define: sql, text: statement.text });
    }
    return { sql, values: statement.values };
  }

  /** One message per turn of the event loop, with everything asked in that turn. */
  private post(): void {
    const batch = this.outbox;
    this.outbox = [];
    if (batch.length > 0) this.worker.postMessage(batch);
  }
}

/** The thread, as self-contained source (run through `eval`: sqlite-worker.ts). */
function databaseThread(): void {
  const { parentPort, workerData } = require('node:worker_threads');
  const Database = require(workerData.driver);
  // busy_timeout 0: a lock held by another connection is waited for from a timer (below), so reads
  // go on meanwhile and no write waits longer than its own deadline.
  const db = new Database(workerData.path, { timeout: 0 });
  db.pragma('journal_mode = WAL');
  // NORMAL in WAL mode: a commit survives a crash of the process (the WAL is synced at checkpoints).
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  // Each write has a savepoint of its own, whose journal keeps the pages it changes: in memory,
  // not in a temporary file created and deleted for every batch (measured: a sixth of the thread's
  // time in a code exchange).
  db.pragma('temp_store = MEMORY');
  // The checkpoint thread copies the log back; this connection does so only as a backstop.
  db.pragma(`wal_autocheckpoint = ${workerData.checkpointPages}`);
  const texts = new Map();
  const prepared = new Map();
  const prepare = (sql: number) => {
    let statement = prepared.get(sql);
    if (!statement) {
      statement = db.prepare(texts.get(sql));
      prepared.set(sql, statement);
    }
    return statement;
  };
  const failed = (id: number, error: unknown) => {
    const { code, message } = error as { code?: string; message: string };
    return { id, ok: false, error: { code, message } };
  };
  /** Errors about the database as a whole fail the whole batch, not one write. */
  const databaseWide = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CORRUPT|CANTOPEN|NOTADB|READONLY|NOMEM)/;
  const runWork = db.transaction((work: WireWork) => {
    const changes: number[] = [];
    for (const [i, statement] of work.statements.entries()) {
      const changed = prepare(statement.sql).run(statement.values).changes;
      if (i === 0 && work.guarded && changed !== 1) return null;
      changes.push(changed);
    }
    return changes;
  });
  const commit = db.transaction((batch: { id: number; write: WireWork }[]) =>
    batch.map(({ id, write }) => {
      try {
        return { id, ok: true, value: runWork(write) };
      } catch (error) {
        if (databaseWide.test((error as { code?: string }).code ?? '')) throw error;
        return failed(id, error);
      }
    }),
  );
  let writes: { id: number; write: WireWork; deadline: number }[] = [];
  let scheduled = false;
  const schedule = (delay: number) => {
    if (scheduled) return;
    scheduled = true;
    const run = () => {
      scheduled = false;
      flush();
    };
    if (delay === 0) setImmediate(run);
    else setTimeout(run, delay);
  };
  let backoff = 1;
  const flush = () => {
    const batch = writes.slice(0, workerData.maxBatch);
    writes = writes.slice(batch.length);
    try {
      parentPort.postMessage(commit(batch));
      backoff = 1;
    } catch (error) {
      if (!/^SQLITE_BUSY/.test((error as { code?: string }).code ?? '')) {
        parentPort.postMessage(batch.map(({ id }) => failed(id, error)));
      } else {
        // Another connection holds the lock: past their deadline writes fail, the others wait on.
        const now = Date.now();
        const expired = batch.filter((w) => w.deadline <= now);
        if (expired.length > 0) parentPort.postMessage(expired.map(({ id }) => failed(id, error)));
        writes = [...batch.filter((w) => w.deadline > now), ...writes];
        backoff = Math.min(backoff * 2, 50);
        if (writes.length > 0) schedule(backoff);
        return;
      }
    }
    if (writes.length > 0) schedule(0);
  };
  /** A read meets a lock only in rare WAL moments (recovery, a restart of the log): it is tried again. */
  const read = (request: { id: number; read: WireStatement; many: boolean }, deadline: number): unknown => {
    try {
      const statement = prepare(request.read.sql);
      const value = request.many ? statement.all(request.read.values) : statement.get(request.read.values);
      return { id: request.id, ok: true, value };
    } catch (error) {
      if (/^SQLITE_BUSY/.test((error as { code?: string }).code ?? '') && Date.now() < deadline) {
        setTimeout(() => parentPort.postMessage([read(request, deadline)].filter(Boolean)), 2);
        return null;
      }
      return failed(request.id, error);
    }
  };
  parentPort.on('message', (batch: Request[]) => {
    const answers = [];
    for (const request of batch) {
      if ('define' in request) {
        texts.set(request.define, request.text);
        continue;
      }
      if ('write' in request) {
        writes.push({ id: request.id, write: request.write, deadline: Date.now() + workerData.busyTimeout });
        schedule(0);
        continue;
      }
      const answer = read(request, Date.now() + workerData.busyTimeout);
      if (answer) answers.push(answer);
    }
    if (answers.length > 0) parentPort.postMessage(answers);
  });
}
