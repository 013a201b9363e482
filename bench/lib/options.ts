import { parseArgs } from 'node:util';
import type { DatabaseKind } from '../../src/config.js';
import type { LoadSettings } from './load.js';

// `npm run bench`'s options, from the command line or the environment (the command line wins).
// A mistyped option or value stops the run before anything starts, with one plain line.

export const OUR_CASES = [
  'client_credentials',
  'authorization_code',
  'refresh_token',
  'GET /api/v1/me',
  'introspection',
] as const;
export type OurCase = (typeof OUR_CASES)[number];

const DATABASES: readonly DatabaseKind[] = ['sqlite', 'postgresql'];
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export const USAGE = `Usage: npm run bench -- [options]

  --seconds N         measured seconds per case (5; 20 with --long)      BENCH_SECONDS
  --warmup N          warm-up seconds per case (2; 5 with --long)        BENCH_WARMUP
  --long              20 s per case after a 5 s warm-up
  --connections N     autocannon connections (50)                        BENCH_CONNECTIONS
  --rounds N          rounds of the cases compared with the bare route (3)  BENCH_ROUNDS
  --databases LIST    sqlite,postgresql (PostgreSQL only when reachable)  BENCH_DATABASES
  --cases LIST        ${OUR_CASES.join(',')}  BENCH_CASES
  --no-calibration    skip the bare route + 10 µs of CPU row              BENCH_CALIBRATION=0
  --profile           node --cpu-prof on our server                       BENCH_PROFILE=1
  --keep-logs         keep the servers' logs under bench/results/logs     BENCH_KEEP_LOGS=1
  --log-level LEVEL   our server's log level (info, the production default)  BENCH_LOG_LEVEL
  --strict            exit 2 when a target is missed
  --help              this text`;

export interface BenchOptions {
  help: boolean;
  settings: LoadSettings;
  rounds: number;
  cases: ReadonlySet<OurCase>;
  databases: readonly DatabaseKind[];
  calibration: boolean;
  profile: boolean;
  keepLogs: boolean;
  logLevel: string;
  strict: boolean;
}

/** A problem with the options, meant to be printed as it is. */
export class OptionError extends Error {}

export function benchOptions(argv: string[], env: NodeJS.ProcessEnv): BenchOptions {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (error) {
    // parseArgs' own messages are one line each, e.g. "Unknown option '--secs'".
    throw new OptionError(
      `${(error as Error).message.split('\n')[0]} (npm run bench -- --help lists the options)`,
    );
  }
  const long = values.long;
  return {
    help: values.help,
    settings: {
      connections: count('connections', values.connections ?? env.BENCH_CONNECTIONS, 50),
      warmupSeconds: count('warmup', values.warmup ?? env.BENCH_WARMUP, long ? 5 : 2, 0),
      seconds: count('seconds', values.seconds ?? env.BENCH_SECONDS, long ? 20 : 5),
    },
    rounds: count('rounds', values.rounds ?? env.BENCH_ROUNDS, 3),
    cases: new Set(list('cases', values.cases ?? env.BENCH_CASES, OUR_CASES)),
    databases: list('databases', values.databases ?? env.BENCH_DATABASES, DATABASES),
    calibration: !(values['no-calibration'] || env.BENCH_CALIBRATION === '0'),
    profile: values.profile || env.BENCH_PROFILE === '1',
    keepLogs: values['keep-logs'] || env.BENCH_KEEP_LOGS === '1',
    logLevel: oneOf('log-level', values['log-level'] ?? env.BENCH_LOG_LEVEL ?? 'info', LOG_LEVELS),
    strict: values.strict,
  };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      help: { type: 'boolean', default: false },
      long: { type: 'boolean', default: false },
      seconds: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      rounds: { type: 'string' },
      databases: { type: 'string' },
      cases: { type: 'string' },
      profile: { type: 'boolean', default: false },
      'keep-logs': { type: 'boolean', default: false },
      strict: { type: 'boolean', default: false },
      'log-level': { type: 'string' },
      'no-calibration': { type: 'boolean', default: false },
    },
  });
}

/** A whole number, at least `min`. */
function count(name: string, text: string | undefined, fallback: number, min = 1): number {
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) {
    throw new OptionError(`--${name} must be a whole number of at least ${min}, not ${JSON.stringify(text)}`);
  }
  return value;
}

function oneOf<T extends string>(name: string, text: string, allowed: readonly T[]): T {
  if (!allowed.includes(text as T)) {
    throw new OptionError(`--${name} must be one of ${allowed.join(', ')}, not ${JSON.stringify(text)}`);
  }
  return text as T;
}

/** A comma-separated choice from `allowed`, all of it when not given. */
function list<T extends string>(name: string, text: string | undefined, allowed: readonly T[]): T[] {
  if (text === undefined || text.trim() === '') return [...allowed];
  return text.split(',').map((item) => oneOf(name, item.trim(), allowed));
}
