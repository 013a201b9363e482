import { writeFileSync } from 'node:fs';
import { codeExchangeBody, createBenchDatabase, prepareFixture, refreshBody } from '../lib/ours.js';

// A throwaway database for run.sh (SQLite, or PostgreSQL with DATABASE=postgresql): the bench's
// client and user, one access token, and CODES codes and REFRESH refresh tokens as ready-made
// token-endpoint bodies. Written to the file named by the first argument; run.sh drops the database.

const kind = process.env.DATABASE ?? 'sqlite';
if (kind !== 'sqlite' && kind !== 'postgresql') {
  console.error(`DATABASE must be sqlite or postgresql, not ${JSON.stringify(kind)}`);
  process.exit(2);
}
const database = await createBenchDatabase(kind);
const fixture = await prepareFixture(database);
const [access] = await fixture.mintAccessTokens(1);
const codeBodies = (await fixture.mintCodes(Number(process.env.CODES ?? 0))).map(codeExchangeBody);
const refreshBodies = (await fixture.mintRefreshTokens(Number(process.env.REFRESH ?? 0))).map(refreshBody);
writeFileSync(
  process.argv[2] ?? '/tmp/callgrind-fixture.json',
  JSON.stringify({ databaseUrl: database.url, basic: fixture.basic, access, codeBodies, refreshBodies }),
);
await fixture.close();
