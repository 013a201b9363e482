import { type PurgeCounts, purgeExpired } from '../../storage/purge.js';
import { parse } from '../args.js';
import type { Command } from '../command.js';

const LABELS: Record<keyof PurgeCounts, string> = {
  authorizationCodes: 'authorization codes',
  accessTokens: 'access tokens',
  refreshTokens: 'refresh tokens',
  grants: 'grants',
  sessions: 'sessions',
  throttle: 'sign-in throttle entries',
};

export const purgeCommand: Command = {
  usage: `purge [--json]
  Deletes what can no longer be used: expired or used authorization codes (once expired), expired or
  revoked access tokens, expired refresh tokens (rotated ones stay until they expire, so their reuse is
  still caught), grants with nothing left, expired sessions and stale sign-in throttle entries.
  The server also does this every PURGE_INTERVAL seconds (default 3600; 0 turns it off).`,
  async run(ctx, argv) {
    const { values } = parse(argv, { json: { type: 'boolean' } });
    const storage = await ctx.storage();
    const counts = await purgeExpired(storage.database.prisma);
    if (values.json) {
      return ctx.json({
        authorization_codes: counts.authorizationCodes,
        access_tokens: counts.accessTokens,
        refresh_tokens: counts.refreshTokens,
        grants: counts.grants,
        sessions: counts.sessions,
        throttle: counts.throttle,
      });
    }
    ctx.out('Purged:');
    for (const [key, label] of Object.entries(LABELS)) {
      ctx.out(`  ${label.padEnd(26)}${counts[key as keyof PurgeCounts]}`);
    }
  },
};
