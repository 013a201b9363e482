import type { Sql } from './sql.js';

// Lookups cached in memory, and still revoked at once on every instance.
//
// The database keeps one counter, the cache epoch, that triggers move forward in the same
// transaction as every change that can make a cached lookup wrong: a token or grant revoked, a
// client, user, account or account link changed or deleted (migration 20261122180000_cache_epoch).
// Triggers, so that no writer can forget it: this server, another instance, the command line.
//
// A lookup is cached with the epoch read before it. A cached lookup is used only if the epoch,
// read again after the request arrived, has not moved: then nothing that could change the answer
// has been committed since the lookup was read, on any instance. The epoch is read once per turn
// of the event loop, at its end (setImmediate), for all the lookups asked for in that turn: the
// read comes after every request of the turn arrived, and requests that arrive later wait for the
// next turn's read. On SQLite the read is made on the event loop itself (2 µs alone, about 12 µs
// in a busy server: sqlite-read-now.ts); on PostgreSQL it is one small query. A miss, or a moved
// epoch, reads the database as without a cache.
//
// Requests that miss the same key under the same epoch share one read: a read started under an
// epoch is as good as an entry cached under it, for the same reason (the epoch would have moved).
//
// Only what was found is cached (an unknown token or client id is not, so made-up values cannot
// fill the cache), each cache holds at most `limit` entries, and the oldest entry makes room.

export interface CacheEpoch {
  /** The epoch, as read at the end of this turn of the event loop: shared by the calls of one turn. */
  current(): Promise<string>;
  /**
   * The epoch when it was just read at once, at the end of this turn, and nothing can have arrived
   * since: the lookups that the turn's requests go on to make use it without waiting for the next
   * turn. Undefined otherwise.
   */
  known(): string | undefined;
}

const EPOCH_QUERY = 'SELECT "value" FROM "CacheEpoch" WHERE "id" = 1';
const epochText = (row: { value: unknown } | undefined) => String(row?.value ?? 'missing');

export function cacheEpoch(sql: Sql): CacheEpoch {
  let pending: Promise<string> | undefined;
  let known: string | undefined;
  const forget = () => {
    known = undefined;
  };
  // The epoch read at once on SQLite, else the thread's or PostgreSQL's answer to the query.
  const read = (): string | Promise<string> => {
    if (sql.kind === 'sqlite') {
      try {
        return epochText(sql.getNow<{ value: unknown }>(EPOCH_QUERY));
      } catch {
        // Not readable at once (a lock, a file not there yet): the thread reads it as any query.
      }
    }
    return sql.get<{ value: unknown }>(EPOCH_QUERY).then(epochText);
  };
  return {
    current() {
      pending ??= new Promise<string>((resolve) => {
        // After the requests of this turn arrived; calls from later turns wait for a read of their own.
        setImmediate(() => {
          pending = undefined;
          const epoch = read();
          if (typeof epoch === 'string') {
            // Read now, in the event loop's last phase: every request that can still ask arrived
            // before this read. It is forgotten once this callback's promise reactions have run
            // (a microtask that queues a tick: ticks run after the microtask queue is empty), and
            // in any case before the event loop takes in anything new.
            known = epoch;
            queueMicrotask(() => process.nextTick(forget));
          }
          resolve(epoch);
        });
      });
      return pending;
    },
    known: () => known,
  };
}

interface Entry<V> {
  value: V;
  epoch: string;
}

export interface CachedLookup<V> {
  /** The value for `key`, from the cache while the epoch stands still, else read from the database. */
  get(key: string): Promise<V | null>;
}

/** A cache of `read`'s answers (only values found: null is never kept), at most `limit` of them. */
export function cachedLookup<V>(
  epoch: CacheEpoch,
  limit: number,
  read: (key: string) => Promise<V | null>,
): CachedLookup<V> {
  const entries = new Map<string, Entry<V>>();
  const store = (key: string, current: string, value: V | null, replacing: boolean): V | null => {
    if (value === null) {
      entries.delete(key);
      return null;
    }
    if (!replacing && entries.size >= limit) {
      const oldest = entries.keys().next().value;
      if (oldest !== undefined) entries.delete(oldest);
    }
    entries.set(key, { value, epoch: current });
    return value;
  };
  // Reads in flight, one per key: the requests that miss the same key under the same epoch wait
  // for one read instead of each making its own (50 connections presenting a token new to the
  // cache made 50 reads of it).
  const reading = new Map<string, Entry<Promise<V | null>>>();
  const lookup = (key: string, current: string): V | null | Promise<V | null> => {
    const entry = entries.get(key);
    if (entry && entry.epoch === current) return entry.value;
    const inFlight = reading.get(key);
    if (inFlight && inFlight.epoch === current) return inFlight.value;
    const value = read(key).then((found) => store(key, current, found, entry !== undefined));
    reading.set(key, { value, epoch: current });
    const done = () => {
      if (reading.get(key)?.value === value) reading.delete(key);
    };
    value.then(done, done);
    return value;
  };
  return {
    get(key) {
      const known = epoch.known();
      if (known !== undefined) return Promise.resolve(lookup(key, known));
      return epoch.current().then((current) => lookup(key, current));
    },
  };
}
