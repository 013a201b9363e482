import type { Db } from './database.js';

// Removes what can never be used again, so tables do not grow without bound. What still matters
// stays: a rotated (revoked) refresh token is kept until it expires, so its reuse is still
// recognised and ends the grant (RFC 9700 §4.14.2; checklist F3); a used code is kept until it
// expires, so its replay still ends the grant (RFC 6749 §4.1.2; checklist C1).

export interface PurgeCounts {
  authorizationCodes: number;
  accessTokens: number;
  refreshTokens: number;
  grants: number;
  sessions: number;
  throttle: number;
}

/** A grant that never received a code or token is abandoned after this long (creation races need far less). */
const ABANDONED_GRANT_SECONDS = 86_400;
/** Sign-in failure counters older than this, and not locking anything, are forgotten. */
const STALE_THROTTLE_SECONDS = 86_400;

export async function purgeExpired(db: Db, now = new Date()): Promise<PurgeCounts> {
  const before = (seconds: number) => new Date(now.getTime() - seconds * 1000);

  const authorizationCodes = await db.authorizationCode.deleteMany({ where: { expiresAt: { lt: now } } });
  const accessTokens = await db.accessToken.deleteMany({
    where: { OR: [{ expiresAt: { lt: now } }, { revokedAt: { not: null } }] },
  });
  // Revoked refresh tokens stay until they expire (checklist F3).
  const refreshTokens = await db.refreshToken.deleteMany({
    where: { OR: [{ expiresAt: { lt: now } }, { absoluteExpiresAt: { lt: now } }] },
  });
  // Grants with nothing left: revoked ones at once, others once abandoned.
  const empty = { authorizationCodes: { none: {} }, accessTokens: { none: {} }, refreshTokens: { none: {} } };
  const grants = await db.grant.deleteMany({
    where: {
      ...empty,
      OR: [{ revokedAt: { not: null } }, { createdAt: { lt: before(ABANDONED_GRANT_SECONDS) } }],
    },
  });
  const sessions = await db.session.deleteMany({ where: { expiresAt: { lt: now } } });
  const throttle = await db.throttle.deleteMany({
    where: {
      windowStart: { lt: before(STALE_THROTTLE_SECONDS) },
      OR: [{ lockedUntil: null }, { lockedUntil: { lt: now } }],
    },
  });

  return {
    authorizationCodes: authorizationCodes.count,
    accessTokens: accessTokens.count,
    refreshTokens: refreshTokens.count,
    grants: grants.count,
    sessions: sessions.count,
    throttle: throttle.count,
  };
}

export interface PurgeLog {
  info(object: object, message: string): void;
  error(object: object, message: string): void;
}

export interface PurgeSchedule {
  /** Stops the timer and waits for a run in progress. */
  stop(): Promise<void>;
}

/**
 * Runs `purge` every `intervalMs`: counts logged, failures logged and never thrown (a database
 * that is briefly down must not stop the server). The timer does not keep the process alive.
 */
export function schedulePurge(
  purge: () => Promise<PurgeCounts>,
  intervalMs: number,
  log: PurgeLog,
): PurgeSchedule {
  let running: Promise<void> | null = null;
  const run = () => {
    if (running) return; // The previous run is still going: skip this turn.
    running = purge()
      .then((counts) => log.info({ purged: counts }, 'purged expired codes, tokens, grants and sessions'))
      .catch((error: unknown) =>
        log.error(
          { err: { message: (error as Error)?.message?.split('\n')[0] } },
          'purge failed; retrying at the next interval',
        ),
      )
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(run, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
