/**
 * What every operation group returns: one row per operation, our API beside
 * the raw Engine API. A Series times attempts; failures are counted, not timed.
 */
import { ratio, summarize, type Summary } from './stats.js';

export class Series {
  readonly samples: number[] = [];
  readonly errors: string[] = [];
  attempts = 0;

  /** Times fn; a throw counts as a failed attempt. */
  async time(fn: () => Promise<void>): Promise<boolean> {
    const t0 = performance.now();
    try {
      await fn();
    } catch (err) {
      this.fail(err);
      return false;
    }
    this.add(performance.now() - t0);
    return true;
  }

  /** Records a duration measured by the caller (several figures from one attempt). */
  add(ms: number): void {
    this.attempts++;
    this.samples.push(ms);
  }

  /** Records a failed attempt; the first few messages are kept. */
  fail(err: unknown): void {
    this.attempts++;
    if (this.errors.length < 5) this.errors.push(((err as Error).message ?? String(err)).split('\n')[0].slice(0, 300));
  }

  summary(): Summary {
    return summarize(this.samples, this.attempts);
  }
}

/** A timed operation, in ms. `raw: null` means the raw side was not measured (rawNote says why). */
export interface LatencyRow {
  kind: 'latency';
  op: string;
  ours: Series;
  raw: Series | null;
  rawNote?: string;
  note?: string;
}

/** Latency figures computed elsewhere (a load generator's histogram), in ms; null where it has none. */
export interface SummaryRow {
  kind: 'summary';
  op: string;
  ours: Summary;
  raw: Summary | null;
  rawNote?: string;
  note?: string;
}

/** A single figure, e.g. the daemon's RSS. */
export interface ValueRow {
  kind: 'value';
  op: string;
  unit: 'MiB' | 'req/s';
  ours: number | null;
  raw: number | null;
  rawNote?: string;
  note?: string;
}

/**
 * One figure for several systems side by side (the edge beside its anchors:
 * direct, HAProxy, nginx), printed in a table of its own below the main one.
 * `goal` says what the figure must meet and whether it did.
 */
export interface AnchorsRow {
  kind: 'anchors';
  op: string;
  unit: string;
  values: Record<string, number | null>;
  goal?: string;
  note?: string;
}

export type ResultRow = LatencyRow | SummaryRow | ValueRow | AnchorsRow;

/** The JSON form of a row: snake_case, figures rounded to 0.01. */
export function rowToJson(row: ResultRow): Record<string, unknown> {
  if (row.kind === 'anchors') {
    const values = Object.fromEntries(Object.entries(row.values).map(([k, v]) => [k, round(v)]));
    return { kind: row.kind, op: row.op, unit: row.unit, values, ...(row.goal ? { goal: row.goal } : {}), ...(row.note ? { note: row.note } : {}) };
  }
  const notes = { ...(row.rawNote ? { raw_note: row.rawNote } : {}), ...(row.note ? { note: row.note } : {}) };
  if (row.kind === 'value') {
    return { kind: row.kind, op: row.op, unit: row.unit, ours: round(row.ours), raw: round(row.raw), ratio: round(ratio(row.ours, row.raw)), ...notes };
  }
  const ours = row.kind === 'summary' ? row.ours : row.ours.summary();
  const raw = row.kind === 'summary' ? row.raw : (row.raw?.summary() ?? null);
  const series = (sum: Summary, s: Series | null | undefined) => ({
    ...summaryJson(sum),
    ...(s ? { samples: s.samples.map(round), errors: s.errors } : {}),
  });
  return {
    kind: row.kind,
    op: row.op,
    unit: 'ms',
    ours: series(ours, row.kind === 'latency' ? row.ours : null),
    raw: raw ? series(raw, row.kind === 'latency' ? row.raw : null) : null,
    ratio: raw
      ? { median: round(ratio(ours.median, raw.median)), p95: round(ratio(ours.p95, raw.p95)), p99: round(ratio(ours.p99, raw.p99)) }
      : null,
    ...notes,
  };
}

function summaryJson(s: Summary): Record<string, number | null> {
  return {
    attempts: s.attempts,
    ok: s.ok,
    success_rate: round(s.successRate),
    median: round(s.median),
    p95: round(s.p95),
    p99: round(s.p99),
    min: round(s.min),
    max: round(s.max),
  };
}

function round<T extends number | null>(x: T): T {
  return (x === null ? null : Math.round(x * 100) / 100) as T;
}
