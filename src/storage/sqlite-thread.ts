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

/**
 * What crosses between the threads, both ways, is one flat array of numbers and strings per turn:
 * structured cloning copies such an array for a fraction of what nested objects cost (each of their
 * property names written and read back, each object rebuilt: measured with callgrind, about 70,000
 * instructions a refresh in objects, a tenth of all it cost). Entries to the thread:
 *   DEFINE, sql, text                                   (a statement's text, then named by `sql`)
 *   READ, id, many (0|1), sql, n, ...n values
 *   WRITE, id, guarded (0|1), count, then count times: sql, n, ...n values
 * Answers, three entries each: id, ok (1|0), the value (rows, changes, null) or [message, code].
 */
const WIRE = { DEFINE: 0, READ: 1, WRITE: 2 } as const;

type WireEntry = RawValue;

/** One read or write as the thread unpacks it. */
interface WireStatement {
  sql: number;
  values: RawValue[];
}

interface WireWork {
  statements: WireStatement[];
  guarded: boolean;
}

/** How long a write waits for a lock held by another connection (Prisma's, another process). */
const BUSY_TIMEOUT_MS = 5000;
/** A bound on one transaction, so a burst cannot make one commit very long. */
const MAX_BATCH = 128;

export class SqliteThread {
  private readonly worker: Worker;
  private readonly checkpoints: SqliteCheckpoints;
  private readonly waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private outbox: WireEntry[] = [];
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
        wire: WIRE,
      },
      // The thread keeps little (prepared statements, a queue): a small young generation keeps its
      // memory small under load, where V8 would otherwise grow it to tens of megabytes.
      4,
    );
    this.checkpoints = new SqliteCheckpoints(path);
    this.worker.on('message', (answers: unknown[]) => {
      for (let i = 0; i < answers.length; i += 3) {
        const id = answers[i] as number;
        const waiter = this.waiting.get(id);
        if (!waiter) continue;
        this.waiting.delete(id);
        if (answers[i + 1] === 1) waiter.resolve(answers[i + 2]);
        else {
          const [message, code] = answers[i + 2] as [string, string | undefined];
          waiter.reject(Object.assign(new Error(message), { code }));
        }
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
    return this.read(read, false) as Promise<T | undefined>;
  }

  all<T>(read: RawStatement): Promise<T[]> {
    return this.read(read, true) as Promise<T[]>;
  }

  /** The rows each statement changed (null when a guard stopped the work), once committed. */
  write(work: WriteWork): Promise<number[] | null> {
    if (this.failure) return Promise.reject(this.failure);
    const { statements } = work;
    // Texts first: a statement's DEFINE must come before the entry that names it.
    const sqls = statements.map((statement) => this.statementId(statement.text));
    const id = this.nextId++;
    this.enqueue(WIRE.WRITE, id, work.guarded ? 1 : 0, statements.length);
    for (const [i, statement] of statements.entries()) {
      this.enqueue(sqls[i] as number, statement.values.length);
      for (const value of statement.values) this.outbox.push(value);
    }
    return this.answer(id) as Promise<number[] | null>;
  }

  /** Lets the work in flight finish (for up to two seconds), then stops the thread. */
  async close(): Promise<void> {
    for (let waited = 0; this.waiting.size > 0 && waited < 2000; waited += 20) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    this.failure ??= new Error('the SQLite thread is closed');
    await Promise.all([this.worker.terminate(), this.checkpoints.close()]);
  }

  private read(read: RawStatement, many: boolean): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    const sql = this.statementId(read.text);
    const id = this.nextId++;
    this.enqueue(WIRE.READ, id, many ? 1 : 0, sql, read.values.length);
    for (const value of read.values) this.outbox.push(value);
    return this.answer(id);
  }

  private answer(id: number): Promise<unknown> {
    if (this.waiting.size === 0) this.worker.ref();
    return new Promise((resolve, reject) => this.waiting.set(id, { resolve, reject }));
  }

  /** Adds entries to this turn's message, which goes once the turn is over. */
  private enqueue(...entries: WireEntry[]): void {
    if (this.outbox.length === 0) setImmediate(() => this.post());
    for (const entry of entries) this.outbox.push(entry);
  }

  private statementId(text: string): number {
    let sql = this.statementIds.get(text);
    if (sql === undefined) {
      sql = this.statementIds.size + 1;
      this.statementIds.set(text, sql);
      this.enqueue(WIRE.DEFINE, sql, text);
    }
    return sql;
  }

  /** One message per turn of the event loop, with everything asked in that turn. */
  private post(): void {
    const message = this.outbox;
    this.outbox = [];
    if (message.length > 0) this.worker.postMessage(message);
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
  // A batch done again with a savepoint per write (below) keeps the pages they change in a journal:
  // in memory, not in a temporary file created and deleted each time (measured, when every batch
  // had savepoints: a sixth of the thread's time in a code exchange).
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
  /** An answer that failed: [message, code], nothing else of the error. */
  const failure = (error: unknown) => {
    const { code, message } = error as { code?: string; message: string };
    return [message, code];
  };
  /** Errors about the database as a whole fail the whole batch, not one write. */
  const databaseWide = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CORRUPT|CANTOPEN|NOTADB|READONLY|NOMEM)/;
  const isDatabaseWide = (error: unknown) => databaseWide.test((error as { code?: string }).code ?? '');
  /** One write's statements; a guarded write stops, changing nothing, when its first changes no row. */
  const runStatements = (work: WireWork) => {
    const changes: number[] = [];
    for (const [i, statement] of work.statements.entries()) {
      const changed = prepare(statement.sql).run(statement.values).changes;
      if (i === 0 && work.guarded && changed !== 1) return null;
      changes.push(changed);
    }
    return changes;
  };
  // A batch is first committed as one plain transaction. A write failing for its own sake (a
  // constraint, say) rolls that back, and the batch is done again with a savepoint per write, so
  // only that write fails. Savepoints on every batch cost each write a copy of every page it
  // changes (measured: 26,000 instructions of a code exchange's 527,000), for failures that do not
  // happen in normal operation: token hashes are random.
  const commitPlain = db.transaction((batch: { id: number; write: WireWork }[]) =>
    batch.flatMap(({ id, write }) => [id, 1, runStatements(write)]),
  );
  const runSaved = db.transaction(runStatements);
  const commitSaved = db.transaction((batch: { id: number; write: WireWork }[]) => {
    const answers: unknown[] = [];
    for (const { id, write } of batch) {
      try {
        answers.push(id, 1, runSaved(write));
      } catch (error) {
        if (isDatabaseWide(error)) throw error;
        answers.push(id, 0, failure(error));
      }
    }
    return answers;
  });
  const commit = (batch: { id: number; write: WireWork }[]) => {
    try {
      return commitPlain(batch);
    } catch (error) {
      if (isDatabaseWide(error)) throw error;
      return commitSaved(batch);
    }
  };
  const failAll = (batch: { id: number }[], error: unknown) =>
    parentPort.postMessage(batch.flatMap(({ id }) => [id, 0, failure(error)]));
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
        failAll(batch, error);
      } else {
        // Another connection holds the lock: past their deadline writes fail, the others wait on.
        const now = Date.now();
        const expired = batch.filter((w) => w.deadline <= now);
        if (expired.length > 0) failAll(expired, error);
        writes = [...batch.filter((w) => w.deadline > now), ...writes];
        backoff = Math.min(backoff * 2, 50);
        if (writes.length > 0) schedule(backoff);
        return;
      }
    }
    if (writes.length > 0) schedule(0);
  };
  /** A read meets a lock only in rare WAL moments (recovery, a restart of the log): it is tried again. */
  const read = (
    id: number,
    statement: WireStatement,
    many: boolean,
    deadline: number,
    answers: unknown[],
  ) => {
    try {
      const prepared = prepare(statement.sql);
      answers.push(id, 1, many ? prepared.all(statement.values) : prepared.get(statement.values));
    } catch (error) {
      if (/^SQLITE_BUSY/.test((error as { code?: string }).code ?? '') && Date.now() < deadline) {
        setTimeout(() => {
          const later: unknown[] = [];
          read(id, statement, many, deadline, later);
          if (later.length > 0) parentPort.postMessage(later);
        }, 2);
        return;
      }
      answers.push(id, 0, failure(error));
    }
  };
  const { DEFINE, READ, WRITE } = workerData.wire;
  parentPort.on('message', (message: RawValue[]) => {
    const answers: unknown[] = [];
    const deadline = Date.now() + workerData.busyTimeout;
    let i = 0;
    /** The next statement of the message: its sql number, its count of values, the values. */
    const statement = (): WireStatement => {
      const sql = message[i] as number;
      const count = message[i + 1] as number;
      i += 2 + count;
      return { sql, values: message.slice(i - count, i) };
    };
    while (i < message.length) {
      const kind = message[i];
      if (kind === DEFINE) {
        texts.set(message[i + 1], message[i + 2]);
        i += 3;
      } else if (kind === READ) {
        const id = message[i + 1] as number;
        const many = message[i + 2] === 1;
        i += 3;
        read(id, statement(), many, deadline, answers);
      } else if (kind === WRITE) {
        const id = message[i + 1] as number;
        const guarded = message[i + 2] === 1;
        const count = message[i + 3] as number;
        i += 4;
        const statements: WireStatement[] = [];
        for (let n = 0; n < count; n++) statements.push(statement());
        writes.push({ id, write: { statements, guarded }, deadline });
        schedule(0);
      } else {
        throw new Error(`the SQLite thread cannot read entry ${i} of a message`);
      }
    }
    if (answers.length > 0) parentPort.postMessage(answers);
  });
}
