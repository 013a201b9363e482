import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/paths.js';
import type { LoadJob, LoadMessage, RunFigures } from './load-process.js';

// One load case: autocannon, in a process of its own (load-process.ts), with a warm-up whose
// figures are dropped (but whose failures count).

/** A load, as data: it goes to the load generator's process. */
export interface LoadSpec {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
  /**
   * Bodies each sent once, in order, warm-up included (codes and refresh tokens are each usable
   * once). Running out is reported (LoadFigures.exhausted), and the requests after it fail.
   */
  bodies?: string[];
  /**
   * Requests that each connection goes through in turn, again and again (tokens that can be
   * presented many times). autocannon builds these once, as it does the references' fixed request,
   * so the load generator, on the same two cores as the server, spends no more per request on them;
   * `bodies` rebuilds every request.
   */
  rotate?: { body?: string; headers?: Record<string, string> }[];
  /** Text every 2xx body must hold (a token response "access_token", ...): other answers are failures. */
  expect: string;
}

export interface LoadSettings {
  connections: number;
  warmupSeconds: number;
  seconds: number;
}

export interface LoadFigures {
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  requests: number;
  /** CPU time of the server process per request (user + system), in microseconds. */
  serverCpuMicrosPerRequest: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  mismatches: number;
  statusCodes: Record<string, number>;
  /** Failures during the warm-up: they count against the run as much as the measured ones. */
  warmupFailures: number;
  /** Requests sent after the single-use bodies ran out (they fail as well). */
  exhausted?: number;
  /**
   * The share of the machine's CPU time the hypervisor gave to other machines while the case ran
   * ("steal" in /proc/stat), in percent; absent where the kernel does not tell.
   */
  stealPercent?: number;
}

/** The machine's CPU time so far, all CPUs, in clock ticks (Linux /proc/stat). */
function cpuTicks(): { steal: number; idle: number; total: number } | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]
      ?.trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    if (!fields || fields.length < 8 || fields.some(Number.isNaN)) return undefined;
    // user nice system idle iowait irq softirq steal (guest time is counted in user already)
    const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
    return { steal: fields[7] ?? 0, idle: (fields[3] ?? 0) + (fields[4] ?? 0), total };
  } catch {
    return undefined;
  }
}

/** The machine counts as quiet below this share of its CPU time busy, over half a second. */
const QUIET_BUSY_SHARE = 0.1;
const SETTLE_LIMIT_MS = 30_000;

/**
 * Waits until the machine is quiet: what a case leaves behind (our WAL checkpoints, PostgreSQL's
 * writer and autovacuum after a hundred thousand writes) would otherwise run during the next
 * measurement, the reference's included, and be counted against it. Returns the seconds waited, or
 * undefined if the machine was still busy after SETTLE_LIMIT_MS (the measurement goes on; it says so).
 */
export async function settle(): Promise<number | undefined> {
  const started = Date.now();
  let previous = cpuTicks();
  while (previous && Date.now() - started < SETTLE_LIMIT_MS) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const now = cpuTicks();
    if (!now || now.total <= previous.total) return undefined;
    const busy = 1 - (now.idle - previous.idle) / (now.total - previous.total);
    if (busy < QUIET_BUSY_SHARE) return (Date.now() - started) / 1000;
    previous = now;
  }
  return undefined;
}

export function failuresOf(figures: LoadFigures): number {
  return figures.non2xx + figures.errors + figures.timeouts + figures.mismatches + figures.warmupFailures;
}

/** Server CPU per measured request: steadier than req/s on a machine shared with other work. */
export interface CpuMeter {
  cpuMicros(): number;
}

export async function drive(
  url: string,
  spec: LoadSpec,
  settings: LoadSettings,
  server?: CpuMeter,
): Promise<LoadFigures> {
  const waited = await settle();
  if (waited === undefined)
    console.log('  (the machine did not become quiet within 30 s: measured all the same)');
  else if (waited > 1) console.log(`  (waited ${waited.toFixed(1)} s for the machine to become quiet)`);

  let cpuBefore = 0;
  let ticksBefore: ReturnType<typeof cpuTicks>;
  let warmupFailures = 0;
  const { result, exhausted } = await inLoadProcess({ url, spec, settings }, (failures) => {
    // Between the warm-up and the measured run: the server's CPU and the machine's ticks from here.
    warmupFailures = failures;
    cpuBefore = server?.cpuMicros() ?? 0;
    ticksBefore = cpuTicks();
  });
  const cpu = (server?.cpuMicros() ?? 0) - cpuBefore;
  const ticksAfter = cpuTicks();
  const stealPercent =
    ticksBefore && ticksAfter && ticksAfter.total > ticksBefore.total
      ? Math.round(((ticksAfter.steal - ticksBefore.steal) / (ticksAfter.total - ticksBefore.total)) * 1000) /
        10
      : undefined;
  const statusCodes: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = count;
  return {
    requestsPerSecond: Math.round(result.requests.average),
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    requests: result.requests.total,
    serverCpuMicrosPerRequest:
      server && result.requests.total > 0 ? Math.round(cpu / result.requests.total) : 0,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    mismatches: result.mismatches,
    statusCodes,
    warmupFailures,
    ...(exhausted > 0 ? { exhausted } : {}),
    ...(stealPercent === undefined ? {} : { stealPercent }),
  };
}

const LOAD_PROCESS = join(PROJECT_ROOT, 'bench', 'lib', 'load-process.ts');

/** Runs a load in a new process; `warmed` is called between its warm-up and its measured run. */
function inLoadProcess(
  job: LoadJob,
  warmed: (failures: number) => void,
): Promise<{ result: RunFigures; exhausted: number }> {
  return new Promise((resolve, reject) => {
    const child = fork(LOAD_PROCESS, [], {
      execArgv: ['--import', 'tsx'],
      cwd: PROJECT_ROOT,
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let measured: { result: RunFigures; exhausted: number } | undefined;
    child.on('message', (message: LoadMessage) => {
      if (message.type === 'warmed') {
        warmed(message.failures);
        child.send('go');
      } else {
        measured = { result: message.result, exhausted: message.exhausted };
      }
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (measured) resolve(measured);
      else reject(new Error(`the load generator exited with ${code} before it reported`));
    });
    child.send(job);
  });
}
