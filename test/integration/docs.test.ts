/**
 * Every curl in README.md and AGENTS.md, run in order against a real daemon:
 * documentation that disagrees with the code fails the build. Each call
 * documents what comes back in a trailing `# → …` comment, and the answer is
 * checked against it:
 *
 *   # → {id, status: "running"}   a JSON object with these keys (and these values)
 *   # → "hello"                   a body that contains this text
 *
 * The comment may also stand on the line below a long command.
 * A curl whose output feeds a variable (`TASK=$(curl …)`) needs no comment.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, uniqueId, type TestDaemon } from '../helpers/daemon.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

export type Expectation = { kind: 'json'; keys: string[]; values: Record<string, unknown> } | { kind: 'text'; contains: string };

export interface DocCall {
  cmd: string;
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
  const t = text.trim();
  if (t.startsWith('"')) return { kind: 'text', contains: JSON.parse(t) as string };
  if (!t.startsWith('{') || !t.endsWith('}')) throw new Error(`cannot read the expected answer "${t}"`);
  const keys: string[] = [];
  const values: Record<string, unknown> = {};
  for (const entry of splitTopLevel(t.slice(1, -1))) {
    const colon = entry.indexOf(':');
    const key = (colon < 0 ? entry : entry.slice(0, colon)).trim();
    keys.push(key);
    if (colon >= 0) values[key] = JSON.parse(entry.slice(colon + 1).trim());
  }
  return { kind: 'json', keys, values };
}

/**
 * The command lines of a Markdown file's sh blocks that call curl (continuation
 * lines joined), with their expected answers, in order. They run as one script,
 * so a line like `TASK=$(curl … | jq -r .id)` feeds the ones after it.
 */
export function curlsOf(markdown: string): DocCall[] {
  const blocks = [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
  const calls: DocCall[] = [];
  for (const block of blocks) {
    const joined = block.replace(/\\\n\s*/g, ' ');
    for (const line of joined.split('\n')) {
      // A `# → …` line of its own documents the curl above it (for long command lines).
      const own = /^\s*#\s*→\s*(.+)$/.exec(line);
      const last = calls.at(-1);
      if (own && last && last.expect === null) {
        last.expect = parseExpectation(own[1]);
        continue;
      }
      const arrow = /\s+#\s*→\s*(.+)$/.exec(line);
      const cmd = line.replace(/\s+#\s.*$/, '').trim();
      if (/(^|\$\()curl /.test(cmd)) calls.push({ cmd, expect: arrow ? parseExpectation(arrow[1]) : null });
    }
  }
  return calls;
}

/** The expectation with the docs' sandbox id replaced by the one the test runs with. */
function withId(e: Expectation, id: string): Expectation {
  return JSON.parse(JSON.stringify(e).replace(/\bdemo\b/g, id)) as Expectation;
}

/** What is wrong with one answer, or null. */
function mismatch(call: DocCall, e: Expectation, output: string): string | null {
  const shown = output.length > 400 ? `${output.slice(0, 400)}…` : output;
  if (e.kind === 'text') return output.includes(e.contains) ? null : `${call.cmd}\n  wanted text ${JSON.stringify(e.contains)}, got: ${shown}`;
  let body: unknown;
  try {
    body = JSON.parse(output);
  } catch {
    return `${call.cmd}\n  answered no JSON: ${shown}`;
  }
  if (body === null || typeof body !== 'object') return `${call.cmd}\n  answered no JSON object: ${shown}`;
  const missing = e.keys.filter((k) => !(k in body));
  const wrong = Object.entries(e.values).filter(([k, v]) => JSON.stringify((body as Record<string, unknown>)[k]) !== JSON.stringify(v));
  if (missing.length === 0 && wrong.length === 0) return null;
  return `${call.cmd}\n  missing ${JSON.stringify(missing)}, differs ${JSON.stringify(wrong.map(([k]) => k))}: ${shown}`;
}

let d: TestDaemon;
beforeAll(async () => {
  d = await startTestDaemon();
});
afterAll(async () => {
  await d?.dispose();
});

describe('the answer notation', () => {
  it('reads keys, literal values and text', () => {
    expect(parseExpectation('{id, status: "running", ports: [3000], n: 1}')).toEqual({
      kind: 'json',
      keys: ['id', 'status', 'ports', 'n'],
      values: { status: 'running', ports: [3000], n: 1 },
    });
    expect(parseExpectation('{error: "a, b"}').kind).toBe('json');
    expect(parseExpectation('"<h1>hello"')).toEqual({ kind: 'text', contains: '<h1>hello' });
  });
});

describe.each(['README.md', 'AGENTS.md'])('%s', (file) => {
  const calls = curlsOf(readFileSync(path.join(ROOT, file), 'utf8'));

  it('has curls to run, each with its answer documented', () => {
    expect(calls.length).toBeGreaterThan(3);
    const undocumented = calls.filter((c) => c.expect === null && !/\$\(curl /.test(c.cmd)).map((c) => c.cmd);
    expect(undocumented).toEqual([]);
  });

  it('every curl succeeds, in order, and answers what the docs say', () => {
    const id = uniqueId('doc');
    const api = new URL(d.url).host;
    const out = mkdtempSync(path.join(os.tmpdir(), 'sandboxed-docs-'));
    const script = [
      'set -euo pipefail',
      ...calls.map((call, i) => {
        const cmd = call.cmd
          .replace(/(^|\$\()curl /g, '$1curl -sS --fail-with-body --max-time 120 ')
          .replaceAll('localhost:9090', api)
          .replaceAll('.preview.localhost/', `.preview.localhost:${d.edgePort}/`)
          .replace(/\bdemo\b/g, id);
        const shown = `'>>> ${call.cmd.replaceAll("'", "'\\''")}'`;
        return `printf '%s\\n' ${shown} >&2\n${cmd} >"${out}/${i}"`;
      }),
    ].join('\n');
    try {
      execFileSync('bash', ['-c', script], { encoding: 'utf8', timeout: 600_000, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      const e = err as { status: number; stderr: string };
      throw new Error(`${file}: a documented command failed (exit ${e.status}):\n${e.stderr.split('\n').slice(-6).join('\n')}`, { cause: err });
    }
    const problems = calls.flatMap((call, i) => {
      if (!call.expect) return [];
      return [mismatch(call, withId(call.expect, id), readFileSync(path.join(out, String(i)), 'utf8'))].filter((p) => p !== null);
    });
    expect(problems).toEqual([]);
  });
});
