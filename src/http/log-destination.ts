import { writeSync } from 'node:fs';
import pino from 'pino';

// Where the server's log lines go in production: stdout, written asynchronously in large blocks.
//
// Lines are encoded as UTF-8 straight into a block of bytes as they come, and each full block is
// handed to sonic-boom (pino's destination) as a Buffer: sonic-boom still does the writing (partial
// writes, EAGAIN, a closed pipe, the synchronous flush at exit), and nothing converts the text again.
// Gathering lines as strings instead cost about 0.6 µs a line (measured with perf): the block was
// joined, sonic-boom measured its byte length twice, and the text was encoded twice (for the write,
// then again when the write was done). Blocks rather than lines, because each asynchronous write
// wakes a thread of libuv's pool and is answered back to the event loop: tens of µs of CPU here
// (with 32 KiB blocks, still 0.5 % of an introspection's CPU; perf).

/** A block is handed over when the next line might not fit in what is left of it... */
const BLOCK_BYTES = 64 * 1024;
/** ...and at least this often, so a quiet server's lines still appear. */
const FLUSH_MS = 500;
/** sonic-boom's largest single write: a few blocks, when stdout was slow to take the last one. */
const MAX_WRITE_BYTES = 256 * 1024;
/** Lines waiting for a stdout that does not take them are bounded: beyond this they are dropped. */
const MAX_PENDING_BYTES = 16 * 1024 * 1024;
/** The most UTF-8 bytes one UTF-16 code unit of a JavaScript string can take. */
const MAX_BYTES_PER_CHAR = 3;

export interface LogDestination extends pino.DestinationStream {
  /** A line made only of ASCII (the access line: request-logger.ts), copied as it is. */
  writeAscii(line: string): void;
  /** Writes every gathered line now, synchronously (at exit). */
  flushSync(): void;
}

/** Writes all of `bytes` to stdout synchronously, waiting out a full pipe (EAGAIN) a little at a time. */
function writeAll(bytes: Buffer): void {
  let rest = bytes;
  let waits = 0;
  while (rest.length > 0) {
    try {
      rest = rest.subarray(writeSync(1, rest));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if ((code !== 'EAGAIN' && code !== 'EBUSY') || ++waits > 1000) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
}

export function blockedStdout(): LogDestination {
  // In buffer mode sonic-boom takes Buffers (its types know only strings).
  const target = pino.destination({
    dest: 1,
    sync: false,
    minLength: 0,
    maxWrite: MAX_WRITE_BYTES,
    maxLength: MAX_PENDING_BYTES,
    contentMode: 'buffer',
  }) as unknown as { write(bytes: Buffer): boolean; flushSync(): void };
  let block = Buffer.allocUnsafeSlow(BLOCK_BYTES);
  let used = 0;
  const handOver = () => {
    if (used === 0) return;
    const full = block.subarray(0, used);
    // sonic-boom keeps the bytes it was given until they are written: the next lines go elsewhere.
    block = Buffer.allocUnsafeSlow(BLOCK_BYTES);
    used = 0;
    target.write(full);
  };
  const destination: LogDestination = {
    write(line: string) {
      const most = line.length * MAX_BYTES_PER_CHAR;
      if (most > BLOCK_BYTES - used) {
        handOver();
        if (most > BLOCK_BYTES) {
          target.write(Buffer.from(line, 'utf8'));
          return;
        }
      }
      used += block.write(line, used, 'utf8');
    },
    writeAscii(line: string) {
      // One byte a character: copied, where UTF-8 is encoded a character at a time.
      if (line.length > BLOCK_BYTES - used) {
        handOver();
        if (line.length > BLOCK_BYTES) {
          target.write(Buffer.from(line, 'latin1'));
          return;
        }
      }
      used += block.write(line, used, 'latin1');
    },
    flushSync() {
      // At exit no asynchronous write finishes: handing the rest to sonic-boom would start one. So
      // what sonic-boom holds is written first, then the rest gathered here, both synchronously.
      target.flushSync();
      if (used > 0) writeAll(block.subarray(0, used));
      used = 0;
    },
  };
  setInterval(handOver, FLUSH_MS).unref();
  // pino flushes its sonic-boom at exit; the lines gathered here must reach it first.
  process.once('exit', () => {
    try {
      destination.flushSync();
    } catch {
      // stdout is gone (a closed pipe): nothing more can be written.
    }
  });
  return destination;
}
