import autocannon, { type RequestSpec } from 'autocannon';

// One load case: autocannon with a warm-up whose figures are dropped (but whose failures count).

export interface LoadSpec {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** What changes from one request to the next (codes and refresh tokens are each usable once). */
  vary?: () => { body?: string; headers?: Record<string, string> };
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
    return autocannon({
      url,
      connections: settings.connections,
      duration: seconds,
      timeout: 10,
      requests: [request],
      verifyBody: spec.verifyBody,
    });
  };
  const warmup = await run(settings.warmupSeconds);
  const cpuBefore = server?.cpuMicros() ?? 0;
  const result = await run(settings.seconds);
  const cpu = (server?.cpuMicros() ?? 0) - cpuBefore;
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
  };
}
