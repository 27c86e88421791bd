/**
 * Every curl in README.md and AGENTS.md, run in order against a real daemon:
 * documentation that disagrees with the code fails the build.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, uniqueId, type TestDaemon } from '../helpers/daemon.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** The curl commands of a Markdown file's sh blocks, continuation lines joined, comments dropped. */
export function curlsOf(markdown: string): string[] {
  const blocks = [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
  const commands: string[] = [];
  for (const block of blocks) {
    const joined = block.replace(/\\\n\s*/g, ' ');
    for (const line of joined.split('\n')) {
      const cmd = line.replace(/\s+#.*$/, '').trim();
      if (cmd.startsWith('curl ')) commands.push(cmd);
    }
  }
  return commands;
}

let d: TestDaemon;
beforeAll(async () => {
  d = await startTestDaemon();
});
afterAll(async () => {
  await d?.dispose();
});

describe.each(['README.md', 'AGENTS.md'])('%s', (file) => {
  const curls = curlsOf(readFileSync(path.join(ROOT, file), 'utf8'));

  it('has curls to run', () => {
    expect(curls.length).toBeGreaterThan(3);
  });

  it('every curl succeeds, in order', () => {
    const id = uniqueId('doc');
    const api = new URL(d.url).host;
    for (const raw of curls) {
      const cmd = raw
        .replace(/^curl /, 'curl -sS --fail-with-body --max-time 120 ')
        .replaceAll('localhost:9090', api)
        .replaceAll('.preview.localhost/', `.preview.localhost:${d.edgePort}/`)
        .replace(/\bdemo\b/g, id);
      let out = '';
      try {
        out = execFileSync('sh', ['-c', cmd], { encoding: 'utf8', timeout: 150_000 });
      } catch (err) {
        const e = err as { status: number; stdout: string; stderr: string };
        throw new Error(`${file}: \`${raw}\` failed (exit ${e.status}): ${e.stdout} ${e.stderr}`);
      }
      expect(out, raw).not.toMatch(/"error"/);
    }
  });
});
