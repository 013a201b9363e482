-- Spending an authorization code (RFC 6749 §4.1.2: used once) or rotating a refresh token
-- (RFC 6749 §6, RFC 9700 §4.14.2) updates one column that no index covers: "consumedAt",
-- "revokedAt". PostgreSQL writes such an update as a heap-only tuple, on the row's own page and
-- with no new index entries, when that page has room for the row's new version. Filled to the
-- default 100 %, the pages have none: every spend then wrote a new entry into each of the table's
-- indexes, and the key index churned (its passes deleting dead entries were an eighth of the
-- database's work in a code exchange). Half-full pages keep room for a new version of each row.
-- The space is not lost: a spent row's old version is pruned from its page, and the purge deletes
-- the row. Pages written before this migration stay as they are; new rows go to half-full pages.
ALTER TABLE "AuthorizationCode" SET (fillfactor = 50);
ALTER TABLE "RefreshToken" SET (fillfactor = 50);
