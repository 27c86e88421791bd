/**
 * The Files service on real temp dirs (no Docker): round trips, limits,
 * ownership, and the attacks a tenant can mount from inside its workspace —
 * planted symlinks, escapes in every spelling, and a directory swapped for a
 * link while requests run. Nothing outside the workspace may be read or changed.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DomainError } from '../../src/errors.js';
import { FilesService, parseMode } from '../../src/workspaces/files.js';
import { resolveUserPath, SafeRoot } from '../../src/workspaces/safe-fs.js';

const MAX = 64 * 1024;
const ID = 'alpha';
const PEER = 'beta';
const isRoot = process.getuid?.() === 0;
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

let base: string;
let dataDir: string;
let ws: string;
let peerWs: string;
let outside: string;
let files: FilesService;
const passwdBefore = fs.readFileSync('/etc/passwd');

/** Everything outside the workspace under test, as path → sha256 (links as their target). */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const p = path.join(e.parentPath, e.name);
    out[p] = e.isFile() ? sha256(fs.readFileSync(p)) : e.isSymbolicLink() ? `-> ${fs.readlinkSync(p)}` : e.isDirectory() ? 'dir' : 'other';
  }
  return out;
}

async function refusal(p: Promise<unknown>): Promise<DomainError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'expected the operation to be refused').toBeInstanceOf(DomainError);
  return err as DomainError;
}

beforeAll(() => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'safe-fs-'));
  dataDir = path.join(base, 'data');
  outside = path.join(base, 'outside');
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'sentinel'), 'OUTSIDE-SECRET');
  fs.writeFileSync(path.join(outside, 'victim'), 'do not delete');
  peerWs = path.join(dataDir, 'workspaces', PEER);
  fs.mkdirSync(peerWs, { recursive: true });
  fs.writeFileSync(path.join(peerWs, 'secret.txt'), 'PEER-SECRET');
  // The files service over plain directories (quotas are the integration tests' business).
  const owner = isRoot ? { uid: 1000, gid: 1000 } : undefined;
  files = new FilesService({ root: (id) => new SafeRoot(path.join(dataDir, 'workspaces', id), owner) }, { maxFileBytes: MAX });
});

beforeEach(() => {
  ws = path.join(dataDir, 'workspaces', ID);
  fs.rmSync(ws, { recursive: true, force: true });
  fs.mkdirSync(ws, { recursive: true });
});

afterAll(() => {
  // A safety net only: the assertions below fail loudly if this was ever needed.
  if (!fs.readFileSync('/etc/passwd').equals(passwdBefore)) fs.writeFileSync('/etc/passwd', passwdBefore);
  fs.rmSync(base, { recursive: true, force: true });
});

describe('round trips', () => {
  it('writes and reads text, creating parent directories', async () => {
    const w = await files.write(ID, { path: 'workspace/app/src/index.js', content: 'console.log("hé")\n' });
    expect(w).toEqual({ path: '/home/sandbox/workspace/app/src/index.js', size: Buffer.byteLength('console.log("hé")\n') });
    expect(fs.readFileSync(path.join(ws, 'workspace/app/src/index.js'), 'utf8')).toBe('console.log("hé")\n');
    const r = await files.read(ID, '/home/sandbox/workspace/app/src/index.js');
    expect(r.content.toString('utf8')).toBe('console.log("hé")\n');
  });

  it('round-trips binary through base64, the JSON read and the stream', async () => {
    const bytes = randomBytes(MAX);
    await files.write(ID, { path: 'bin/blob', content: bytes.toString('base64'), encoding: 'base64' });
    expect(sha256((await files.read(ID, 'bin/blob')).content)).toBe(sha256(bytes));
    const s = await files.openRead(ID, 'bin/blob');
    const chunks: Buffer[] = [];
    for await (const c of s.stream) chunks.push(c as Buffer);
    expect(s.size).toBe(MAX);
    expect(sha256(Buffer.concat(chunks))).toBe(sha256(bytes));
  });

  it('streams an upload to disk and replaces the old content atomically', async () => {
    fs.writeFileSync(path.join(ws, 'up.bin'), 'old');
    const bytes = randomBytes(MAX - 1);
    const r = await files.upload(ID, 'up.bin', Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]));
    expect(r.size).toBe(MAX - 1);
    expect(sha256(fs.readFileSync(path.join(ws, 'up.bin')))).toBe(sha256(bytes));
    expect(fs.readdirSync(ws)).toEqual(['up.bin']);
  });

  it('appends, and keeps the mode of a replaced file', async () => {
    await files.write(ID, { path: 'log.txt', content: 'a\n', mode: '600' });
    await files.write(ID, { path: 'log.txt', content: 'b\n', append: true });
    expect(fs.readFileSync(path.join(ws, 'log.txt'), 'utf8')).toBe('a\nb\n');
    await files.write(ID, { path: 'log.txt', content: 'c\n' });
    expect(fs.readFileSync(path.join(ws, 'log.txt'), 'utf8')).toBe('c\n');
    expect(fs.statSync(path.join(ws, 'log.txt')).mode & 0o777).toBe(0o600);
  });

  it('makes directories, refusing an existing one unless parents is set', async () => {
    expect(await files.mkdir(ID, 'a/b/c', { parents: true })).toEqual({ path: '/home/sandbox/a/b/c', created: true });
    expect((await files.mkdir(ID, 'a/b/c', { parents: true })).created).toBe(false);
    expect((await refusal(files.mkdir(ID, 'a/b/c'))).code).toBe('conflict');
    expect((await refusal(files.mkdir(ID, 'x/y'))).code).toBe('not_found');
    expect(fs.statSync(path.join(ws, 'a/b/c')).isDirectory()).toBe(true);
  });

  it('deletes a file, an empty directory, and a tree only when recursive', async () => {
    fs.mkdirSync(path.join(ws, 'tree/deep/er'), { recursive: true });
    fs.writeFileSync(path.join(ws, 'tree/deep/er/f'), 'x');
    fs.writeFileSync(path.join(ws, 'file'), 'x');
    fs.mkdirSync(path.join(ws, 'empty'));
    const notUtf8 = Buffer.concat([Buffer.from(path.join(ws, 'tree/')), Buffer.from([0xff, 0xfe])]);
    fs.mkdirSync(notUtf8);
    fs.writeFileSync(Buffer.concat([notUtf8, Buffer.from('/f')]), 'x');
    await files.remove(ID, 'file');
    await files.remove(ID, 'empty');
    expect((await refusal(files.remove(ID, 'tree'))).code).toBe('conflict');
    await files.remove(ID, 'tree', true);
    expect(fs.readdirSync(ws)).toEqual([]);
    expect((await refusal(files.remove(ID, 'file'))).code).toBe('not_found');
    expect((await refusal(files.remove(ID, ''))).code).toBe('invalid');
  });

  it('reports directories, reading one as a file is a 400', async () => {
    fs.mkdirSync(path.join(ws, 'd'));
    expect((await files.stat(ID, 'd')).type).toBe('directory');
    expect((await refusal(files.read(ID, 'd'))).code).toBe('invalid');
    expect((await refusal(files.write(ID, { path: 'd', content: 'x' }))).code).toBe('invalid');
  });
});

describe('listing', () => {
  beforeEach(() => {
    for (const d of ['a/x', 'a/y/z', 'b', 'a-b']) fs.mkdirSync(path.join(ws, d), { recursive: true });
    for (const f of ['a/x/1', 'a/x/2', 'a/y/z/3', 'b/4', 'a-b/5', 'top']) fs.writeFileSync(path.join(ws, f), f);
    fs.symlinkSync('/etc', path.join(ws, 'etc-link'));
  });

  it('lists one directory with types, sizes and mtimes; links are not followed', async () => {
    const l = await files.list(ID, '');
    expect(l.entries.map((e) => [e.name, e.type])).toEqual([
      ['a', 'directory'],
      ['a-b', 'directory'],
      ['b', 'directory'],
      ['etc-link', 'symlink'],
      ['top', 'file'],
    ]);
    expect(l.entries.find((e) => e.name === 'top')).toMatchObject({ path: '/home/sandbox/top', size: 3 });
    expect(Date.parse(l.entries[0].mtime)).toBeGreaterThan(0);
    expect(l.truncated).toBe(false);
  });

  it('lists recursively without entering links, and pages with a cursor', async () => {
    const all = await files.list(ID, '/home/sandbox', { recursive: true });
    const paths = all.entries.map((e) => e.path.replace('/home/sandbox/', ''));
    expect(paths).toEqual(['a', 'a/x', 'a/x/1', 'a/x/2', 'a/y', 'a/y/z', 'a/y/z/3', 'a-b', 'a-b/5', 'b', 'b/4', 'etc-link', 'top']);
    const paged: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 20; i++) {
      const page = await files.list(ID, '', { recursive: true, limit: 3, cursor });
      paged.push(...page.entries.map((e) => e.path.replace('/home/sandbox/', '')));
      cursor = page.nextCursor;
      if (!cursor) break;
      expect(page.truncated).toBe(true);
    }
    expect(paged).toEqual(paths);
  });

  it('caps depth and flags it', async () => {
    const l = await files.list(ID, 'a', { recursive: true, maxDepth: 1 });
    expect(l.entries.map((e) => e.name)).toEqual(['x', 'y']);
    expect(l.truncated).toBe(true);
    expect(l.nextCursor).toBeUndefined();
  });

  it('rejects a forged cursor', async () => {
    const forged = Buffer.from(JSON.stringify(['..', 'etc'])).toString('base64url');
    expect((await refusal(files.list(ID, '', { cursor: forged }))).code).toBe('invalid');
  });
});

describe('limits, modes and ownership', () => {
  it('refuses content over maxFileBytes and leaves no partial file', async () => {
    expect((await refusal(files.write(ID, { path: 'big', content: 'x'.repeat(MAX + 1) }))).code).toBe('too_large');
    expect((await refusal(files.upload(ID, 'big', Readable.from([randomBytes(MAX), randomBytes(10)])))).code).toBe('too_large');
    expect((await refusal(files.upload(ID, 'big', Readable.from([]), { declaredBytes: MAX + 1 }))).code).toBe('too_large');
    expect(fs.readdirSync(ws)).toEqual([]);
    fs.writeFileSync(path.join(ws, 'big'), randomBytes(MAX + 1));
    expect((await refusal(files.read(ID, 'big'))).code).toBe('too_large');
    const big = await files.openRead(ID, 'big');
    big.stream.destroy();
    expect(big.size).toBe(MAX + 1);
  });

  it('cuts an overflowing append back to the old content', async () => {
    fs.writeFileSync(path.join(ws, 'log'), 'keep');
    expect((await refusal(files.upload(ID, 'log', Readable.from([randomBytes(MAX)]), { append: true }))).code).toBe('too_large');
    expect(fs.readFileSync(path.join(ws, 'log'), 'utf8')).toBe('keep');
  });

  it('accepts modes as octal strings or numbers, permission bits only', () => {
    expect(parseMode('644')).toBe(0o644);
    expect(parseMode('0755')).toBe(0o755);
    expect(parseMode('0o600')).toBe(0o600);
    expect(parseMode(0o640)).toBe(0o640);
    for (const bad of ['4755', '1777', 'rwx', '999', 0o4755, -1, 1.5]) expect(() => parseMode(bad)).toThrow(DomainError);
  });

  it.runIf(isRoot)('creates files 0644 and directories 0755 owned by uid 1000', async () => {
    await files.write(ID, { path: 'p/q/f.txt', content: 'x' });
    await files.upload(ID, 'p/up', Readable.from([Buffer.from('y')]));
    await files.mkdir(ID, 'p/m', {});
    await files.write(ID, { path: 'p/appended', content: 'z', append: true });
    for (const [rel, mode] of [['p', 0o755], ['p/q', 0o755], ['p/q/f.txt', 0o644], ['p/up', 0o644], ['p/m', 0o755], ['p/appended', 0o644]] as const) {
      const st = fs.statSync(path.join(ws, rel));
      expect([rel, st.uid, st.gid, st.mode & 0o7777]).toEqual([rel, 1000, 1000, mode]);
    }
  });
});

describe('escapes are refused before touching the disk', () => {
  const bad = [
    '..',
    '../beta/secret.txt',
    'a/../../beta/secret.txt',
    '%2e%2e/beta/secret.txt',
    '%2E%2E%2Fbeta',
    'a%2F..%2F..%2Fetc',
    '..%5c..%5cetc',
    'a\0b',
    '/etc/passwd',
    '/home/sandboxx/a',
    '/home/other/x',
    '/',
    'a/' + 'x'.repeat(256),
    'a/'.repeat(2049),
  ];

  it.each(bad.map((p) => [JSON.stringify(p).slice(0, 60), p]))('%s', async (_label, p) => {
    expect(() => resolveUserPath(p)).toThrow(DomainError);
    for (const op of [files.read(ID, p), files.write(ID, { path: p, content: 'pwned' }), files.list(ID, p), files.remove(ID, p, true)]) {
      expect((await refusal(op)).code).toBe('invalid');
    }
  });

  it('accepts the ordinary spellings of a path inside', () => {
    expect(resolveUserPath('')).toEqual([]);
    expect(resolveUserPath('/home/sandbox')).toEqual([]);
    expect(resolveUserPath('/home/sandbox/./a//b/')).toEqual(['a', 'b']);
    expect(resolveUserPath('a%20b/50%off')).toEqual(['a%20b', '50%off']);
    expect(resolveUserPath('x'.repeat(255))).toHaveLength(1);
  });
});

describe('planted symlinks are never followed', () => {
  let before: Record<string, string>;
  beforeEach(() => {
    before = { ...snapshot(outside), ...snapshot(peerWs) };
  });
  const unchanged = () => {
    expect({ ...snapshot(outside), ...snapshot(peerWs) }).toEqual(before);
    expect(fs.readFileSync('/etc/passwd').equals(passwdBefore)).toBe(true);
  };

  it('refuses to read or write through a link to /etc/passwd', async () => {
    fs.symlinkSync('/etc/passwd', path.join(ws, 'passwd'));
    const err = await refusal(files.read(ID, 'passwd'));
    expect(err.code).toBe('invalid');
    expect(err.message).toContain('symbolic link');
    await refusal(files.openRead(ID, 'passwd'));
    await refusal(files.write(ID, { path: 'passwd', content: 'root::0:0::/:/bin/sh\n' }));
    await refusal(files.write(ID, { path: 'passwd', content: 'x', append: true }));
    await refusal(files.upload(ID, 'passwd', Readable.from([Buffer.from('x')])));
    expect((await files.stat(ID, 'passwd')).type).toBe('symlink');
    unchanged();
  });

  it('refuses a path through a symlinked parent directory', async () => {
    fs.symlinkSync('/etc', path.join(ws, 'etc-link'));
    fs.symlinkSync(outside, path.join(ws, 'out'));
    for (const p of ['etc-link/passwd', 'out/sentinel', 'out/new.txt']) {
      expect((await refusal(files.read(ID, p))).message).toContain('symbolic link');
      expect((await refusal(files.write(ID, { path: p, content: 'x' }))).message).toContain('symbolic link');
      await refusal(files.remove(ID, p, true));
      await refusal(files.mkdir(ID, `${p}/d`, { parents: true }));
    }
    await refusal(files.list(ID, 'etc-link'));
    await refusal(files.remove(ID, 'out/victim'));
    unchanged();
    expect(fs.existsSync('/etc/new.txt')).toBe(false);
  });

  it('refuses a link into another sandbox workspace', async () => {
    fs.symlinkSync(peerWs, path.join(ws, 'peer'));
    fs.symlinkSync(path.join(peerWs, 'secret.txt'), path.join(ws, 'peer-secret'));
    await refusal(files.read(ID, 'peer/secret.txt'));
    await refusal(files.read(ID, 'peer-secret'));
    await refusal(files.write(ID, { path: 'peer/secret.txt', content: 'owned' }));
    await refusal(files.write(ID, { path: 'peer-secret', content: 'owned' }));
    await refusal(files.list(ID, 'peer', { recursive: true }));
    unchanged();
  });

  it('does not create the target of a dangling link', async () => {
    fs.symlinkSync(path.join(outside, 'created'), path.join(ws, 'dangle'));
    await refusal(files.write(ID, { path: 'dangle', content: 'x' }));
    await refusal(files.write(ID, { path: 'dangle', content: 'x', append: true }));
    expect(fs.existsSync(path.join(outside, 'created'))).toBe(false);
    unchanged();
  });

  it('deletes links as links, and a recursive delete never descends into one', async () => {
    fs.mkdirSync(path.join(ws, 'tree'));
    fs.symlinkSync(outside, path.join(ws, 'tree/out'));
    fs.symlinkSync(path.join(outside, 'victim'), path.join(ws, 'tree/victim'));
    fs.symlinkSync(outside, path.join(ws, 'out'));
    await files.remove(ID, 'out');
    await files.remove(ID, 'tree', true);
    expect(fs.readdirSync(ws)).toEqual([]);
    unchanged();
  });

  it('refuses a FIFO without hanging', async () => {
    execFileSync('mkfifo', [path.join(ws, 'fifo')]);
    expect((await refusal(files.read(ID, 'fifo'))).message).toContain('not a regular file');
    await refusal(files.write(ID, { path: 'fifo', content: 'x', append: true }));
  });
});

describe('a directory swapped for a link while requests run', () => {
  it('never reads or changes anything outside', async () => {
    fs.writeFileSync(path.join(outside, 'data.txt'), 'OUTSIDE-SECRET');
    const before = snapshot(outside);
    fs.mkdirSync(path.join(ws, 'real'));
    fs.writeFileSync(path.join(ws, 'real/data.txt'), 'inside');
    fs.symlinkSync(outside, path.join(ws, 'link'));
    // A real thread renames a real directory and a link to outside in and out of swap/.
    const worker = new Worker(
      `const fs = require('node:fs'); const { workerData: w } = require('node:worker_threads');
       const flip = (from, to) => { try { fs.renameSync(from, to); } catch {} };
       for (;;) {
         flip(w.real, w.swap); flip(w.swap, w.real); flip(w.link, w.swap); flip(w.swap, w.link);
         try { fs.rmSync(w.swap, { recursive: true }); } catch {} // a swap/ the writes created meanwhile
       }`,
      { eval: true, workerData: { swap: path.join(ws, 'swap'), real: path.join(ws, 'real'), link: path.join(ws, 'link') } },
    );
    const tally = { ok: 0, refused: 0 };
    const attempt = async (p: Promise<unknown>, check?: (v: unknown) => unknown) => {
      try {
        const v = await p;
        await check?.(v);
        tally.ok++;
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        tally.refused++;
      }
    };
    try {
      for (let i = 0; i < 400; i++) {
        await Promise.all([
          attempt(files.read(ID, 'swap/data.txt'), (v) => expect((v as { content: Buffer }).content.toString()).toBe('inside')),
          attempt(files.openRead(ID, 'swap/data.txt'), async (v) => {
            const s = (v as { stream: Readable }).stream;
            expect(await text(s)).toBe('inside');
          }),
          attempt(files.write(ID, { path: 'swap/new.txt', content: 'x' })),
          attempt(files.write(ID, { path: 'swap/data.txt', content: 'inside', append: false })),
          attempt(files.list(ID, 'swap', { recursive: true }), (v) =>
            expect(JSON.stringify(v)).not.toContain('sentinel'),
          ),
          attempt(files.mkdir(ID, 'swap/newdir/sub', { parents: true })),
          attempt(files.remove(ID, 'swap/victim')),
          attempt(files.remove(ID, 'swap/newdir', true)),
        ]);
      }
    } finally {
      await worker.terminate();
    }
    expect(snapshot(outside)).toEqual(before);
    expect(tally.ok).toBeGreaterThan(0);
    expect(tally.refused).toBeGreaterThan(0);
  });
});
