// Which failures mean "the database cannot be used right now" (checklist O3): the request may be
// retried later, so the answer is 503 temporarily_unavailable (RFC 6749 §4.1.2.1, §5.2 as RFC 6749
// errata and RFC 9110 §15.6.4 use it), not 500. Errors arrive from better-sqlite3, from pg and from
// Prisma's driver adapters, each wrapping the next in `cause`.

/** SQLite result codes (and their extended forms) for a database that is locked, gone or full. */
const SQLITE_CODES = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN)/;
/** Socket errors of a lost or refused connection. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
]);
/** Prisma: can't reach, timed out, connection closed, pool timeout, too many connections. */
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2037']);
/** Driver adapter error kinds for the same. */
const ADAPTER_KINDS = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
  'TlsConnectionError',
]);
/** pg's own messages when the server goes away or does not answer in time. */
const PG_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|server closed the connection/i;
/** PostgreSQL SQLSTATE: class 08 (connection exception), 57P (shutdown), 53300 (too many connections). */
const PG_SQLSTATE = /^(08|57P|53300)/;

export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current !== null && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const { code, kind, message } = current as { code?: unknown; kind?: unknown; message?: unknown };
    if (typeof code === 'string') {
      if (SQLITE_CODES.test(code) || SOCKET_CODES.has(code) || PRISMA_CODES.has(code)) return true;
      if (/^[0-9A-Z]{5}$/.test(code) && PG_SQLSTATE.test(code)) return true;
    }
    if (typeof kind === 'string' && ADAPTER_KINDS.has(kind)) return true;
    if (typeof kind === 'string' && kind === 'sqlite') {
      const extended = (current as { extendedCode?: unknown }).extendedCode;
      // SQLITE_BUSY (5) and SQLITE_LOCKED (6) with their extended codes.
      if (typeof extended === 'number' && [5, 6].includes(extended & 0xff)) return true;
    }
    if (typeof message === 'string' && PG_MESSAGES.test(message)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
