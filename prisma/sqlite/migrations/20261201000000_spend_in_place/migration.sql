-- The PostgreSQL migration of this name leaves room on the pages of "AuthorizationCode" and
-- "RefreshToken" for spending their rows in place. SQLite rewrites a row within its b-tree page
-- and has no such setting: nothing to do here. Both databases keep the same list of migrations.
SELECT 1;
