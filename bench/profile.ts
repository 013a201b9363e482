import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { PROJECT_ROOT } from '../src/paths.js';

// Summarises a V8 .cpuprofile (node --cpu-prof): self time per function, and per package or area,
// so the README can say where a request's time goes.
// Usage: npx tsx bench/profile.ts <file.cpuprofile> [top N]

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: npx tsx bench/profile.ts <file.cpuprofile> [top N]');
  process.exit(1);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;

// Self time per node: each sample's time delta belongs to the node it landed in.
const selfMicros = new Map<number, number>();
profile.samples.forEach((nodeId, i) => {
  selfMicros.set(nodeId, (selfMicros.get(nodeId) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const total = [...selfMicros.values()].reduce((a, b) => a + b, 0);

const byFunction = new Map<string, number>();
const byArea = new Map<string, number>();
for (const node of profile.nodes) {
  const micros = selfMicros.get(node.id) ?? 0;
  if (micros === 0) continue;
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url ? `${shortUrl(url)}:${lineNumber + 1}` : '';
  const key = `${functionName || '(anonymous)'} ${where}`.trim();
  byFunction.set(key, (byFunction.get(key) ?? 0) + micros);
  const area = areaOf(url, functionName);
  byArea.set(area, (byArea.get(area) ?? 0) + micros);
}

const idle = byFunction.get('(idle)') ?? 0;
const busy = total - idle;
const pct = (micros: number) => `${((micros / busy) * 100).toFixed(1).padStart(5)}%`;

console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy (not idle)`);
console.log('\nSelf time by area (share of busy time):');
for (const [area, micros] of [...byArea].filter(([a]) => a !== 'idle').sort((a, b) => b[1] - a[1])) {
  console.log(`  ${pct(micros)}  ${area}`);
}
console.log(`\nTop ${top} functions by self time (share of busy time):`);
for (const [name, micros] of [...byFunction]
  .filter(([n]) => n !== '(idle)')
  .sort((a, b) => b[1] - a[1])
  .slice(0, top)) {
  console.log(`  ${pct(micros)}  ${name}`);
}

function shortUrl(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  const nodeModules = path.lastIndexOf('node_modules/');
  if (nodeModules >= 0) return path.slice(nodeModules + 'node_modules/'.length);
  return path.startsWith('/') ? relative(PROJECT_ROOT, path) : path;
}

function areaOf(url: string, functionName: string): string {
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(garbage collector)') return 'garbage collection';
  if (functionName === '(program)') return 'V8/native (program)';
  if (!url) return `native: ${functionName}`;
  const path = url.replace(/^file:\/\//, '');
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (match?.[1]) return match[1];
  if (path.startsWith('node:internal/')) return `node core (internal/${path.slice(14).split('/')[0]})`;
  if (path.startsWith('node:')) return `node core (${path.slice(5).split('/')[0]})`;
  const rel = relative(PROJECT_ROOT, path);
  if (rel.startsWith('src/storage/generated')) return 'generated Prisma client';
  if (rel.startsWith('src/')) return rel.split('/').slice(0, 2).join('/');
  return rel;
}
