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

/**
 * The command lines of a Markdown file's sh blocks that call curl (continuation
 * lines joined, trailing comments dropped), in order. They run as one script, so
 * a line like `TASK=$(curl … | jq -r .id)` feeds the ones after it.
 */
export function curlsOf(markdown: string): string[] {
  const blocks = [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
  const commands: string[] = [];
  for (const block of blocks) {
    const joined = block.replace(/\\\n\s*/g, ' ');
    for (const line of joined.split('\n')) {
      const cmd = line.replace(/\s+#\s.*$/, '').trim();
      if (/(^|\$\()curl /.test(cmd)) commands.push(cmd);
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
    const script = [
      'set -euo pipefail',
      ...curls.map((raw) => {
        const cmd = raw
          .replace(/(^|\$\()curl /g, '$1curl -sS --fail-with-body --max-time 120 ')
          .replaceAll('localhost:9090', api)
          .replaceAll('.preview.localhost/', `.preview.localhost:${d.edgePort}/`)
          .replace(/\bdemo\b/g, id);
        const shown = `'>>> ${raw.replaceAll("'", "'\\''")}'`;
        return `printf '%s\\n' ${shown} >&2\n${cmd} >/dev/null`;
      }),
    ].join('\n');
    try {
      execFileSync('bash', ['-c', script], { encoding: 'utf8', timeout: 600_000, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      const e = err as { status: number; stderr: string };
      throw new Error(`${file}: a documented command failed (exit ${e.status}):\n${e.stderr.split('\n').slice(-6).join('\n')}`);
    }
  });
});
