import { failuresOf, type LoadFigures } from './load.js';

// The table, the ratios and the targets of the issue, all from figures measured in one run.

export interface CaseResult {
  /** bare-fastify-work: the bare route spending a fixed amount of CPU per request (calibration). */
  server: 'bare-fastify' | 'bare-fastify-work' | 'oidc-provider' | 'appointman';
  database: 'sqlite' | 'postgresql' | '-';
  case: string;
  figures?: LoadFigures;
  peakRssMiB?: number;
  /** Why the case did not run (e.g. the endpoint is not there yet). */
  skipped?: string;
  /** A note that makes the figures suspect (e.g. ran out of pre-minted codes). */
  problem?: string;
  ratioToPeer?: number;
  ratioToBare?: number;
}

export interface Target {
  name: string;
  measured: string;
  met: boolean;
}

/** The reference figures: the mean of each reference's runs (first and last in the run). */
export function references(results: CaseResult[]): { bare?: number; peer?: number } {
  const mean = (server: CaseResult['server']) => {
    const rates = results
      .filter((r) => r.server === server && r.figures)
      .map((r) => r.figures?.requestsPerSecond ?? 0);
    return rates.length ? Math.round(rates.reduce((a, b) => a + b, 0) / rates.length) : undefined;
  };
  return { bare: mean('bare-fastify'), peer: mean('oidc-provider') };
}

export function addRatios(results: CaseResult[]): void {
  const { bare, peer } = references(results);
  for (const result of results) {
    const rate = result.figures?.requestsPerSecond;
    if (rate === undefined) continue;
    if (peer) result.ratioToPeer = round(rate / peer);
    if (bare) result.ratioToBare = round(rate / bare);
  }
}

export function evaluateTargets(results: CaseResult[]): Target[] {
  const targets: Target[] = [];
  const rate = (database: CaseResult['database'], name: string) =>
    find(results, 'appointman', database, name)?.figures?.requestsPerSecond;
  const ratio = (database: CaseResult['database'], name: string, to: 'ratioToPeer' | 'ratioToBare') =>
    find(results, 'appointman', database, name)?.[to];
  const atLeast = (name: string, value: number | undefined, minimum: number) =>
    targets.push({
      name,
      measured: value === undefined ? 'not measured' : `${value.toFixed(2)}×`,
      met: value !== undefined && value >= minimum,
    });

  atLeast(
    'client_credentials on SQLite ≥ 1.5× oidc-provider',
    ratio('sqlite', 'client_credentials', 'ratioToPeer'),
    1.5,
  );
  atLeast(
    'authorization_code exchange on SQLite ≥ 1.0× oidc-provider',
    ratio('sqlite', 'authorization_code', 'ratioToPeer'),
    1,
  );
  atLeast(
    'refresh rotation on SQLite ≥ 1.0× oidc-provider',
    ratio('sqlite', 'refresh_token', 'ratioToPeer'),
    1,
  );
  atLeast(
    'GET /api/v1/me on SQLite ≥ 0.5× bare route',
    ratio('sqlite', 'GET /api/v1/me', 'ratioToBare'),
    0.5,
  );
  atLeast('introspection on SQLite ≥ 0.5× bare route', ratio('sqlite', 'introspection', 'ratioToBare'), 0.5);

  const ours = results.filter((r) => r.server === 'appointman' && r.figures);
  const worstP99 = Math.max(...ours.map((r) => r.figures?.latencyP99Ms ?? 0));
  targets.push({ name: 'p99 ≤ 50 ms in every case', measured: `${worstP99} ms worst`, met: worstP99 <= 50 });
  const peakRss = Math.max(...ours.map((r) => r.peakRssMiB ?? 0));
  targets.push({ name: 'peak RSS ≤ 250 MB', measured: `${peakRss} MiB`, met: peakRss <= 250 });

  for (const result of ours.filter((r) => r.database === 'postgresql')) {
    const sqlite = rate('sqlite', result.case);
    const postgres = result.figures?.requestsPerSecond;
    atLeast(
      `PostgreSQL ≥ 0.5× SQLite: ${result.case}`,
      sqlite && postgres !== undefined ? round(postgres / sqlite) : undefined,
      0.5,
    );
  }
  return targets;
}

export function printTable(results: CaseResult[]): void {
  const header = [
    'server',
    'db',
    'case',
    'req/s',
    'p50 ms',
    'p99 ms',
    'peak RSS MiB',
    'CPU µs/req',
    'steal %',
    'non-2xx/err',
    '×peer cc',
    '×bare',
  ];
  const rows = results.map((r) => [
    r.server,
    r.database,
    r.case,
    r.skipped ? `skipped: ${r.skipped}` : String(r.figures?.requestsPerSecond ?? '-'),
    String(r.figures?.latencyP50Ms ?? '-'),
    String(r.figures?.latencyP99Ms ?? '-'),
    String(r.peakRssMiB ?? '-'),
    String(r.figures?.serverCpuMicrosPerRequest ?? '-'),
    String(r.figures?.stealPercent ?? '-'),
    r.figures ? String(failuresOf(r.figures)) : '-',
    r.ratioToPeer === undefined ? '-' : r.ratioToPeer.toFixed(2),
    r.ratioToBare === undefined ? '-' : r.ratioToBare.toFixed(2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ');
  console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const row of rows) console.log(line(row));
}

export function printTargets(targets: Target[]): void {
  console.log('\nTargets (issue #7), ratios from this run:');
  for (const target of targets) {
    console.log(`  ${target.met ? 'met   ' : 'MISSED'}  ${target.name}: ${target.measured}`);
  }
}

/** Markdown table for the README. */
export function markdownTable(results: CaseResult[]): string {
  const lines = [
    '| server | database | case | req/s | p50 ms | p99 ms | peak RSS MiB | server CPU µs/req | steal % | non-2xx | × oidc-provider cc | × bare route |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    if (!r.figures) {
      lines.push(`| ${r.server} | ${r.database} | ${r.case} | ${r.skipped ?? '-'} | | | | | | | |`);
      continue;
    }
    lines.push(
      `| ${r.server} | ${r.database} | ${r.case} | ${r.figures.requestsPerSecond} | ${r.figures.latencyP50Ms} | ${r.figures.latencyP99Ms} | ${r.peakRssMiB ?? '-'} | ${r.figures.serverCpuMicrosPerRequest} | ${r.figures.stealPercent ?? '-'} | ${failuresOf(r.figures)} | ${r.ratioToPeer?.toFixed(2) ?? '-'} | ${r.ratioToBare?.toFixed(2) ?? '-'} |`,
    );
  }
  return lines.join('\n');
}

function find(
  results: CaseResult[],
  server: CaseResult['server'],
  database: CaseResult['database'],
  name: string,
) {
  return results.find((r) => r.server === server && r.database === database && r.case === name);
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
