/**
 * Prints the rows as one table: for each figure ours, raw and the ratio
 * ours/raw side by side; notes and first errors as footnotes below.
 */
import type { AnchorsRow, ResultRow } from './result.js';
import { ratio, type Summary } from './stats.js';

function ms(v: number | null): string {
  if (v === null) return '–';
  if (v < 10) return v.toFixed(2);
  if (v < 100) return v.toFixed(1);
  return v.toFixed(0);
}

function times(r: number | null): string {
  return r === null ? '–' : `${r.toFixed(2)}×`;
}

function pct(s: Summary | null): string {
  if (!s) return 'n/a';
  if (s.attempts === 0) return '–';
  return `${Math.round(s.successRate * 100)}%`;
}

type Cells = string[];

const HEAD_1 = ['', '', 'success', '', 'median ms', '', '', 'p95 ms', '', '', 'p99 ms', '', ''];
const HEAD_2 = ['operation', 'n', 'ours', 'raw', 'ours', 'raw', 'ours/raw', 'ours', 'raw', 'ours/raw', 'ours', 'raw', 'ours/raw'];
/** Column index before which a group separator is drawn. */
const GROUP_STARTS = new Set([2, 4, 7, 10]);

function cellsFor(row: Exclude<ResultRow, AnchorsRow>, marker: string): Cells {
  const op = row.op + marker;
  if (row.kind === 'value') {
    const v = (x: number | null): string => (x === null ? '–' : `${x.toFixed(1)} ${row.unit}`);
    const raw = row.raw === null ? (row.rawNote ? 'n/a' : '–') : v(row.raw);
    return [op, '1', '', '', v(row.ours), raw, times(ratio(row.ours, row.raw)), '', '', '', '', '', ''];
  }
  const o = row.kind === 'summary' ? row.ours : row.ours.summary();
  const r = row.kind === 'summary' ? row.raw : (row.raw?.summary() ?? null);
  const rawCell = (x: number | null): string => (r ? ms(x) : 'n/a');
  return [
    op,
    String(r && r.attempts !== o.attempts ? `${o.attempts}/${r.attempts}` : o.attempts),
    pct(o),
    pct(r),
    ms(o.median),
    rawCell(r?.median ?? null),
    times(ratio(o.median, r?.median ?? null)),
    ms(o.p95),
    rawCell(r?.p95 ?? null),
    times(ratio(o.p95, r?.p95 ?? null)),
    ms(o.p99),
    rawCell(r?.p99 ?? null),
    times(ratio(o.p99, r?.p99 ?? null)),
  ];
}

function footnotes(row: Exclude<ResultRow, AnchorsRow>): string[] {
  const out: string[] = [];
  if (row.note) out.push(row.note);
  if (row.rawNote) out.push(`raw: ${row.rawNote}`);
  if (row.kind === 'latency') {
    if (row.ours.errors.length) out.push(`ours failed ${row.ours.attempts - row.ours.samples.length}×, first: ${row.ours.errors[0]}`);
    if (row.raw?.errors.length) out.push(`raw failed ${row.raw.attempts - row.raw.samples.length}×, first: ${row.raw.errors[0]}`);
  }
  return out;
}

function figure(v: number | null): string {
  if (v === null) return '–';
  if (v >= 1000) return Math.round(v).toLocaleString('en-US');
  return ms(v);
}

/** Anchor rows as their own table: one column per system, in the order first seen. */
function renderAnchors(rows: AnchorsRow[]): string[] {
  const systems = [...new Set(rows.flatMap((r) => Object.keys(r.values)))];
  const head = ['figure', 'unit', ...systems, 'goal'];
  const notes: string[] = [];
  const body = rows.map((r) => {
    let op = r.op;
    if (r.note) {
      notes.push(`[a${notes.length + 1}] ${r.note}`);
      op += ` [a${notes.length}]`;
    }
    return [op, r.unit, ...systems.map((s) => figure(r.values[s] ?? null)), r.goal ?? ''];
  });
  const all = [head, ...body];
  const widths = head.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (cells: Cells): string => cells.map((c, i) => (i < 2 || i === head.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return ['', 'side by side:', line(head), line(widths.map((w) => '─'.repeat(w))).replace(/ /g, '─'), ...body.map(line), ...(notes.length ? ['', ...notes] : [])];
}

export function renderTable(results: ResultRow[], notMeasured: string[] = []): string {
  const anchors = results.filter((r): r is AnchorsRow => r.kind === 'anchors');
  const rows = results.filter((r): r is Exclude<ResultRow, AnchorsRow> => r.kind !== 'anchors');
  const notes: string[] = [];
  const body: Cells[] = rows.map((row) => {
    const fn = footnotes(row);
    if (fn.length === 0) return cellsFor(row, '');
    notes.push(`[${notes.length + 1}] ${fn.join('; ')}`);
    return cellsFor(row, ` [${notes.length}]`);
  });
  const all = [HEAD_1, HEAD_2, ...body];
  const widths = HEAD_2.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (cells: Cells): string =>
    cells
      .map((c, i) => {
        const padded = i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]);
        return (GROUP_STARTS.has(i) ? '│ ' : '') + padded;
      })
      .join('  ')
      .trimEnd();
  const rule = line(widths.map((w) => '─'.repeat(w))).replace(/ /g, '─').replace(/│/g, '┼');
  const out = rows.length ? [line(HEAD_1), line(HEAD_2), rule, ...body.map(line)] : [];
  if (notes.length) out.push('', ...notes);
  if (anchors.length) out.push(...renderAnchors(anchors));
  if (notMeasured.length) out.push('', 'not measured:', ...notMeasured.map((s) => `  - ${s}`));
  return out.join('\n');
}
