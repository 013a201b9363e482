// For Prisma's own CLI where its native engine is available (`prisma migrate status|deploy`):
// the schema and migrations folder follow DATABASE_URL, as the server's do.
import { defineConfig } from 'prisma/config';

const url = process.env.DATABASE_URL || 'file:./data/appointman.db';
const provider = /^postgres(ql)?:\/\//.test(url) ? 'postgresql' : 'sqlite';

export default defineConfig({
  schema: `prisma/${provider}`,
  migrations: { path: `prisma/${provider}/migrations` },
  datasource: { url },
});
