/**
 * Every curl and `sandboxed` command in README.md and AGENTS.md runs in order
 * against a real daemon, and every ts block runs through the SDK (type-checked
 * first): documentation that disagrees with the code fails the build. The
 * answers are checked against the comments beside them (notation:
 * test/helpers/doc-commands.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, uniqueId, type TestDaemon } from '../helpers/daemon.js';
import { commandsOf, mismatch, parseExpectation, tsProgramOf, withId, type DocCall } from '../helpers/doc-commands.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** Where the ts blocks are written: inside the repo, so `@sandboxed/sdk` resolves as in an app. */
const TS_DIR = path.join(ROOT, 'test-artifacts/docs');

let d: TestDaemon;
beforeAll(async () => {
  d = await startTestDaemon();
});
afterAll(async () => {
  await d?.dispose();
});

const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
/** The environment the documented commands run in: the CLI on PATH, pointed at the test daemon. */
const docEnv = () => ({
  ...process.env,
  PATH: `${path.join(ROOT, 'node_modules/.bin')}:${process.env.PATH ?? ''}`,
  HOME: mkdtempSync(path.join(os.tmpdir(), 'sandboxed-docs-home-')),
  SANDBOXED_URL: d.url,
});

describe('the answer notation', () => {
  it('reads keys, literal values, text and an exit status', () => {
    expect(parseExpectation('{id, status: "running", ports: [3000], n: 1}')).toEqual({
      kind: 'json',
      keys: ['id', 'status', 'ports', 'n'],
      values: { status: 'running', ports: [3000], n: 1 },
    });
    expect(parseExpectation('{error: "a, b"}').kind).toBe('json');
    expect(parseExpectation('"<h1>hello"')).toEqual({ kind: 'text', contains: '<h1>hello' });
    expect(parseExpectation('"✖ failed" (exit 1)')).toEqual({ kind: 'text', contains: '✖ failed', exit: 1 });
  });

  it('rewrites a ts statement with an answer into a check of its value', () => {
    const { source, checks } = tsProgramOf('```ts\nconst a = await f(); // → {id}\nawait g(1);   // → "x"\nh();\n```\n');
    expect(source.split('\n').slice(0, 3)).toEqual(['const a = await f(); __check(0, a);', '__check(1, await g(1));', 'h();']);
    expect(checks.map((c) => c.line)).toEqual([0, 1]);
  });
});

/** One line of the script: curls fail the script on an HTTP error; CLI lines keep their exit status, which is checked. */
function scriptLine(call: DocCall, i: number, out: string, id: string): string {
  const cmd = call.cmd
    .replace(/(^|\$\()curl /g, '$1curl -sS --fail-with-body --max-time 120 ')
    .replaceAll('localhost:9090', new URL(d.url).host)
    .replaceAll('.preview.localhost/', `.preview.localhost:${d.edgePort}/`)
    .replace(/\bdemo\b/g, id);
  const shown = `printf '%s\\n' '>>> ${call.cmd.replaceAll("'", "'\\''")}' >&2`;
  if (call.kind === 'curl' || call.expect === null) return `${shown}\n${cmd} >"${out}/${i}"`;
  return `${shown}\nset +e\n{ ${cmd}; } >"${out}/${i}" 2>"${out}/${i}.err"\necho $? >"${out}/${i}.status"\nset -e`;
}

describe.each(['README.md', 'AGENTS.md'])('%s', (file) => {
  const calls = commandsOf(read(file));

  it('has commands to run, each with its answer documented', () => {
    expect(calls.filter((c) => c.kind === 'curl').length).toBeGreaterThan(3);
    expect(calls.filter((c) => c.kind === 'cli').length).toBeGreaterThan(3);
    const undocumented = calls.filter((c) => c.expect === null && !/\$\((curl|sandboxed) /.test(c.cmd)).map((c) => c.cmd);
    expect(undocumented).toEqual([]);
  });

  it('every command succeeds, in order, and answers what the docs say', () => {
    const id = uniqueId('doc');
    const out = mkdtempSync(path.join(os.tmpdir(), 'sandboxed-docs-'));
    const script = ['set -euo pipefail', ...calls.map((call, i) => scriptLine(call, i, out, id))].join('\n');
    try {
      execFileSync('bash', ['-c', script], { encoding: 'utf8', timeout: 600_000, stdio: ['ignore', 'pipe', 'pipe'], env: docEnv() });
    } catch (err) {
      const e = err as { status: number; stderr: string };
      throw new Error(`${file}: a documented command failed (exit ${e.status}):\n${e.stderr.split('\n').slice(-6).join('\n')}`, { cause: err });
    }
    const problems = calls.flatMap((call, i) => {
      if (!call.expect) return [];
      const expected = withId(call.expect, id);
      const answer = mismatch(call.cmd, expected, readFileSync(path.join(out, String(i)), 'utf8'));
      if (call.kind === 'curl') return answer === null ? [] : [answer];
      const status = Number(readFileSync(path.join(out, `${i}.status`), 'utf8'));
      const stderr = readFileSync(path.join(out, `${i}.err`), 'utf8').slice(-400);
      const wrongExit = status === (expected.exit ?? 0) ? null : `${call.cmd}\n  exited ${status}, not ${expected.exit ?? 0}`;
      return [answer, wrongExit].filter((p) => p !== null).map((p) => `${p}\n  stderr: ${stderr}`);
    });
    expect(problems).toEqual([]);
  });
});

describe('README.md with the SDK', () => {
  const { source, checks } = tsProgramOf(read('README.md'));

  it('has ts to run, with answers documented', () => {
    expect(source).toContain("from '@sandboxed/sdk'");
    expect(checks.length).toBeGreaterThan(3);
  });

  it('type-checks, runs against the daemon and answers what the docs say', () => {
    const id = uniqueId('docsdk');
    const out = mkdtempSync(path.join(os.tmpdir(), 'sandboxed-docs-ts-'));
    mkdirSync(TS_DIR, { recursive: true });
    const file = path.join(TS_DIR, `readme-${id}.mts`);
    const prelude = [
      "import { writeFileSync } from 'node:fs';",
      `const __check = (n: number, v: unknown): void => writeFileSync(\`${out}/\${n}\`, typeof v === 'string' ? v : JSON.stringify(v));`,
    ];
    writeFileSync(file, [...prelude, source.replaceAll('localhost:9090', new URL(d.url).host).replace(/\bdemo\b/g, id)].join('\n'));
    const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc');
    const flags = ['--noEmit', '--strict', '--module', 'nodenext', '--target', 'es2022', '--skipLibCheck', '--types', 'node', file];
    try {
      execFileSync(process.execPath, [tsc, ...flags], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' });
      execFileSync(process.execPath, ['--import', 'tsx', file], { cwd: ROOT, encoding: 'utf8', timeout: 600_000, stdio: 'pipe', env: docEnv() });
    } catch (err) {
      const e = err as { stdout: string; stderr: string };
      throw new Error(`README.md's ts failed:\n${e.stdout}\n${e.stderr.slice(-2000)}`, { cause: err });
    } finally {
      rmSync(file, { force: true });
    }
    const lines = source.split('\n');
    const problems = checks.flatMap(({ line, expect: e }) => {
      let answer: string;
      try {
        answer = readFileSync(path.join(out, String(line)), 'utf8');
      } catch {
        return [`${lines[line].trim()}\n  never ran`];
      }
      return [mismatch(lines[line].trim(), withId(e, id), answer)].filter((p) => p !== null);
    });
    expect(problems).toEqual([]);
  });
});
