-- Ids, token and code hashes and session id hashes are opaque ASCII: compared for equality, never
-- sorted for people. In a database created with a language's collation (en_US.utf8: the official
-- postgres image's, so docker-compose.yml's), every comparison their indexes make went through
-- strcoll: the backends' instructions per code exchange were 759,000 there against 591,000 with
-- these columns compared byte by byte (COLLATE "C", what SQLite does for every column;
-- bench/callgrind/postgres-backends.sh). Byte order also sorts the
-- time-ordered ids (timeOrderedId) by time, as on SQLite.
-- A column keeps its type and values; its indexes are rebuilt (the table is locked meanwhile).
-- Columns compared with one another change together: PostgreSQL cannot compare two different
-- implicit collations. Names, usernames, e-mail addresses and scopes keep the database's collation.
ALTER TABLE "User" ALTER COLUMN "id" TYPE TEXT COLLATE "C";
ALTER TABLE "Account" ALTER COLUMN "id" TYPE TEXT COLLATE "C";
ALTER TABLE "AccountMember"
    ALTER COLUMN "accountId" TYPE TEXT COLLATE "C",
    ALTER COLUMN "userId" TYPE TEXT COLLATE "C";
-- "ownerId" is one of the columns the cache epoch's trigger on "Client" watches (20261122180000_cache_epoch):
-- the trigger goes while the column changes, and comes back as it was, in the same transaction.
DROP TRIGGER "Client_cache_epoch_update" ON "Client";
ALTER TABLE "Client"
    ALTER COLUMN "id" TYPE TEXT COLLATE "C",
    ALTER COLUMN "ownerId" TYPE TEXT COLLATE "C";
CREATE CONSTRAINT TRIGGER "Client_cache_epoch_update" AFTER UPDATE OF "secretHash", "isPublic", "isAdmin", "grantTypes", "scopes", "ownerId", "allAccounts", "authLockedUntil" ON "Client"
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "advance_cache_epoch"();
ALTER TABLE "ClientAccount"
    ALTER COLUMN "clientId" TYPE TEXT COLLATE "C",
    ALTER COLUMN "accountId" TYPE TEXT COLLATE "C";
ALTER TABLE "Grant"
    ALTER COLUMN "id" TYPE TEXT COLLATE "C",
    ALTER COLUMN "clientId" TYPE TEXT COLLATE "C",
    ALTER COLUMN "userId" TYPE TEXT COLLATE "C";
ALTER TABLE "AuthorizationCode"
    ALTER COLUMN "codeHash" TYPE TEXT COLLATE "C",
    ALTER COLUMN "grantId" TYPE TEXT COLLATE "C";
ALTER TABLE "AccessToken"
    ALTER COLUMN "tokenHash" TYPE TEXT COLLATE "C",
    ALTER COLUMN "grantId" TYPE TEXT COLLATE "C",
    ALTER COLUMN "clientId" TYPE TEXT COLLATE "C",
    ALTER COLUMN "userId" TYPE TEXT COLLATE "C";
ALTER TABLE "RefreshToken"
    ALTER COLUMN "tokenHash" TYPE TEXT COLLATE "C",
    ALTER COLUMN "grantId" TYPE TEXT COLLATE "C";
ALTER TABLE "Consent"
    ALTER COLUMN "userId" TYPE TEXT COLLATE "C",
    ALTER COLUMN "clientId" TYPE TEXT COLLATE "C";
ALTER TABLE "Session"
    ALTER COLUMN "idHash" TYPE TEXT COLLATE "C",
    ALTER COLUMN "userId" TYPE TEXT COLLATE "C";
ALTER TABLE "Throttle" ALTER COLUMN "key" TYPE TEXT COLLATE "C";
