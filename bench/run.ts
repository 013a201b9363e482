import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { DatabaseKind } from '../src/config.js';
import { PROJECT_ROOT } from '../src/paths.js';
import { drive, failuresOf, type LoadFigures, type LoadSpec } from './lib/load.js';
import {
  type BenchOptions,
  benchOptions,
  OptionError,
  OUR_CASES,
  type OurCase,
  USAGE,
} from './lib/options.js';
import {
  type BenchDatabase,
  codeExchangeBody,
  createBenchDatabase,
  type Fixture,
  postgresReachable,
  prepareFixture,
  refreshBody,
} from './lib/ours.js';
import { type Server, startServer } from './lib/processes.js';
import {
  type Adjacent,
  type AdjacentRound,
  addRatios,
  type CaseResult,
  combineFigures,
  evaluateTargets,
  markdownTable,
  printTable,
  printTargets,
  references as referenceMeans,
} from './lib/report.js';

// `npm run bench`: in one run, on this machine, a bare Fastify route, node-oidc-provider and our
// server (SQLite, and PostgreSQL when reachable), each a child process driven by autocannon.
// Options: `npm run bench -- --help` (bench/lib/options.ts).

let options: BenchOptions;
try {
  options = benchOptions(process.argv.slice(2), process.env);
} catch (error) {
  if (!(error instanceof OptionError)) throw error;
  console.error(`npm run bench: ${error.message}`);
  process.exit(2);
}
if (options.help) {
  console.log(USAGE);
  process.exit(0);
}
const { settings } = options;

const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const resultsDir = join(PROJECT_ROOT, 'bench', 'results');
mkdirSync(resultsDir, { recursive: true });
const profileDir = join(resultsDir, 'profiles', stamp);
const logDir = join(resultsDir, 'logs', stamp);
if (options.keepLogs) mkdirSync(logDir, { recursive: true });

/**
 * Our server runs as in production (`node dist/main.js`), from a build of its own under
 * bench/results/build, so the benchmark neither needs nor disturbs the project's dist/.
 */
function buildServer(): string {
  const root = join(resultsDir, 'build');
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const started = Date.now();
  const tsc = spawnSync(
    process.execPath,
    [
      join(PROJECT_ROOT, 'node_modules/typescript/bin/tsc'),
      '-p',
      'tsconfig.build.json',
      '--outDir',
      join(root, 'dist'),
    ],
    { cwd: PROJECT_ROOT, encoding: 'utf8' },
  );
  if (tsc.status !== 0) {
    console.log(`tsc reported problems (the build is used as emitted):\n${tsc.stdout.slice(0, 2000)}`);
  }
  // PROJECT_ROOT of the build is its parent folder: it finds views/ and prisma/ there.
  for (const name of ['views', 'prisma']) symlinkSync(join(PROJECT_ROOT, name), join(root, name));
  console.log(`Built the server in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return join(root, 'dist', 'main.js');
}

const CALIBRATION_WORK_MICROS = 10;
/** Rounds of each case whose target compares it with the bare route (bracketed). */
const BARE_ROUNDS = options.rounds;
const CLIENT_ID = 'bench-client';
const CLIENT_SECRET = randomBytes(32).toString('base64url');
const form = (basic: string) => ({
  'content-type': 'application/x-www-form-urlencoded',
  authorization: basic,
});

const results: CaseResult[] = [];

async function measure(server: Server, result: CaseResult, spec: LoadSpec): Promise<CaseResult> {
  server.resetPeak();
  result.figures = await runOnce(server, result, spec);
  result.peakRssMiB = server.peakRssMiB();
  results.push(result);
  return result;
}

/** One run of a case (warm-up, then the measured seconds), printed as it ends. */
async function runOnce(server: Server, result: CaseResult, spec: LoadSpec, label = ''): Promise<LoadFigures> {
  console.log(`… ${result.server} ${result.database} ${result.case}${label}`);
  const figures = await drive(server.url, spec, settings, server);
  if (figures.exhausted) {
    result.problem = `ran out of ${spec.bodies?.length} pre-minted values: ${figures.exhausted} requests reused nothing and failed`;
  }
  const failures = failuresOf(figures);
  console.log(
    `  ${figures.requestsPerSecond} req/s, p50 ${figures.latencyP50Ms} ms, p99 ${figures.latencyP99Ms} ms, ` +
      `peak RSS ${server.peakRssMiB()} MiB, server CPU ${figures.serverCpuMicrosPerRequest} µs/request, steal ${figures.stealPercent ?? '-'} %${failures ? `, ${failures} FAILED responses ${JSON.stringify(figures.statusCodes)}` : ''}`,
  );
  return figures;
}

const BARE_LOAD: LoadSpec = { method: 'GET', path: '/', headers: {}, expect: '"hello"' };
const PEER_LOAD: LoadSpec = {
  method: 'POST',
  path: '/token',
  headers: form(`Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`),
  body: 'grant_type=client_credentials&scope=read',
  expect: '"access_token"',
};

function startBare(workMicros = 0): Promise<Server> {
  return startServer({
    name: 'bare',
    args: [join(PROJECT_ROOT, 'bench/servers/bare.mjs')],
    env: { BENCH_WORK_US: String(workMicros) },
    readyPath: '/',
  });
}

function startPeer(): Promise<Server> {
  return startServer({
    name: 'oidc-provider',
    args: [join(PROJECT_ROOT, 'bench/servers/oidc-provider.mjs')],
    env: { BENCH_CLIENT_ID: CLIENT_ID, BENCH_CLIENT_SECRET: CLIENT_SECRET, NODE_ENV: 'production' },
    readyPath: '/.well-known/openid-configuration',
  });
}

/**
 * The two references run for the whole benchmark, idle while they are not measured: each is measured
 * first and last, and again right before and right after each of our cases that a target compares
 * with it. On these shared machines the speed drifts by a third within minutes (measured: the same
 * build's introspection at 46 and 76 µs of CPU a request a quarter of an hour apart), so a ratio to
 * references measured minutes away says as much about the drift as about the server.
 */
type References = Record<Adjacent['kind'], { server: Server; load: LoadSpec; label: string }>;

async function measureReference(references: References, kind: Adjacent['kind'], when: string) {
  const { server, load } = references[kind];
  const result: CaseResult =
    kind === 'bare'
      ? { server: 'bare-fastify', database: '-', case: `GET / (${when})` }
      : { server: 'oidc-provider', database: '-', case: `client_credentials (${when})` };
  return measure(server, result, load);
}

/**
 * Our case between runs of its reference, in `rounds` rounds: reference, case, reference, case, ...,
 * reference. The target uses the median of the rounds' ratios, each to the reference's runs right
 * around that round: on these machines the speed also changes within a minute, and one slow or fast
 * patch then moves one round, not the verdict. The row's figures combine the rounds (combineFigures).
 */
async function bracketed(
  references: References,
  kind: Adjacent['kind'],
  server: Server,
  result: CaseResult,
  spec: LoadSpec,
  rounds: number,
): Promise<CaseResult> {
  server.resetPeak();
  const runs: AdjacentRound[] = [];
  const figures: LoadFigures[] = [];
  let before = await measureReferenceQuietly(references, kind);
  for (let round = 1; round <= rounds; round++) {
    const label = rounds > 1 ? ` (round ${round} of ${rounds})` : '';
    const measured = await runOnce(server, result, spec, label);
    const after = await measureReferenceQuietly(references, kind);
    runs.push({ before, rate: measured.requestsPerSecond, after });
    figures.push(measured);
    before = after;
  }
  result.figures = combineFigures(figures);
  result.peakRssMiB = server.peakRssMiB();
  const first = runs[0] as AdjacentRound;
  const last = runs[runs.length - 1] as AdjacentRound;
  result.adjacent = {
    kind,
    before: first.before,
    after: last.after,
    ...(rounds > 1 ? { rounds: runs } : {}),
  };
  results.push(result);
  return result;
}

/** A reference run for a bracket: printed, but not a row of the table. */
async function measureReferenceQuietly(references: References, kind: Adjacent['kind']): Promise<number> {
  const { server, load, label } = references[kind];
  const figures = await drive(server.url, load, settings, server);
  const failures = failuresOf(figures);
  if (failures > 0) throw new Error(`the ${label} failed ${failures} requests: no ratio can be made`);
  console.log(`  (${label}: ${figures.requestsPerSecond} req/s)`);
  return figures.requestsPerSecond;
}

async function benchCalibration(): Promise<void> {
  const server = await startBare(CALIBRATION_WORK_MICROS);
  try {
    await measure(
      server,
      { server: 'bare-fastify-work', database: '-', case: `GET / + ${CALIBRATION_WORK_MICROS} µs of CPU` },
      BARE_LOAD,
    );
  } finally {
    await server.stop();
  }
}

/** Our server on one database, with its fixture; both databases' run side by side (main). */
interface Ours {
  kind: DatabaseKind;
  database: BenchDatabase;
  fixture: Fixture;
  server: Server;
  /** The client_credentials rate, which sizes the single-use values minted for the later cases. */
  expectedRate: number;
}

async function startOurs(kind: DatabaseKind, main: string): Promise<Ours> {
  const database: BenchDatabase = await createBenchDatabase(kind);
  try {
    console.log(`\nSetting up appointman on ${kind}`);
    const fixture = await prepareFixture(database);
    const profileArgs = options.profile ? ['--cpu-prof', '--cpu-prof-dir', join(profileDir, kind)] : [];
    const server = await startServer({
      name: `appointman-${kind}`,
      args: [...profileArgs, main],
      env: {
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        DATABASE_URL: database.url,
        DATA_DIR: join(resultsDir, 'data'),
        SESSION_SECRET: randomBytes(32).toString('base64url'),
        // The production default, info, logs every request (to /dev/null unless --keep-logs).
        LOG_LEVEL: options.logLevel,
        AUTHORIZATION_CODE_LIFETIME: '600',
      },
      readyPath: '/healthz',
      logFile: options.keepLogs ? join(logDir, `appointman-${kind}.log`) : undefined,
    });
    return { kind, database, fixture, server, expectedRate: 8000 };
  } catch (error) {
    await database.drop();
    throw error;
  }
}

async function stopOurs(ours: Ours): Promise<void> {
  await ours.server.stop();
  await ours.fixture.close();
  await ours.database.drop();
}

/**
 * One of our cases on one database. On SQLite, whose figures the targets compare with a reference,
 * the case runs between two runs of that reference.
 */
async function runCase(ours: Ours, name: OurCase, references: References): Promise<void> {
  const { fixture, server } = ours;
  const basic = fixture.basic;
  // Enough single-use values for warm-up and measurement at well above the issuance rate.
  const needed = () =>
    Math.ceil(ours.expectedRate * (settings.warmupSeconds + settings.seconds) * 1.6) + 1000;
  const result: CaseResult = { server: 'appointman', database: ours.kind, case: name };
  // The cases compared with the bare route run in rounds; those compared with oidc-provider spend
  // values minted for one run (codes, refresh tokens), and run once.
  const run = (reference: Adjacent['kind'], spec: LoadSpec) =>
    ours.kind === 'sqlite'
      ? bracketed(references, reference, server, result, spec, reference === 'bare' ? BARE_ROUNDS : 1)
      : measure(server, result, spec);

  /** A token request case in which each request spends one of the values minted here (codes, refresh tokens). */
  const spending = async (what: string, mintBodies: (count: number) => Promise<string[]>) => {
    const count = needed();
    const started = Date.now();
    const bodies = await mintBodies(count);
    console.log(
      `  minted ${count} ${what} on ${ours.kind} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    await run('peer', {
      method: 'POST',
      path: '/oauth/token',
      headers: form(basic),
      bodies,
      expect: '"refresh_token"',
    });
  };

  if (name === 'client_credentials') {
    const measured = await run('peer', {
      method: 'POST',
      path: '/oauth/token',
      headers: form(basic),
      body: 'grant_type=client_credentials&scope=read',
      expect: '"access_token"',
    });
    ours.expectedRate = Math.max(measured.figures?.requestsPerSecond ?? 0, 2000);
  } else if (name === 'authorization_code') {
    await spending('codes', async (count) => (await fixture.mintCodes(count)).map(codeExchangeBody));
  } else if (name === 'refresh_token') {
    await spending('refresh tokens', async (count) =>
      (await fixture.mintRefreshTokens(count)).map(refreshBody),
    );
  } else {
    // Many users' tokens, as in real traffic, each presented many times.
    const tokens = await fixture.mintAccessTokens(2000);
    if (name === 'GET /api/v1/me') {
      await run('bare', {
        method: 'GET',
        path: '/api/v1/me',
        headers: {},
        rotate: tokens.map((token) => ({ headers: { authorization: `Bearer ${token}` } })),
        expect: '"username"',
      });
    } else {
      await run('bare', {
        method: 'POST',
        path: '/oauth/introspect',
        headers: form(basic),
        rotate: tokens.map((token) => ({ body: `token=${token}&token_type_hint=access_token` })),
        expect: '"active":true',
      });
    }
  }
}

async function main(): Promise<void> {
  console.log(
    `Benchmark: ${settings.connections} connections, ${settings.warmupSeconds} s warm-up + ${settings.seconds} s per case, ` +
      `${cpus().length} CPUs, Node ${process.version}`,
  );
  const main = buildServer();
  // The references run first and again last (the table's ratios use their mean), and around each of
  // our cases that a target compares with them (the targets use those: References, above).
  const references: References = {
    bare: { server: await startBare(), load: BARE_LOAD, label: 'bare route' },
    peer: { server: await startPeer(), load: PEER_LOAD, label: 'oidc-provider client_credentials' },
  };
  try {
    await measureReference(references, 'bare', 'first');
    // Calibration: the bare route plus 10 µs of CPU per request. On these machines a server that is
    // slower than its client pays for waking the client on every response, so the ratio to the bare
    // route falls faster than the work grows; this row shows what 10 µs more costs.
    if (options.calibration) await benchCalibration();
    await measureReference(references, 'peer', 'first');
    // Both databases' servers run side by side, and each case runs on one right after the other: the
    // PostgreSQL ÷ SQLite ratios compare figures measured a minute apart, not ten.
    const servers: Ours[] = [];
    try {
      for (const kind of ['sqlite', 'postgresql'] as const) {
        if (!options.databases.includes(kind)) continue;
        if (kind === 'postgresql' && !(await postgresReachable())) {
          console.log('\nPostgreSQL is not reachable: its cases are skipped.');
          results.push({
            server: 'appointman',
            database: kind,
            case: '*',
            skipped: 'PostgreSQL not reachable',
          });
          continue;
        }
        servers.push(await startOurs(kind, main));
      }
      for (const name of OUR_CASES) {
        if (!options.cases.has(name)) continue;
        for (const ours of servers) await runCase(ours, name, references);
      }
    } finally {
      for (const ours of servers) await stopOurs(ours);
    }
    await measureReference(references, 'peer', 'last');
    await measureReference(references, 'bare', 'last');
  } finally {
    await Promise.all([references.bare.server.stop(), references.peer.server.stop()]);
  }
  // Our rows, measured case by case on both databases, are listed database by database.
  const ourRows = results.filter((r) => r.server === 'appointman');
  const first = ourRows[0];
  if (first) {
    results.splice(
      results.indexOf(first),
      ourRows.length,
      ...ourRows.filter((r) => r.database === 'sqlite'),
      ...ourRows.filter((r) => r.database !== 'sqlite'),
    );
  }
  addRatios(results);
  const reference = referenceMeans(results);
  printTable(results);
  console.log(
    `\n×peer cc and ×bare are to the mean of each reference's first and last runs: bare route ${reference.bare} req/s, ` +
      `oidc-provider client_credentials ${reference.peer} req/s. ×adjacent (and the targets) are to the ` +
      "reference's runs right before and right after the case; for a case run in rounds, the median of its " +
      "rounds' ratios, each to the runs right around that round.",
  );
  const targets = evaluateTargets(results);
  printTargets(targets);

  const failed = results.filter((r) => (r.figures && failuresOf(r.figures) > 0) || r.problem);
  const file = join(resultsDir, `${stamp}.json`);
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        startedAt: stamp,
        machine: {
          cpus: cpus().length,
          cpuModel: cpus()[0]?.model,
          memoryGiB: Math.round(totalmem() / 2 ** 30),
          node: process.version,
        },
        settings,
        references: reference,
        results,
        targets,
        markdown: markdownTable(results),
        failed: failed.map((r) => `${r.server} ${r.database} ${r.case}`),
      },
      null,
      2,
    )}\n`,
  );
  console.log(`\nResults: ${file}`);
  if (options.profile)
    console.log(`CPU profiles: ${profileDir} (summarise: npx tsx bench/profile.ts <file>)`);

  if (failed.length > 0) {
    console.error('\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!');
    console.error('!! BENCHMARK FAILED: some responses were not successes.');
    console.error('!! Errors are not throughput: the figures of these cases are void.');
    for (const r of failed) {
      console.error(
        `!!   ${r.server} ${r.database} ${r.case}: ${r.figures ? failuresOf(r.figures) : 0} failures ${JSON.stringify(r.figures?.statusCodes ?? {})}${r.problem ? `; ${r.problem}` : ''}`,
      );
    }
    console.error('!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!');
    process.exit(1);
  }
  if (options.strict && targets.some((t) => !t.met)) process.exit(2);
}

main().catch((error: unknown) => {
  console.error(`benchmark aborted: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
