// node load.mjs <port> <case> <first> <count> [fixture.json]: <count> requests of one case, ten at a
// time (or as many as CONNECTIONS says) over kept-alive connections; fails unless every answer is a
// success. The code and refresh cases use the fixture's bodies <first> to <first + count> (each
// code and token works once).
import { readFileSync } from 'node:fs';
import http from 'node:http';

const [port, kind, first, count, fixtureFile = '/tmp/callgrind-fixture.json'] = process.argv.slice(2);
const fixture = kind.startsWith('bare') ? {} : JSON.parse(readFileSync(fixtureFile, 'utf8'));
const form = { 'content-type': 'application/x-www-form-urlencoded' };
const requests = {
  introspection: () => ({
    method: 'POST',
    path: '/oauth/introspect',
    headers: { ...form, authorization: fixture.basic },
    body: `token=${fixture.access}`,
  }),
  me: () => ({ method: 'GET', path: '/api/v1/me', headers: { authorization: `Bearer ${fixture.access}` } }),
  code: (i) => ({
    method: 'POST',
    path: '/oauth/token',
    headers: { ...form, authorization: fixture.basic },
    body: fixture.codeBodies[i],
  }),
  refresh: (i) => ({
    method: 'POST',
    path: '/oauth/token',
    headers: { ...form, authorization: fixture.basic },
    body: fixture.refreshBodies[i],
  }),
  'bare-get': () => ({ method: 'GET', path: '/' }),
  'bare-post': () => ({
    method: 'POST',
    path: '/form',
    headers: form,
    body: 'token=abcdefghijklmnopqrstuvwxyzabcdefghijklmnopq',
  }),
};
const make = requests[kind];
if (!make) throw new Error(`no such case: ${kind}`);
const singleUse = { code: 'codeBodies', refresh: 'refreshBodies' }[kind];
if (singleUse && Number(first) + Number(count) > fixture[singleUse].length) {
  throw new Error('not enough codes or refresh tokens: run.sh makes as many as it sends');
}

const connections = Number(process.env.CONNECTIONS || 10);
const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
let next = Number(first);
const end = next + Number(count);
const failures = [];
const one = () =>
  new Promise((resolve, reject) => {
    const { body, ...options } = make(next++);
    const request = http.request({ port, agent, ...options }, (response) => {
      response.resume();
      response.on('end', () => {
        if (response.statusCode !== 200) failures.push(response.statusCode);
        resolve();
      });
    });
    request.on('error', reject);
    request.end(body);
  });
await Promise.all(
  Array.from({ length: connections }, async () => {
    while (next < end) await one();
  }),
);
agent.destroy();
if (failures.length > 0) {
  console.error(`${failures.length} of ${count} requests failed: ${[...new Set(failures)].join(', ')}`);
  process.exit(1);
}
