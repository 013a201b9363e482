import { accountStore } from './accounts.js';
import { cacheEpoch } from './cache-epoch.js';
import { clientStore } from './clients.js';
import { codeStore } from './codes.js';
import { consentStore } from './consents.js';
import type { Database } from './database.js';
import { grantStore } from './grants.js';
import { sessionStore } from './sessions.js';
import { throttleStore } from './throttle.js';
import { tokenStore } from './tokens.js';
import { userStore } from './users.js';

export function createStorage(database: Database) {
  const db = database.prisma;
  // One epoch per storage: the cached lookups of the hot paths (cache-epoch.ts).
  const epoch = cacheEpoch(database.sql);
  return {
    database,
    /** The cache epoch, for lookups cached above storage (introspection's answers). */
    epoch,
    accounts: accountStore(db, database.sql, epoch),
    clients: clientStore(db, database.sql, epoch),
    codes: codeStore(database.sql),
    consents: consentStore(db),
    grants: grantStore(database.sql),
    sessions: sessionStore(db),
    throttle: throttleStore(db),
    tokens: tokenStore(database.sql, epoch),
    users: userStore(db),
  };
}

export type Storage = ReturnType<typeof createStorage>;
