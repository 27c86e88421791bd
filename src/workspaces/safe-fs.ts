/**
 * File access confined to one directory tree that an untrusted process (the
 * sandbox user) can change at any moment, including while we walk it.
 *
 * Node has no openat(2), so every lookup goes through a directory fd we hold:
 * `/proc/self/fd/<dirfd>/<name>` makes the kernel jump to exactly that open
 * directory (the magic link is not a path lookup) and then resolve one name in
 * it. Each name is looked up with O_NOFOLLOW, and the ops that take a path
 * (lstat, mkdir, unlink, rmdir, rename) never follow a final symlink. So the
 * only names ever resolved are single components inside directories we already
 * hold open: renaming or swapping anything on the way, at any moment, can make
 * an operation fail but never leave the tree. A symlink anywhere on a path is
 * refused; links are listed, deleted and overwritten as links, never followed.
 */
import { randomBytes } from 'node:crypto';
import { constants as C, type Stats } from 'node:fs';
import { lstat, mkdir, open, readdir, rename, rmdir, unlink, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { ConflictError, InvalidError, NotFoundError, TooLargeError } from '../errors.js';
import { at, errno, explain, symlinkError } from './fs-errors.js';
import { displayPath } from './user-path.js';

export { displayPath, MAX_NAME_BYTES, MAX_PATH_BYTES, resolveUserPath } from './user-path.js';

/** Recursive delete holds one fd per level; deeper trees are refused part-way. */
export const MAX_DELETE_DEPTH = 256;

const DIR_FLAGS = C.O_RDONLY | C.O_DIRECTORY | C.O_NOFOLLOW;
// O_NONBLOCK: a FIFO planted by the tenant must not hang a threadpool thread.
const FILE_READ_FLAGS = C.O_RDONLY | C.O_NOFOLLOW | C.O_NONBLOCK;
const FILE_APPEND_FLAGS = C.O_WRONLY | C.O_APPEND | C.O_CREAT | C.O_NOFOLLOW | C.O_NONBLOCK;
const FILE_NEW_FLAGS = C.O_WRONLY | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW;

export type EntryType = 'file' | 'directory' | 'symlink' | 'other';

export interface EntryInfo {
  segments: string[];
  type: EntryType;
  size: number;
  mtimeMs: number;
  mode: number;
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

/** Compares paths segment by segment: the order of a depth-first walk over sorted names. */
function compareSegments(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return a.length - b.length;
}

async function closeQuietly(fh: FileHandle | undefined): Promise<void> {
  await fh?.close().catch(() => undefined);
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

/** One confined tree. Every method opens the root afresh and closes every fd it opened. */
export class SafeRoot {
  constructor(
    private readonly root: string,
    private readonly owner?: Owner,
  ) {}

  private async openRoot(): Promise<FileHandle> {
    try {
      return await open(this.root, DIR_FLAGS);
    } catch (err) {
      if (errno(err) === 'ENOENT') throw new NotFoundError('the workspace directory does not exist');
      throw err;
    }
  }

  /** Opens `segments` as a directory, one component at a time; creates missing ones when asked. */
  private async openDir(segments: readonly string[], create = false): Promise<FileHandle> {
    let dir = await this.openRoot();
    try {
      for (let i = 0; i < segments.length; i++) {
        const name = segments[i];
        let next: FileHandle;
        try {
          next = await open(at(dir, name), DIR_FLAGS);
        } catch (err) {
          if (!(create && errno(err) === 'ENOENT')) throw await explain(err, segments.slice(0, i + 1), dir, name);
          next = await this.mkdirAt(dir, name, 0o755, true, segments.slice(0, i + 1));
        }
        await dir.close();
        dir = next;
      }
      return dir;
    } catch (err) {
      await closeQuietly(dir);
      throw err;
    }
  }

  /** mkdir + open without following; owner and mode applied only to what we created. */
  private async mkdirAt(dir: FileHandle, name: string, mode: number, existOk: boolean, segments: readonly string[]): Promise<FileHandle> {
    let created = true;
    try {
      await mkdir(at(dir, name), { mode });
    } catch (err) {
      if (!(existOk && errno(err) === 'EEXIST')) throw await explain(err, segments, dir, name);
      created = false;
    }
    let fh: FileHandle;
    try {
      fh = await open(at(dir, name), DIR_FLAGS);
    } catch (err) {
      throw await explain(err, segments, dir, name);
    }
    if (created) {
      try {
        if (this.owner) await fh.chown(this.owner.uid, this.owner.gid);
        await fh.chmod(mode);
      } catch (err) {
        await closeQuietly(fh);
        throw err;
      }
    }
    return fh;
  }

  /** Runs `fn` with the parent directory of a non-root path held open. */
  private async withParent<T>(segments: readonly string[], create: boolean, fn: (parent: FileHandle, name: string) => Promise<T>): Promise<T> {
    if (segments.length === 0) throw new InvalidError('path must name an entry inside the workspace, not its root');
    const parent = await this.openDir(segments.slice(0, -1), create);
    try {
      return await fn(parent, segments[segments.length - 1]);
    } finally {
      await closeQuietly(parent);
    }
  }

  /** lstat: a final symlink is reported, not followed. */
  async stat(segments: string[]): Promise<EntryInfo> {
    if (segments.length === 0) {
      const root = await this.openRoot();
      try {
        return info(segments, await root.stat());
      } finally {
        await closeQuietly(root);
      }
    }
    return this.withParent(segments, false, async (parent, name) => {
      try {
        return info(segments, await lstat(at(parent, name)));
      } catch (err) {
        throw await explain(err, segments, parent, name);
      }
    });
  }

  async list(segments: string[], opts: ListOptions): Promise<ListResult> {
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

    const dir = await this.openDir(segments);
    try {
      await walk(dir, [], 1);
    } finally {
      await closeQuietly(dir);
    }
    const last = entries[entries.length - 1];
    return { entries, truncated, next: full && last ? last.segments.slice(segments.length) : undefined };
  }

  /** Opens a regular file for reading; the caller closes the handle. */
  async openFile(segments: string[]): Promise<{ handle: FileHandle; size: number; mtimeMs: number }> {
    return this.withParent(segments, false, async (parent, name) => {
      let fh: FileHandle;
      try {
        fh = await open(at(parent, name), FILE_READ_FLAGS);
      } catch (err) {
        throw await explain(err, segments, parent, name);
      }
      try {
        const st = await fh.stat();
        if (st.isDirectory()) throw new InvalidError(`${displayPath(segments)}: is a directory`);
        if (!st.isFile()) throw new InvalidError(`${displayPath(segments)}: not a regular file`);
        return { handle: fh, size: st.size, mtimeMs: st.mtimeMs };
      } catch (err) {
        await closeQuietly(fh);
        throw err;
      }
    });
  }

  async readFile(segments: string[], maxBytes: number): Promise<Buffer> {
    const { handle, size } = await this.openFile(segments);
    try {
      if (size > maxBytes) {
        throw new TooLargeError(`${displayPath(segments)} is ${size} bytes, over the limit of ${maxBytes}; download it raw instead`);
      }
      const buf = Buffer.alloc(size);
      let off = 0;
      while (off < size) {
        const { bytesRead } = await handle.read(buf, off, size - off, off);
        if (bytesRead === 0) break;
        off += bytesRead;
      }
      return buf.subarray(0, off);
    } finally {
      await closeQuietly(handle);
    }
  }

  /**
   * Writes a file, creating parent directories. A replace goes to a fresh
   * temp file (O_EXCL) renamed over the target, so readers never see half a
   * file and an oversized upload leaves the old content; an append writes in
   * place and is cut back to the old size on overflow. Returns the file's size.
   */
  async writeFile(segments: string[], data: Buffer | Readable, opts: WriteOptions): Promise<number> {
    return this.withParent(segments, true, async (parent, name) => {
      let existing: Stats | undefined;
      try {
        existing = await lstat(at(parent, name));
      } catch (err) {
        if (errno(err) !== 'ENOENT') throw await explain(err, segments, parent, name);
      }
      if (existing?.isSymbolicLink()) throw symlinkError(segments);
      if (existing?.isDirectory()) throw new InvalidError(`${displayPath(segments)}: is a directory`);
      if (existing && !existing.isFile()) throw new InvalidError(`${displayPath(segments)}: not a regular file`);
      if (opts.append) return this.appendAt(parent, name, segments, data, opts, existing === undefined);
      return this.replaceAt(parent, name, segments, data, opts.mode ?? (existing ? existing.mode & 0o777 : 0o644), opts.maxBytes);
    });
  }

  private async appendAt(parent: FileHandle, name: string, segments: string[], data: Buffer | Readable, opts: WriteOptions, isNew: boolean): Promise<number> {
    let fh: FileHandle;
    try {
      fh = await open(at(parent, name), FILE_APPEND_FLAGS, 0o600);
    } catch (err) {
      throw await explain(err, segments, parent, name);
    }
    try {
      const st = await fh.stat();
      if (!st.isFile()) throw new InvalidError(`${displayPath(segments)}: not a regular file`);
      if (isNew && this.owner) await fh.chown(this.owner.uid, this.owner.gid);
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

  private async replaceAt(parent: FileHandle, name: string, segments: string[], data: Buffer | Readable, mode: number, maxBytes: number): Promise<number> {
    const tmp = `.sandboxed-upload-${randomBytes(8).toString('hex')}`;
    let fh: FileHandle | undefined;
    try {
      fh = await open(at(parent, tmp), FILE_NEW_FLAGS, 0o600);
      if (this.owner) await fh.chown(this.owner.uid, this.owner.gid);
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

  /** Returns whether the final directory was created (false: it existed and `parents` was set). */
  async mkdir(segments: string[], opts: { parents?: boolean; mode?: number } = {}): Promise<boolean> {
    const mode = opts.mode ?? 0o755;
    if (segments.length === 0) {
      if (opts.parents) return false;
      throw new ConflictError('.: already exists');
    }
    return this.withParent(segments, opts.parents ?? false, async (parent, name) => {
      const existed = opts.parents ? await lstat(at(parent, name)).then(() => true, () => false) : false;
      const fh = await this.mkdirAt(parent, name, mode, opts.parents ?? false, segments);
      await closeQuietly(fh);
      return !existed;
    });
  }

  /** Deletes a file, link or empty directory; with `recursive`, a whole tree without following links. */
  async remove(segments: string[], opts: { recursive?: boolean } = {}): Promise<void> {
    await this.withParent(segments, false, async (parent, name) => {
      try {
        await unlink(at(parent, name));
        return;
      } catch (err) {
        if (errno(err) !== 'EISDIR') throw await explain(err, segments, parent, name);
      }
      try {
        if (opts.recursive) await emptyDir(parent, name, 0);
        await rmdir(at(parent, name));
      } catch (err) {
        throw await explain(err, segments, parent, name);
      }
    });
  }
}

/**
 * Empties `parent/name` through fds only. unlink never follows a link and
 * answers EISDIR for a directory, which is then opened with O_NOFOLLOW and
 * emptied the same way, so d_type is never trusted. Names stay raw bytes, so
 * entries whose names are not UTF-8 are deleted too.
 */
async function emptyDir(parent: FileHandle, name: string | Buffer, depth: number): Promise<void> {
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

function info(segments: string[], st: Stats): EntryInfo {
  return { segments, type: typeOf(st), size: st.size, mtimeMs: st.mtimeMs, mode: st.mode & 0o7777 };
}
