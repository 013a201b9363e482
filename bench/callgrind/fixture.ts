import { writeFileSync } from 'node:fs';
import { createBenchDatabase, prepareFixture, REDIRECT_URI } from '../lib/ours.js';

// A throwaway SQLite database for run.sh: the bench's client and user, one access token, and
// CODES codes and REFRESH refresh tokens as ready-made token-endpoint bodies. Written to the file
// named by the first argument.

const database = await createBenchDatabase('sqlite');
const fixture = await prepareFixture(database);
const [access] = await fixture.mintAccessTokens(1);
const codes = await fixture.mintCodes(Number(process.env.CODES ?? 0));
const codeBodies = codes.map(
  ({ code, verifier }) =>
    `grant_type=authorization_code&code=${code}&redirect_uri=${encodeURIComponent(REDIRECT_URI)}&code_verifier=${verifier}`,
);
const refreshBodies = (await fixture.mintRefreshTokens(Number(process.env.REFRESH ?? 0))).map(
  (token) => `grant_type=refresh_token&refresh_token=${token}`,
);
writeFileSync(
  process.argv[2] ?? '/tmp/callgrind-fixture.json',
  JSON.stringify({ databaseUrl: database.url, basic: fixture.basic, access, codeBodies, refreshBodies }),
);
await fixture.close();
