/**
 * The fd-relative building blocks of SafeRoot (safe-fs.ts): flags that never
 * follow a link or block on a FIFO, listing, writing and recursive delete
 * through directory fds only. Nothing here takes a path string from a user.
 */
import { randomBytes } from 'node:crypto';
import { constants as C, type Stats } from 'node:fs';
import { lstat, open, readdir, rename, rmdir, unlink, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { InvalidError, TooLargeError } from '../errors.js';
import { at, errno, explain } from './fs-errors.js';
import { displayPath } from './user-path.js';

/** Recursive delete holds one fd per level; deeper trees are refused part-way. */
export const MAX_DELETE_DEPTH = 256;

export const DIR_FLAGS = C.O_RDONLY | C.O_DIRECTORY | C.O_NOFOLLOW;
// O_NONBLOCK: a FIFO planted by the tenant must not hang a threadpool thread.
export const FILE_READ_FLAGS = C.O_RDONLY | C.O_NOFOLLOW | C.O_NONBLOCK;
const FILE_APPEND_FLAGS = C.O_WRONLY | C.O_APPEND | C.O_CREAT | C.O_NOFOLLOW | C.O_NONBLOCK;
const FILE_NEW_FLAGS = C.O_WRONLY | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW;

export type EntryType = 'file' | 'directory' | 'symlink' | 'other';

export interface EntryInfo {
  segments: string[];
  type: EntryType;
  size: number;
  mtimeMs: number;
  mode: number;
  uid: number;
  gid: number;
}

export interface ListOptions {
  recursive: boolean;
  limit: number;
  /** Levels below the listed directory to enter when recursive (1 = its children only). */
  maxDepth: number;
  /** Resume after this entry (segments relative to the listed directory). */
  after?: string[];
}

export interface ListResult {
  entries: EntryInfo[];
  /** Something was left out: the page is full (see next) or the depth limit was hit. */
  truncated: boolean;
  /** The last entry returned when more entries follow it. */
  next?: string[];
}

export interface WriteOptions {
  append?: boolean;
  /** Permission bits; new files default to 0644, replaced files keep their mode. */
  mode?: number;
  maxBytes: number;
}

/** Owner for everything created; undefined leaves the process's own (tests as non-root). */
export interface Owner {
  uid: number;
  gid: number;
}


function typeOf(st: Stats): EntryType {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'directory';
  if (st.isSymbolicLink()) return 'symlink';
  return 'other';
}

export async function closeQuietly(fh: FileHandle | undefined): Promise<void> {
  await fh?.close().catch(() => undefined);
}

/** One confined tree. Every method opens the root afresh and closes every fd it opened. */
export function info(segments: string[], st: Stats): EntryInfo {
  return { segments, type: typeOf(st), size: st.size, mtimeMs: st.mtimeMs, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
}

/** Compares paths segment by segment: the order of a depth-first walk over sorted names. */
function compareSegments(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return a.length - b.length;
}

/** Writes a buffer or a stream at the handle's position; throws TooLargeError past `limit` bytes. */
async function writeAll(fh: FileHandle, data: Buffer | Readable, limit: number): Promise<number> {
  if (Buffer.isBuffer(data)) {
    if (data.length > limit) throw new TooLargeError(`content is larger than the limit of ${limit} bytes`);
    await fh.writeFile(data);
    return data.length;
  }
  let total = 0;
  // destroyOnReturn false: on overflow the request stays readable so the 413 can still be sent.
  for await (const chunk of data.iterator({ destroyOnReturn: false })) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    total += buf.length;
    if (total > limit) throw new TooLargeError(`content is larger than the limit of ${limit} bytes`);
    await fh.write(buf);
  }
  return total;
}

/** Lists `dir` (the directory at `segments`), recursing without ever following a link. */
export async function listTree(dir: FileHandle, segments: string[], opts: ListOptions): Promise<ListResult> {
  const entries: EntryInfo[] = [];
  let truncated = false;
  let full = false;
  const after = opts.after;

  const walk = async (dir: FileHandle, rel: string[], depth: number): Promise<void> => {
    const names = (await readdir(`/proc/self/fd/${dir.fd}`)).sort();
    for (const name of names) {
      const p = [...rel, name];
      const cmp = after ? compareSegments(p, after) : 1;
      const onCursorPath = after !== undefined && cmp <= 0 && p.every((s, i) => after[i] === s);
      if (cmp <= 0 && !onCursorPath) continue;
      let st: Stats;
      try {
        st = await lstat(at(dir, name));
      } catch {
        continue; // removed while we listed
      }
      if (cmp > 0) {
        if (entries.length >= opts.limit) {
          truncated = full = true;
          return;
        }
        entries.push(info([...segments, ...p], st));
      }
      if (!opts.recursive || !st.isDirectory()) continue;
      if (depth >= opts.maxDepth) {
        truncated = true;
        continue;
      }
      let child: FileHandle;
      try {
        child = await open(at(dir, name), DIR_FLAGS);
      } catch {
        continue; // swapped for a link or removed: skipped, never followed
      }
      try {
        await walk(child, p, depth + 1);
      } finally {
        await closeQuietly(child);
      }
      if (full) return;
    }
  };

  await walk(dir, [], 1);
  const last = entries[entries.length - 1];
  return { entries, truncated, next: full && last ? last.segments.slice(segments.length) : undefined };
}

export async function appendAt(
  parent: FileHandle,
  name: string,
  segments: string[],
  data: Buffer | Readable,
  opts: WriteOptions,
  isNew: boolean,
  owner?: Owner,
): Promise<number> {
  let fh: FileHandle;
  try {
    fh = await open(at(parent, name), FILE_APPEND_FLAGS, 0o600);
  } catch (err) {
    throw await explain(err, segments, parent, name);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new InvalidError(`${displayPath(segments)}: not a regular file`);
    if (isNew && owner) await fh.chown(owner.uid, owner.gid);
    if (isNew || opts.mode !== undefined) await fh.chmod(opts.mode ?? 0o644);
    try {
      return st.size + (await writeAll(fh, data, Math.max(0, opts.maxBytes - st.size)));
    } catch (err) {
      await fh.truncate(st.size).catch(() => undefined);
      throw err;
    }
  } finally {
    await closeQuietly(fh);
  }
}

/** A fresh temp file (O_EXCL) renamed over the target: readers never see half a file. */
export async function replaceAt(
  parent: FileHandle,
  name: string,
  segments: string[],
  data: Buffer | Readable,
  mode: number,
  maxBytes: number,
  owner?: Owner,
): Promise<number> {
  const tmp = `.sandboxed-upload-${randomBytes(8).toString('hex')}`;
  let fh: FileHandle | undefined;
  try {
    fh = await open(at(parent, tmp), FILE_NEW_FLAGS, 0o600);
    if (owner) await fh.chown(owner.uid, owner.gid);
    const size = await writeAll(fh, data, maxBytes);
    await fh.chmod(mode);
    await fh.close();
    fh = undefined;
    // rename replaces the entry itself: a link planted meanwhile is replaced, not followed.
    await rename(at(parent, tmp), at(parent, name));
    return size;
  } catch (err) {
    await closeQuietly(fh);
    await unlink(at(parent, tmp)).catch(() => undefined);
    throw await explain(err, segments, parent, name);
  }
}

/**
 * Empties `parent/name` through fds only. unlink never follows a link and
 * answers EISDIR for a directory, which is then opened with O_NOFOLLOW and
 * emptied the same way, so d_type is never trusted. Names stay raw bytes, so
 * entries whose names are not UTF-8 are deleted too.
 */
export async function emptyDir(parent: FileHandle, name: string | Buffer, depth: number): Promise<void> {
  if (depth >= MAX_DELETE_DEPTH) throw new InvalidError(`directory tree deeper than ${MAX_DELETE_DEPTH} levels; delete it in parts`);
  const dir = await open(atRaw(parent, name), DIR_FLAGS);
  try {
    for (const child of await readdir(`/proc/self/fd/${dir.fd}`, { encoding: 'buffer' })) {
      try {
        await unlink(atRaw(dir, child));
      } catch (err) {
        if (errno(err) === 'ENOENT') continue;
        if (errno(err) !== 'EISDIR') throw err;
        await emptyDir(dir, child, depth + 1);
        await rmdir(atRaw(dir, child)).catch((e) => {
          if (errno(e) !== 'ENOENT') throw e;
        });
      }
    }
  } finally {
    await closeQuietly(dir);
  }
}

function atRaw(dir: FileHandle, name: string | Buffer): Buffer {
  return Buffer.concat([Buffer.from(`/proc/self/fd/${dir.fd}/`), Buffer.isBuffer(name) ? name : Buffer.from(name)]);
}

