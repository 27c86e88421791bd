/** Reading out.jsonl from an offset in bounded batches: complete lines only, at most N lines and one buffer of bytes. */
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BATCH_BYTES, MAX_BATCH_LINES, MAX_LINE_BYTES, readBatch } from '../../src/tasks/files.js';

let fh: FileHandle | undefined;
afterEach(async () => {
  await fh?.close();
  fh = undefined;
});

async function file(content: string): Promise<{ f: string; fh: FileHandle }> {
  const f = path.join(mkdtempSync(path.join(os.tmpdir(), 'lines-')), 'out.jsonl');
  writeFileSync(f, content);
  fh = await open(f);
  return { f, fh };
}

const size = async (h: FileHandle) => (await h.stat()).size;
const text = (b: Buffer[]) => b.map((x) => x.toString());

describe('readBatch', () => {
  it('returns complete lines with their end offsets and leaves a partial last line for later', async () => {
    const { f, fh } = await file('{"a":1}\n\n{"b":2}\n{"c"');
    const r1 = await readBatch(fh, 0, await size(fh), Buffer.alloc(64));
    expect(text(r1.lines)).toEqual(['{"a":1}', '', '{"b":2}']);
    expect(r1.ends).toEqual([8, 9, 17]);
    expect(r1.tooLong).toBe(false);
    expect(await readBatch(fh, 17, await size(fh), Buffer.alloc(64))).toEqual({ lines: [], ends: [], tooLong: false });
    appendFileSync(f, ':3}\n');
    const r2 = await readBatch(fh, 17, await size(fh), Buffer.alloc(64));
    expect(text(r2.lines)).toEqual(['{"c":3}']);
    expect(r2.ends).toEqual([25]);
  });

  it('reads no further than the size it is given (the size the caller checked against its cap)', async () => {
    const { fh } = await file('one\ntwo\n');
    expect(text((await readBatch(fh, 0, 4, Buffer.alloc(64))).lines)).toEqual(['one']);
  });

  it.each([
    ['a line that fills the buffer with its newline', `${'x'.repeat(9)}\n`, { lines: 1, tooLong: false }],
    ['a line one byte too long', `${'x'.repeat(10)}\n`, { lines: 0, tooLong: true }],
    ['a long line still being written', 'x'.repeat(25), { lines: 0, tooLong: true }],
    ['a short partial line', 'x'.repeat(5), { lines: 0, tooLong: false }],
    ['a complete line, then a long one', `ok\n${'x'.repeat(25)}`, { lines: 1, tooLong: false }],
  ])('with a 10-byte buffer: %s', async (_name, content, want) => {
    const { fh } = await file(content);
    const r = await readBatch(fh, 0, await size(fh), Buffer.alloc(10));
    expect({ lines: r.lines.length, tooLong: r.tooLong }).toEqual(want);
  });

  it(`stops at ${MAX_BATCH_LINES} lines and goes on from the last one's end`, async () => {
    const { fh } = await file('{}\n'.repeat(MAX_BATCH_LINES + 20));
    const buf = Buffer.alloc(BATCH_BYTES);
    const r1 = await readBatch(fh, 0, await size(fh), buf);
    expect(r1.lines).toHaveLength(MAX_BATCH_LINES);
    expect(r1.ends.at(-1)).toBe(3 * MAX_BATCH_LINES);
    const r2 = await readBatch(fh, r1.ends.at(-1)!, await size(fh), buf);
    expect(r2.lines).toHaveLength(20);
  });

  it('takes a line of exactly MAX_LINE_BYTES in one batch', async () => {
    const { fh } = await file(`${'x'.repeat(MAX_LINE_BYTES)}\n${'y'.repeat(MAX_LINE_BYTES + 1)}\n`);
    const buf = Buffer.alloc(BATCH_BYTES);
    const r1 = await readBatch(fh, 0, await size(fh), buf);
    expect(r1.lines.map((l) => l.length)).toEqual([MAX_LINE_BYTES]);
    expect((await readBatch(fh, r1.ends[0], await size(fh), buf)).tooLong).toBe(true);
  });
});
