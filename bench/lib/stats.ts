/** Summaries of one series of samples. Percentiles are nearest-rank: always an observed value. */
export interface Summary {
  attempts: number;
  ok: number;
  successRate: number;
  median: number | null;
  p95: number | null;
  p99: number | null;
  min: number | null;
  max: number | null;
}

export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

export function median(sorted: readonly number[]): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  return n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

export function summarize(samples: readonly number[], attempts: number): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    attempts,
    ok: sorted.length,
    successRate: attempts === 0 ? 0 : sorted.length / attempts,
    median: median(sorted),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    min: sorted[0] ?? null,
    max: sorted.at(-1) ?? null,
  };
}

/** ours / raw; null when either side has no figure. */
export function ratio(ours: number | null, raw: number | null): number | null {
  if (ours === null || raw === null || raw === 0) return null;
  return ours / raw;
}
