// The floor to compare against: Fastify 5 with one JSON route, no logger, no plugins.
import Fastify from 'fastify';

// BENCH_WORK_US: the route first spends that many microseconds of CPU (the calibration run: what a
// server doing a little more work than the bare route per request gets on this machine).
const workMicros = Number(process.env.BENCH_WORK_US ?? 0);

const app = Fastify({ logger: false });
app.get('/', async () => {
  if (workMicros > 0) {
    const end = performance.now() + workMicros / 1000;
    while (performance.now() < end) {}
  }
  return { hello: 'world' };
});
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
