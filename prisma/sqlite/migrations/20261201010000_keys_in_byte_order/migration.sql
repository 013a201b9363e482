-- The PostgreSQL migration of this name compares ids and hashes byte by byte (COLLATE "C").
-- SQLite compares every column so already (its BINARY collation): nothing to do here. Both
-- databases keep the same list of migrations.
SELECT 1;
