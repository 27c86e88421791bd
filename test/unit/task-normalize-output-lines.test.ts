/** Reading out.jsonl from an offset: complete lines only, over-long lines skipped, across calls. */
import { mkdtempSync, writeFileSync, appendFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLines } from '../../src/tasks/files.js';

function tmpFile(content: string): string {
  const f = path.join(mkdtempSync(path.join(os.tmpdir(), 'lines-')), 'out.jsonl');
  writeFileSync(f, content);
  return f;
}

const text = (b: Buffer[]) => b.map((x) => x.toString());

describe('readLines', () => {
  it('returns complete lines and leaves a partial last line for later', async () => {
    const f = tmpFile('{"a":1}\n\n{"b":2}\n{"c"');
    const fh = await open(f);
    const r1 = await readLines(fh, 0, false);
    expect(text(r1.lines)).toEqual(['{"a":1}', '{"b":2}']);
    expect(r1.offset).toBe(17);
    expect(await readLines(fh, r1.offset, false)).toMatchObject({ lines: [], offset: 17 });
    appendFileSync(f, ':3}\n');
    const r2 = await readLines(fh, r1.offset, false);
    expect(text(r2.lines)).toEqual(['{"c":3}']);
    await fh.close();
  });

  it('skips a line longer than the limit up to its newline, even across reads', async () => {
    const f = tmpFile(`${'x'.repeat(25)}`);
    const fh = await open(f);
    const r1 = await readLines(fh, 0, false, 10);
    expect(r1).toMatchObject({ lines: [], offset: 10, discarding: true, skipped: 10 });
    appendFileSync(f, 'yy\n{"ok":1}\n');
    const r2 = await readLines(fh, r1.offset, r1.discarding, 10);
    expect(r2).toMatchObject({ lines: [], offset: 20, discarding: true });
    const r3 = await readLines(fh, r2.offset, r2.discarding, 10);
    expect(text(r3.lines)).toEqual([]);
    expect(r3.discarding).toBe(false);
    const r4 = await readLines(fh, r3.offset, r3.discarding, 10);
    expect(text(r4.lines)).toEqual(['{"ok":1}']);
    await fh.close();
  });
});
