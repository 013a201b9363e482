import { describe, expect, it } from 'vitest';
import { failuresOf, type LoadFigures } from '../../bench/lib/load.js';
import { adjacentRatio, type CaseResult, combineFigures, evaluateTargets } from '../../bench/lib/report.js';

// The benchmark's arithmetic (bench/lib/report.ts): a case run in rounds between runs of its
// reference is judged by the median of the rounds' ratios, and combining the rounds into one row
// never drops a failure.

function figures(requestsPerSecond: number, extra: Partial<LoadFigures> = {}): LoadFigures {
  return {
    requestsPerSecond,
    latencyP50Ms: 4,
    latencyP99Ms: 10,
    requests: requestsPerSecond * 5,
    serverCpuMicrosPerRequest: 100,
    non2xx: 0,
    errors: 0,
    timeouts: 0,
    mismatches: 0,
    statusCodes: { 200: requestsPerSecond * 5 },
    warmupFailures: 0,
    ...extra,
  };
}

describe('bench report: a case run in rounds', () => {
  it('is judged by the median of its rounds, each to the reference runs right around it', () => {
    const result: CaseResult = {
      server: 'appointman',
      database: 'sqlite',
      case: 'introspection',
      figures: figures(9000),
      adjacent: {
        kind: 'bare',
        before: 20000,
        after: 20000,
        rounds: [
          // 0.45 against a fast patch, 0.60 and 0.55 against the runs around the other rounds.
          { before: 20000, rate: 9000, after: 20000 },
          { before: 20000, rate: 9000, after: 10000 },
          { before: 10000, rate: 5500, after: 10000 },
        ],
      },
    };
    expect(adjacentRatio(result)).toBe(0.55);
    const target = evaluateTargets([result]).find((t) => t.name.startsWith('introspection'));
    expect(target?.met).toBe(true);
    expect(target?.measured).toContain('the median of 3 rounds');
    expect(target?.measured).toContain('0.45, 0.60, 0.55');
  });

  it('without rounds, is compared with the mean of the runs before and after it', () => {
    const result: CaseResult = {
      server: 'appointman',
      database: 'sqlite',
      case: 'introspection',
      figures: figures(9000),
      adjacent: { kind: 'bare', before: 20000, after: 16000 },
    };
    expect(adjacentRatio(result)).toBe(0.5);
  });

  it('adds up the failures of every round and keeps the worst p99', () => {
    const combined = combineFigures([
      figures(10000),
      figures(8000, { non2xx: 3, statusCodes: { 200: 39997, 500: 3 }, latencyP99Ms: 40 }),
      figures(9000, { warmupFailures: 1, timeouts: 2 }),
    ]);
    expect(failuresOf(combined)).toBe(6);
    expect(combined.statusCodes).toEqual({ 200: 50000 + 39997 + 45000, 500: 3 });
    expect(combined.latencyP99Ms).toBe(40);
    expect(combined.requestsPerSecond).toBe(9000);
    expect(combined.requests).toBe(50000 + 40000 + 45000);
  });
});
