/**
 * What the CLI prints: results on stdout (tables for people, the API's JSON
 * with --json), everything else — progress, notes, errors — on stderr, so a
 * pipe gets only the result. Colours and spinners only on a terminal (and
 * never with NO_COLOR).
 */
import { InvalidArgumentError } from 'commander';

const colour = (stream: NodeJS.WriteStream) => stream.isTTY === true && !process.env.NO_COLOR;

const paint = (code: number) => (text: string, stream: NodeJS.WriteStream = process.stdout) => (colour(stream) ? `\x1b[${code}m${text}\x1b[0m` : text);
export const dim = paint(2);
export const bold = paint(1);
export const red = paint(31);
export const green = paint(32);
export const yellow = paint(33);
export const cyan = paint(36);

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Rows under a header, columns padded to their widest cell. */
export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  process.stdout.write(`${[dim(line(header)), ...rows.map(line)].join('\n')}\n`);
}

/** A note for the person at the terminal (stderr). */
export function note(text: string): void {
  process.stderr.write(`${text}\n`);
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** A spinner on stderr while `work` runs (only on a terminal); `label` may change as it goes. */
export async function withProgress<T>(label: string, work: (set: (label: string) => void) => Promise<T>): Promise<T> {
  const err = process.stderr;
  if (!colour(err)) return work(() => undefined);
  let text = label;
  let i = 0;
  const started = Date.now();
  const draw = () => err.write(`\r\x1b[2K${cyan(FRAMES[i++ % FRAMES.length], err)} ${text} ${dim(`${((Date.now() - started) / 1000).toFixed(1)}s`, err)}`);
  draw();
  const timer = setInterval(draw, 80);
  try {
    return await work((l) => (text = l));
  } finally {
    clearInterval(timer);
    err.write('\r\x1b[2K');
  }
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

/** `KEY=VALUE` pairs (repeatable options) as an object. */
export function keyValues(pairs: string[] | undefined, what: string): Record<string, string> | undefined {
  if (!pairs || pairs.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new InvalidArgumentError(`${what} must be KEY=VALUE (got ${JSON.stringify(pair)})`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

/** Commander's collector for repeatable options. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function integer(what: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n)) throw new InvalidArgumentError(`${what} must be an integer`);
    return n;
  };
}
