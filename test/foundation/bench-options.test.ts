import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { benchOptions, OptionError, OUR_CASES } from '../../bench/lib/options.js';
import { PROJECT_ROOT } from '../../src/paths.js';

// `npm run bench`'s options (bench/lib/options.ts): the defaults the README's figures use, the
// environment under the command line, and a mistyped option stopping the run with one plain line.

describe('bench options', () => {
  it('defaults to 50 connections, 2 + 5 s per case, 3 rounds, every case on both databases', () => {
    const options = benchOptions([], {});
    expect(options.settings).toEqual({ connections: 50, warmupSeconds: 2, seconds: 5 });
    expect(options.rounds).toBe(3);
    expect([...options.cases]).toEqual([...OUR_CASES]);
    expect(options.databases).toEqual(['sqlite', 'postgresql']);
    expect(options.calibration).toBe(true);
    expect(options.logLevel).toBe('info');
  });

  it('takes the environment, and the command line over it', () => {
    const env = { BENCH_SECONDS: '8', BENCH_CASES: 'introspection', BENCH_CALIBRATION: '0' };
    expect(benchOptions([], env).settings.seconds).toBe(8);
    expect(benchOptions(['--seconds', '3'], env).settings.seconds).toBe(3);
    expect([...benchOptions([], env).cases]).toEqual(['introspection']);
    expect(benchOptions([], env).calibration).toBe(false);
    const long = benchOptions(['--long', '--cases', 'GET /api/v1/me, refresh_token'], {});
    expect(long.settings).toEqual({ connections: 50, warmupSeconds: 5, seconds: 20 });
    expect([...long.cases]).toEqual(['GET /api/v1/me', 'refresh_token']);
  });

  it.each([
    [['--secs', '3'], /Unknown option '--secs'/],
    [['--seconds', 'abc'], /--seconds must be a whole number of at least 1, not "abc"/],
    [['--rounds', '0'], /--rounds must be a whole number of at least 1/],
    [['--cases', 'client_credentials,implicit'], /--cases must be one of .*, not "implicit"/],
    [['--databases', 'mysql'], /--databases must be one of sqlite, postgresql, not "mysql"/],
    [['--log-level', 'loud'], /--log-level must be one of/],
    [['now'], /Unexpected argument 'now'/],
  ])('refuses %j with a plain message', (argv, message) => {
    expect(() => benchOptions(argv, {})).toThrow(OptionError);
    expect(() => benchOptions(argv, {})).toThrow(message);
  });

  it('stops `npm run bench` with one line on stderr and exit status 2, before starting anything', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--seconds', 'five'], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
    });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toEqual([
      'npm run bench: --seconds must be a whole number of at least 1, not "five"',
    ]);
  });
});
