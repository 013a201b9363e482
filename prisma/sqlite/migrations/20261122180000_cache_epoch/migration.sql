-- The cache epoch (src/storage/cache-epoch.ts): a counter that every change able to invalidate a
-- cached lookup (a revoked token or grant, a changed or deleted client, user, account or account
-- link) moves forward in the same transaction, whoever makes it: this server, another instance,
-- the command line or SQL by hand. A cached lookup is used only while the counter is where it was
-- before the lookup was read.
-- Access tokens and grants are deleted only when they are dead already (the purge: expired or
-- revoked tokens, grants without codes or tokens) or with a watched parent (client, user), so their
-- deletions need no trigger; revoke them, never delete them by hand.

-- CreateTable
CREATE TABLE "CacheEpoch" (
    "id" INTEGER NOT NULL PRIMARY KEY,
    "value" BIGINT NOT NULL DEFAULT 0
);

INSERT INTO "CacheEpoch" ("id", "value") VALUES (1, 0);

CREATE TRIGGER "AccessToken_cache_epoch_update" AFTER UPDATE OF "revokedAt" ON "AccessToken"
BEGIN
    UPDATE "CacheEpoch" SET "value" = "value" + 1 WHERE "id" = 1;
END;

CREATE TRIGGER "Grant_cache_epoch_update" AFTER UPDATE OF "revokedAt" ON "Grant"
BEGIN
    UPDATE "CacheEpoch" SET "value" = "value" + 1 WHERE "id" = 1;
END;

CREATE TRIGGER "User_cache_epoch_update" AFTER UPDATE OF "username" ON "User"
BEGIN
    UPDATE "CacheEpoch" SET "value" = "value" + 1 WHERE "id" = 1;
END;

CREATE TRIGGER "User_cache_epoch_delete" AFTER DELETE ON "User"
BEGIN
    UPDATE "CacheEpoch" SET "value" = "value" + 1 WHERE "id" = 1;
END;

CREATE TRIGGER "Client_cache_epoch_update" AFTER UPDATE OF "secretHash", "isPublic", "isAdmin", "grantTypes", "scopes", "ownerId", "allAccounts", "authLockedUntil" ON "Client"
BEGIN
    UPDATE "CacheEpoch" SET "value" = "value" + 1 WHERE "id" = 1;
END;

CREATE TRIGGER "Client_cache_epoch_delete" AFTER DELETE ON "Client"
BEGIN
    UPDATE "CacheEpoch" SET "value" = "value" + 1 WHERE "id" = 1;
END;

CREATE TRIGGER "ClientAccount_cache_epoch_insert" AFTER INSERT ON "ClientAccount"
BEGIN
    UPDATE "CacheEpoch" SET "value" = "value" + 1 WHERE "id" = 1;
END;

CREATE TRIGGER "ClientAccount_cache_epoch_update" AFTER UPDATE ON "ClientAccount"
BEGIN
    UPDATE "CacheEpoch" SET "value" = "value" + 1 WHERE "id" = 1;
END;

CREATE TRIGGER "ClientAccount_cache_epoch_delete" AFTER DELETE ON "ClientAccount"
BEGIN
    UPDATE "CacheEpoch" SET "value" = "value" + 1 WHERE "id" = 1;
END;

CREATE TRIGGER "Account_cache_epoch_update" AFTER UPDATE OF "name" ON "Account"
BEGIN
    UPDATE "CacheEpoch" SET "value" = "value" + 1 WHERE "id" = 1;
END;

CREATE TRIGGER "Account_cache_epoch_delete" AFTER DELETE ON "Account"
BEGIN
    UPDATE "CacheEpoch" SET "value" = "value" + 1 WHERE "id" = 1;
END;

CREATE TRIGGER "AccountMember_cache_epoch_insert" AFTER INSERT ON "AccountMember"
BEGIN
    UPDATE "CacheEpoch" SET "value" = "value" + 1 WHERE "id" = 1;
END;

CREATE TRIGGER "AccountMember_cache_epoch_update" AFTER UPDATE ON "AccountMember"
BEGIN
    UPDATE "CacheEpoch" SET "value" = "value" + 1 WHERE "id" = 1;
END;

CREATE TRIGGER "AccountMember_cache_epoch_delete" AFTER DELETE ON "AccountMember"
BEGIN
    UPDATE "CacheEpoch" SET "value" = "value" + 1 WHERE "id" = 1;
END;
