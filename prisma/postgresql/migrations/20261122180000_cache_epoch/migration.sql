-- The cache epoch (src/storage/cache-epoch.ts): a counter that every change able to invalidate a
-- cached lookup (a revoked token or grant, a changed or deleted client, user, account or account
-- link) moves forward in the same transaction, whoever makes it: this server, another instance,
-- the command line or SQL by hand. A cached lookup is used only while the counter is where it was
-- before the lookup was read.
-- Access tokens and grants are deleted only when they are dead already (the purge: expired or
-- revoked tokens, grants without codes or tokens) or with a watched parent (client, user), so their
-- deletions need no trigger; revoke them, never delete them by hand.
-- PostgreSQL: the counter moves at commit (deferred constraint triggers), so its row lock is the
-- last lock a transaction takes and cannot be part of a deadlock.

-- CreateTable
CREATE TABLE "CacheEpoch" (
    "id" INTEGER NOT NULL,
    "value" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "CacheEpoch_pkey" PRIMARY KEY ("id")
);

INSERT INTO "CacheEpoch" ("id", "value") VALUES (1, 0);

CREATE FUNCTION "advance_cache_epoch"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE "CacheEpoch" SET "value" = "value" + 1 WHERE "id" = 1;
    RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER "AccessToken_cache_epoch_update" AFTER UPDATE OF "revokedAt" ON "AccessToken"
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "advance_cache_epoch"();

CREATE CONSTRAINT TRIGGER "Grant_cache_epoch_update" AFTER UPDATE OF "revokedAt" ON "Grant"
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "advance_cache_epoch"();

CREATE CONSTRAINT TRIGGER "User_cache_epoch_update" AFTER UPDATE OF "username" ON "User"
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "advance_cache_epoch"();

CREATE CONSTRAINT TRIGGER "User_cache_epoch_delete" AFTER DELETE ON "User"
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "advance_cache_epoch"();

CREATE CONSTRAINT TRIGGER "Client_cache_epoch_update" AFTER UPDATE OF "secretHash", "isPublic", "isAdmin", "grantTypes", "scopes", "ownerId", "allAccounts", "authLockedUntil" ON "Client"
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "advance_cache_epoch"();

CREATE CONSTRAINT TRIGGER "Client_cache_epoch_delete" AFTER DELETE ON "Client"
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "advance_cache_epoch"();

CREATE CONSTRAINT TRIGGER "ClientAccount_cache_epoch_insert" AFTER INSERT ON "ClientAccount"
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "advance_cache_epoch"();

CREATE CONSTRAINT TRIGGER "ClientAccount_cache_epoch_update" AFTER UPDATE ON "ClientAccount"
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "advance_cache_epoch"();

CREATE CONSTRAINT TRIGGER "ClientAccount_cache_epoch_delete" AFTER DELETE ON "ClientAccount"
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "advance_cache_epoch"();

CREATE CONSTRAINT TRIGGER "Account_cache_epoch_update" AFTER UPDATE OF "name" ON "Account"
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "advance_cache_epoch"();

CREATE CONSTRAINT TRIGGER "Account_cache_epoch_delete" AFTER DELETE ON "Account"
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "advance_cache_epoch"();

CREATE CONSTRAINT TRIGGER "AccountMember_cache_epoch_insert" AFTER INSERT ON "AccountMember"
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "advance_cache_epoch"();

CREATE CONSTRAINT TRIGGER "AccountMember_cache_epoch_update" AFTER UPDATE ON "AccountMember"
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "advance_cache_epoch"();

CREATE CONSTRAINT TRIGGER "AccountMember_cache_epoch_delete" AFTER DELETE ON "AccountMember"
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "advance_cache_epoch"();
