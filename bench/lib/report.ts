import { failuresOf, type LoadFigures } from './load.js';

// The table, the ratios and the targets of the issue, all from figures measured in one run. The
// targets that compare with a reference use its runs right before and after the case (bench/run.ts).

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
  /** The reference's runs right before and right after this case (bench/run.ts, References). */
  adjacent?: Adjacent;
}

export interface Adjacent {
  kind: 'bare' | 'peer';
  /** req/s of the reference's run before the case (its first round), and after it (its last). */
  before: number;
  after: number;
  /**
   * Where the case ran in rounds, each between two runs of the reference (the run after one round is
   * the run before the next): each round's req/s and the reference's runs around it.
   */
  rounds?: AdjacentRound[];
}

export interface AdjacentRound {
  before: number;
  rate: number;
  after: number;
}

/**
 * The case's rate to the mean of the reference's runs right before and after it; for a case run in
 * rounds, the median of the rounds' ratios, each to the runs around that round.
 */
export function adjacentRatio(result: CaseResult): number | undefined {
  const rate = result.figures?.requestsPerSecond;
  const { adjacent } = result;
  if (rate === undefined || !adjacent) return undefined;
  if (adjacent.rounds && adjacent.rounds.length > 1) return round(median(roundRatios(adjacent.rounds)));
  return round(rate / ((adjacent.before + adjacent.after) / 2));
}

function roundRatios(rounds: AdjacentRound[]): number[] {
  return rounds.map((r) => r.rate / ((r.before + r.after) / 2));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/**
 * The figures of a case run in rounds, as one row: the rates and CPU averaged over the requests,
 * p50 the median of the rounds', p99 the worst round's, failures and status codes added up.
 */
export function combineFigures(rounds: LoadFigures[]): LoadFigures {
  const [first] = rounds;
  if (!first) throw new Error('no rounds to combine');
  if (rounds.length === 1) return first;
  const sum = (pick: (f: LoadFigures) => number) => rounds.reduce((total, f) => total + pick(f), 0);
  const requests = sum((f) => f.requests);
  const statusCodes: Record<string, number> = {};
  for (const f of rounds) {
    for (const [code, count] of Object.entries(f.statusCodes))
      statusCodes[code] = (statusCodes[code] ?? 0) + count;
  }
  const steal = rounds.map((f) => f.stealPercent).filter((v): v is number => v !== undefined);
  return {
    requestsPerSecond: Math.round(sum((f) => f.requestsPerSecond) / rounds.length),
    latencyP50Ms: median(rounds.map((f) => f.latencyP50Ms)),
    latencyP99Ms: Math.max(...rounds.map((f) => f.latencyP99Ms)),
    requests,
    serverCpuMicrosPerRequest:
      requests > 0 ? Math.round(sum((f) => f.serverCpuMicrosPerRequest * f.requests) / requests) : 0,
    non2xx: sum((f) => f.non2xx),
    errors: sum((f) => f.errors),
    timeouts: sum((f) => f.timeouts),
    mismatches: sum((f) => f.mismatches),
    statusCodes,
    warmupFailures: sum((f) => f.warmupFailures),
    ...(steal.length ? { stealPercent: round(steal.reduce((a, b) => a + b, 0) / steal.length) } : {}),
  };
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
  /** To the reference's runs around the case where there are some, else to the run's mean. */
  const ratio = (database: CaseResult['database'], name: string, to: 'ratioToPeer' | 'ratioToBare') => {
    const result = find(results, 'appointman', database, name);
    return result ? (adjacentRatio(result) ?? result[to]) : undefined;
  };
  const atLeast = (name: string, value: number | undefined, minimum: number, detail = '') =>
    targets.push({
      name,
      measured: value === undefined ? 'not measured' : `${value.toFixed(2)}×${detail}`,
      met: value !== undefined && value >= minimum,
    });
  const around = (name: string, to: 'ratioToPeer' | 'ratioToBare') => {
    const result = find(results, 'appointman', 'sqlite', name);
    if (!result?.adjacent) return '';
    const { before, after, rounds } = result.adjacent;
    const toMean = `${result[to]?.toFixed(2) ?? '-'}× to the mean of the first and last`;
    if (rounds && rounds.length > 1) {
      const each = roundRatios(rounds).map((r) => r.toFixed(2));
      return ` (the median of ${rounds.length} rounds, each to the runs just before and after it: ${each.join(', ')}; ${toMean})`;
    }
    return ` (to the runs just before and after it: ${before} and ${after} req/s; ${toMean})`;
  };

  atLeast(
    'client_credentials on SQLite ≥ 1.5× oidc-provider',
    ratio('sqlite', 'client_credentials', 'ratioToPeer'),
    1.5,
    around('client_credentials', 'ratioToPeer'),
  );
  atLeast(
    'authorization_code exchange on SQLite ≥ 1.0× oidc-provider',
    ratio('sqlite', 'authorization_code', 'ratioToPeer'),
    1,
    around('authorization_code', 'ratioToPeer'),
  );
  atLeast(
    'refresh rotation on SQLite ≥ 1.0× oidc-provider',
    ratio('sqlite', 'refresh_token', 'ratioToPeer'),
    1,
    around('refresh_token', 'ratioToPeer'),
  );
  atLeast(
    'GET /api/v1/me on SQLite ≥ 0.5× bare route',
    ratio('sqlite', 'GET /api/v1/me', 'ratioToBare'),
    0.5,
    around('GET /api/v1/me', 'ratioToBare'),
  );
  atLeast(
    'introspection on SQLite ≥ 0.5× bare route',
    ratio('sqlite', 'introspection', 'ratioToBare'),
    0.5,
    around('introspection', 'ratioToBare'),
  );

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
    '×adjacent',
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
    adjacentText(r),
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
    '| server | database | case | req/s | p50 ms | p99 ms | peak RSS MiB | server CPU µs/req | steal % | non-2xx | × oidc-provider cc | × bare route | × adjacent reference |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    if (!r.figures) {
      lines.push(`| ${r.server} | ${r.database} | ${r.case} | ${r.skipped ?? '-'} | | | | | | | | |`);
      continue;
    }
    lines.push(
      `| ${r.server} | ${r.database} | ${r.case} | ${r.figures.requestsPerSecond} | ${r.figures.latencyP50Ms} | ${r.figures.latencyP99Ms} | ${r.peakRssMiB ?? '-'} | ${r.figures.serverCpuMicrosPerRequest} | ${r.figures.stealPercent ?? '-'} | ${failuresOf(r.figures)} | ${r.ratioToPeer?.toFixed(2) ?? '-'} | ${r.ratioToBare?.toFixed(2) ?? '-'} | ${adjacentText(r)} |`,
    );
  }
  return lines.join('\n');
}

/** "0.52 (bare 38000/41000)" or "0.52 (median of 3 rounds)": the ratio to the reference's runs around the case, and those runs. */
function adjacentText(result: CaseResult): string {
  const ratio = adjacentRatio(result);
  if (ratio === undefined || !result.adjacent) return '-';
  const { kind, before, after, rounds } = result.adjacent;
  if (rounds && rounds.length > 1) return `${ratio.toFixed(2)} (median of ${rounds.length} rounds)`;
  return `${ratio.toFixed(2)} (${kind} ${before}/${after})`;
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
