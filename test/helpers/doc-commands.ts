/**
 * The runnable parts of the Markdown docs and the notation of their answers
 * (test/integration/docs.test.ts runs them). Each call documents what comes
 * back in a trailing comment (`# → …` in sh, `// → …` in ts):
 *
 *   # → {id, status: "running"}   a JSON object with these keys (and these values)
 *   # → "hello"                   output that contains this text
 *   # → "✖ failed" (exit 1)       and the command's exit status (CLI lines; default 0)
 *
 * In sh blocks, `curl …` and `sandboxed …` lines run (continuation lines
 * joined); a `# → …` line of its own documents the command above it. A
 * command whose output feeds a variable (`TASK=$(curl …)`) needs no comment.
 */

export type Expectation = ({ kind: 'json'; keys: string[]; values: Record<string, unknown> } | { kind: 'text'; contains: string }) & { exit?: number };

export interface DocCall {
  cmd: string;
  /** curl: an HTTP call; cli: a `sandboxed` command line. */
  kind: 'curl' | 'cli';
  expect: Expectation | null;
}

/** Splits `a, b: "x, y", c: 1` at the commas outside quotes. */
function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '"' && s[i - 1] !== '\\') quoted = !quoted;
    if (c === ',' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  if (cur.trim() !== '') out.push(cur);
  return out.map((x) => x.trim());
}

export function parseExpectation(text: string): Expectation {
  const exitMatch = /\s*\(exit (\d+)\)$/.exec(text.trim());
  const t = exitMatch ? text.trim().slice(0, exitMatch.index) : text.trim();
  const exit = exitMatch ? { exit: Number(exitMatch[1]) } : {};
  if (t.startsWith('"')) return { kind: 'text', contains: JSON.parse(t) as string, ...exit };
  if (!t.startsWith('{') || !t.endsWith('}')) throw new Error(`cannot read the expected answer "${t}"`);
  const keys: string[] = [];
  const values: Record<string, unknown> = {};
  for (const entry of splitTopLevel(t.slice(1, -1))) {
    const colon = entry.indexOf(':');
    const key = (colon < 0 ? entry : entry.slice(0, colon)).trim();
    keys.push(key);
    if (colon >= 0) values[key] = JSON.parse(entry.slice(colon + 1).trim());
  }
  return { kind: 'json', keys, values, ...exit };
}

const CURL = /(^|\$\()curl /;
const CLI = /(^|\$\(|\|\s*)sandboxed /;

/** The command lines of a Markdown file's sh blocks, with their expected answers, in order. */
export function commandsOf(markdown: string): DocCall[] {
  const blocks = [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
  const calls: DocCall[] = [];
  for (const block of blocks) {
    const joined = block.replace(/\\\n\s*/g, ' ');
    for (const line of joined.split('\n')) {
      const own = /^\s*#\s*→\s*(.+)$/.exec(line);
      const last = calls.at(-1);
      if (own && last && last.expect === null) {
        last.expect = parseExpectation(own[1]);
        continue;
      }
      const arrow = /\s+#\s*→\s*(.+)$/.exec(line);
      const cmd = line.replace(/\s+#\s.*$/, '').trim();
      const kind = CURL.test(cmd) ? 'curl' : CLI.test(cmd) ? 'cli' : null;
      if (kind) calls.push({ cmd, kind, expect: arrow ? parseExpectation(arrow[1]) : null });
    }
  }
  return calls;
}

export interface TsCheck {
  line: number;
  expect: Expectation;
}

/**
 * A file's ts blocks as one module, each statement with a `// → …` comment
 * rewritten to hand its value to `__check(n, value)`: `const x = …; // → …`
 * checks x, any other one-line statement checks its own value.
 */
export function tsProgramOf(markdown: string): { source: string; checks: TsCheck[] } {
  const blocks = [...markdown.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
  const checks: TsCheck[] = [];
  const lines = blocks.join('\n').split('\n').map((line, n) => {
    const arrow = /^(.*?;)\s*\/\/\s*→\s*(.+)$/.exec(line);
    if (!arrow) return line;
    checks.push({ line: n, expect: parseExpectation(arrow[2]) });
    const decl = /^(\s*)(?:const|let) (\w+)\b/.exec(arrow[1]);
    if (decl) return `${arrow[1]} __check(${n}, ${decl[2]});`;
    const stmt = /^(\s*)(.*);$/.exec(arrow[1])!;
    return `${stmt[1]}__check(${n}, ${stmt[2]});`;
  });
  return { source: lines.join('\n'), checks };
}

/** The expectation with the docs' sandbox id replaced by the one the test runs with. */
export function withId(e: Expectation, id: string): Expectation {
  return JSON.parse(JSON.stringify(e).replace(/\bdemo\b/g, id)) as Expectation;
}

/** What is wrong with one answer, or null. */
export function mismatch(what: string, e: Expectation, output: string): string | null {
  const shown = output.length > 400 ? `${output.slice(0, 400)}…` : output;
  if (e.kind === 'text') return output.includes(e.contains) ? null : `${what}\n  wanted text ${JSON.stringify(e.contains)}, got: ${shown}`;
  let body: unknown;
  try {
    body = JSON.parse(output);
  } catch {
    return `${what}\n  answered no JSON: ${shown}`;
  }
  if (body === null || typeof body !== 'object') return `${what}\n  answered no JSON object: ${shown}`;
  const missing = e.keys.filter((k) => !(k in body));
  const wrong = Object.entries(e.values).filter(([k, v]) => JSON.stringify((body as Record<string, unknown>)[k]) !== JSON.stringify(v));
  if (missing.length === 0 && wrong.length === 0) return null;
  return `${what}\n  missing ${JSON.stringify(missing)}, differs ${JSON.stringify(wrong.map(([k]) => k))}: ${shown}`;
}
