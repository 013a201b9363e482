import autocannon, { type RequestSpec, type Result } from 'autocannon';
import type { LoadSettings, LoadSpec } from './load.js';

// The load generator of one measurement, in a process of its own (load.ts starts it with fork):
// autocannon's warm-up, then, when the parent says so, the measured run. A fresh process each time,
// as an independent load test uses: nothing the benchmark's own process holds or does (fixtures, the
// storage it mints codes through, its timers) shares a thread or a heap with the load generator.

export interface LoadJob {
  url: string;
  spec: LoadSpec;
  settings: LoadSettings;
}

/** What the parent hears: the warm-up is done (with its failures), then the measured run's figures. */
export type LoadMessage =
  | { type: 'warmed'; failures: number }
  | { type: 'measured'; result: RunFigures; exhausted: number };

/** The part of autocannon's result that load.ts reports. */
export type RunFigures = Pick<
  Result,
  'requests' | 'latency' | 'errors' | 'timeouts' | 'mismatches' | 'non2xx' | 'statusCodeStats'
>;

function requestsOf(spec: LoadSpec, nextBody: () => string): RequestSpec[] {
  const request: RequestSpec = {
    method: spec.method,
    path: spec.path,
    headers: spec.headers,
    body: spec.body,
  };
  if (spec.bodies) request.setupRequest = (raw) => ({ ...raw, body: nextBody() });
  return spec.rotate
    ? spec.rotate.map((changes) => ({
        ...request,
        body: changes.body ?? request.body,
        headers: changes.headers ? { ...request.headers, ...changes.headers } : request.headers,
      }))
    : [request];
}

async function main(job: LoadJob): Promise<void> {
  const { url, spec, settings } = job;
  // Single-use bodies go once each, warm-up included; running out is counted, never papered over.
  let next = 0;
  let exhausted = 0;
  const nextBody = () => {
    const body = spec.bodies?.[next++];
    if (body !== undefined) return body;
    exhausted++;
    return 'exhausted';
  };
  const requests = requestsOf(spec, nextBody);
  const run = (seconds: number) =>
    autocannon({
      url,
      connections: settings.connections,
      duration: seconds,
      timeout: 10,
      requests,
      verifyBody: (body) => body.includes(spec.expect),
    });
  const send = (message: LoadMessage) =>
    new Promise<void>((resolve) => process.send?.(message, undefined, {}, () => resolve()));

  const warmup = await run(settings.warmupSeconds);
  const go = new Promise<void>((resolve) => process.once('message', () => resolve()));
  await send({
    type: 'warmed',
    failures: warmup.non2xx + warmup.errors + warmup.timeouts + warmup.mismatches,
  });
  await go;
  const result = await run(settings.seconds);
  const { requests: rates, latency, errors, timeouts, mismatches, non2xx, statusCodeStats } = result;
  await send({
    type: 'measured',
    result: { requests: rates, latency, errors, timeouts, mismatches, non2xx, statusCodeStats },
    exhausted,
  });
  process.disconnect();
}

process.once('message', (job: LoadJob) => {
  main(job).catch((error: unknown) => {
    console.error(`load generator failed: ${(error as Error).stack ?? String(error)}`);
    process.exit(1);
  });
});
