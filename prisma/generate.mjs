// Generates the Prisma client for each database (run by `npm install`).
// Prisma's CLI downloads a native schema engine at start unless PRISMA_SCHEMA_ENGINE_BINARY names
// an executable; `generate` never runs it, and the download fails on machines without internet.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

const prismaCli = createRequire(import.meta.url).resolve('prisma/build/index.js');
const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY || process.execPath,
};
for (const provider of ['sqlite', 'postgresql']) {
  execFileSync(process.execPath, [prismaCli, 'generate', '--schema', `prisma/${provider}`], {
    env,
    stdio: 'inherit',
  });
}
