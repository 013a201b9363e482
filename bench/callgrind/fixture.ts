import { writeFileSync } from 'node:fs';
import { codeExchangeBody, createBenchDatabase, prepareFixture, refreshBody } from '../lib/ours.js';

// A throwaway SQLite database for run.sh: the bench's client and user, one access token, and
// CODES codes and REFRESH refresh tokens as ready-made token-endpoint bodies. Written to the file
// named by the first argument.

const database = await createBenchDatabase('sqlite');
const fixture = await prepareFixture(database);
const [access] = await fixture.mintAccessTokens(1);
const codeBodies = (await fixture.mintCodes(Number(process.env.CODES ?? 0))).map(codeExchangeBody);
const refreshBodies = (await fixture.mintRefreshTokens(Number(process.env.REFRESH ?? 0))).map(refreshBody);
writeFileSync(
  process.argv[2] ?? '/tmp/callgrind-fixture.json',
  JSON.stringify({ databaseUrl: database.url, basic: fixture.basic, access, codeBodies, refreshBodies }),
);
await fixture.close();
