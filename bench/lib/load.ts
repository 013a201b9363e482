import { readFileSync } from 'node:fs';
import autocannon, { type RequestSpec } from 'autocannon';

// One load case: autocannon with a warm-up whose figures are dropped (but whose failures count).

export interface LoadSpec {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** What changes from one request to the next (codes and refresh tokens are each usable once). */
  vary?: () => { body?: string; headers?: Record<string, string> };
  /**
   * Requests that each connection goes through in turn, again and again (tokens that can be
   * presented many times). autocannon builds these once, as it does the references' fixed request,
   * so the load generator, on the same two cores as the server, spends no more per request on them;
   * `vary` rebuilds every request.
   */
  rotate?: { body?: string; headers?: Record<string, string> }[];
  /** Whether a 2xx body is the expected answer (a token response carries access_token, ...). */
  verifyBody: (body: string) => boolean;
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
  const run = (seconds: number) => {
    const { vary } = spec;
    const request: RequestSpec = {
      method: spec.method,
      path: spec.path,
      headers: spec.headers,
      body: spec.body,
    };
    if (vary) {
      request.setupRequest = (raw) => {
        const changes = vary();
        return {
          ...raw,
          body: changes.body ?? raw.body,
          headers: changes.headers ? { ...raw.headers, ...changes.headers } : raw.headers,
        };
      };
    }
    const requests = spec.rotate
      ? spec.rotate.map((changes) => ({
          ...request,
          body: changes.body ?? request.body,
          headers: changes.headers ? { ...request.headers, ...changes.headers } : request.headers,
        }))
      : [request];
    return autocannon({
      url,
      connections: settings.connections,
      duration: seconds,
      timeout: 10,
      requests,
      verifyBody: spec.verifyBody,
    });
  };
  const waited = await settle();
  if (waited === undefined)
    console.log('  (the machine did not become quiet within 30 s: measured all the same)');
  else if (waited > 1) console.log(`  (waited ${waited.toFixed(1)} s for the machine to become quiet)`);
  const warmup = await run(settings.warmupSeconds);
  const cpuBefore = server?.cpuMicros() ?? 0;
  const ticksBefore = cpuTicks();
  const result = await run(settings.seconds);
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
    warmupFailures: warmup.non2xx + warmup.errors + warmup.timeouts + warmup.mismatches,
    ...(stealPercent === undefined ? {} : { stealPercent }),
  };
}
