import type { Db } from './database.js';

export interface ThrottlePolicy {
  /** Failures allowed within the window before the key is locked. */
  limit: number;
  windowSeconds: number;
  /** The first lock; each further failure while over the limit doubles it, up to maxLockSeconds. */
  lockSeconds: number;
  maxLockSeconds: number;
}

/**
 * Counts failures per key in the database, so every instance behind a load balancer sees the
 * same counts (RFC 6819 §5.1.4.2.3 and §4.4.1.4: limit online guessing of passwords and secrets).
 */
export function throttleStore(db: Db) {
  return {
    /** When the key is locked, the time it opens again; otherwise null. */
    async lockedUntil(key: string): Promise<Date | null> {
      const row = await db.throttle.findUnique({ where: { key }, select: { lockedUntil: true } });
      return row?.lockedUntil && row.lockedUntil > new Date() ? row.lockedUntil : null;
    },

    async recordFailure(key: string, policy: ThrottlePolicy): Promise<void> {
      const now = new Date();
      const row = await db.throttle.upsert({
        where: { key },
        create: { key, failures: 1, windowStart: now },
        update: { failures: { increment: 1 } },
      });
      if (now.getTime() - row.windowStart.getTime() > policy.windowSeconds * 1000 && !isLocked(row, now)) {
        await db.throttle.update({
          where: { key },
          data: { failures: 1, windowStart: now, lockedUntil: null },
        });
        return;
      }
      if (row.failures >= policy.limit) {
        const lock = Math.min(policy.lockSeconds * 2 ** (row.failures - policy.limit), policy.maxLockSeconds);
        await db.throttle.update({
          where: { key },
          data: { lockedUntil: new Date(now.getTime() + lock * 1000) },
        });
      }
    },

    async clear(key: string): Promise<void> {
      await db.throttle.deleteMany({ where: { key } });
    },
  };
}

function isLocked(row: { lockedUntil: Date | null }, now: Date): boolean {
  return row.lockedUntil !== null && row.lockedUntil > now;
}
