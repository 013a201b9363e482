import { writeFileSync } from 'node:fs';
import { createBenchDatabase, prepareFixture, REDIRECT_URI } from '../lib/ours.js';

// A throwaway SQLite database for run.sh: the bench's client and user, one access token, and
// CODES codes as ready-made token-endpoint bodies. Written to the file named by the first argument.

const database = await createBenchDatabase('sqlite');
const fixture = await prepareFixture(database);
const [access] = await fixture.mintAccessTokens(1);
const codes = await fixture.mintCodes(Number(process.env.CODES ?? 0));
const codeBodies = codes.map(
  ({ code, verifier }) =>
    `grant_type=authorization_code&code=${code}&redirect_uri=${encodeURIComponent(REDIRECT_URI)}&code_verifier=${verifier}`,
);
writeFileSync(
  process.argv[2] ?? '/tmp/callgrind-fixture.json',
  JSON.stringify({ databaseUrl: database.url, basic: fixture.basic, access, codeBodies }),
);
await fixture.close();
