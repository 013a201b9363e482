import { describe, expect, it } from 'vitest';
import { TEST_DATABASE } from '../helpers/database.js';
import { suiteDatabase } from '../helpers/suite-database.js';

// Ids and hashes are compared byte by byte on PostgreSQL, whatever the database's own collation
// (prisma/postgresql/migrations/20261201010000_keys_in_byte_order): in a database created with a
// language's collation, every comparison their indexes made went through strcoll. Every column
// compared with one of them must be in the list too: PostgreSQL refuses to compare text of two
// different implicit collations.

const BYTE_ORDERED = [
  'User.id',
  'Account.id',
  'AccountMember.accountId',
  'AccountMember.userId',
  'Client.id',
  'Client.ownerId',
  'ClientAccount.clientId',
  'ClientAccount.accountId',
  'Grant.id',
  'Grant.clientId',
  'Grant.userId',
  'AuthorizationCode.codeHash',
  'AuthorizationCode.grantId',
  'AccessToken.tokenHash',
  'AccessToken.grantId',
  'AccessToken.clientId',
  'AccessToken.userId',
  'RefreshToken.tokenHash',
  'RefreshToken.grantId',
  'Consent.userId',
  'Consent.clientId',
  'Session.idHash',
  'Session.userId',
  'Throttle.key',
];

describe.skipIf(TEST_DATABASE !== 'postgresql')('PostgreSQL: ids and hashes', () => {
  const suite = suiteDatabase({ migrated: true });

  it('are compared byte by byte (COLLATE "C"), and so is every column a foreign key joins them with', async () => {
    const columns = await suite.db.sql.all<{ name: string; collation: string | null }>(
      'SELECT table_name || \'.\' || column_name AS "name", collation_name AS "collation" ' +
        "FROM information_schema.columns WHERE table_schema = current_schema() AND data_type = 'text'",
    );
    const collation = new Map(columns.map((column) => [column.name, column.collation]));
    expect(BYTE_ORDERED.map((name) => [name, collation.get(name)])).toEqual(
      BYTE_ORDERED.map((name) => [name, 'C']),
    );

    const joined = await suite.db.sql.all<{ pair: string; same: boolean }>(
      'SELECT c.conname AS "pair", ' +
        'bool_and(a.attcollation = r.attcollation) AS "same" FROM pg_constraint c ' +
        'CROSS JOIN LATERAL unnest(c.conkey, c.confkey) AS k(own, other) ' +
        'JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.own ' +
        'JOIN pg_attribute r ON r.attrelid = c.confrelid AND r.attnum = k.other ' +
        "WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace GROUP BY c.conname",
    );
    expect(joined.length).toBeGreaterThan(10);
    expect(joined.filter((key) => !key.same).map((key) => key.pair)).toEqual([]);
  });

  it("keep names, usernames, e-mail addresses and scopes in the database's collation", async () => {
    const columns = await suite.db.sql.all<{ name: string; collation: string | null }>(
      'SELECT table_name || \'.\' || column_name AS "name", collation_name AS "collation" ' +
        'FROM information_schema.columns WHERE table_schema = current_schema() ' +
        "AND column_name IN ('username', 'email', 'name', 'scope')",
    );
    expect(columns.length).toBeGreaterThan(3);
    expect(columns.filter((column) => column.collation !== null)).toEqual([]);
  });
});
