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
import type { Stats } from 'node:fs';
import { lstat, mkdir, open, rmdir, stat, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { ConflictError, InvalidError, NotFoundError, TooLargeError, UnavailableError } from '../errors.js';
import {
  appendAt,
  closeQuietly,
  DIR_FLAGS,
  emptyDir,
  FILE_READ_FLAGS,
  info,
  listTree,
  replaceAt,
  type EntryInfo,
  type ListOptions,
  type ListResult,
  type Owner,
  type WriteOptions,
} from './fd-ops.js';
import { at, errno, explain, symlinkError } from './fs-errors.js';
import { displayPath } from './user-path.js';

export { displayPath, MAX_NAME_BYTES, MAX_PATH_BYTES, resolveUserPath } from './user-path.js';
export { MAX_DELETE_DEPTH, type EntryInfo, type EntryType, type ListOptions, type ListResult, type Owner, type WriteOptions } from './fd-ops.js';

/** One confined tree. Every method opens the root afresh and closes every fd it opened. */
export class SafeRoot {
  constructor(
    private readonly root: string,
    private readonly owner?: Owner,
    /** The root must be a mount point (a quota'd workspace): never write to the disk under it. */
    private readonly requireMount = false,
    /** True while the disk is being released (holders.ts): an open now could keep it from unmounting. */
    private readonly releasing: () => boolean = () => false,
  ) {}

  private async openRoot(): Promise<FileHandle> {
    if (this.releasing()) throw new UnavailableError('the workspace disk is not mounted; retry shortly', 5, 'disk_unmounted');
    let fh: FileHandle;
    try {
      fh = await open(this.root, DIR_FLAGS);
    } catch (err) {
      if (errno(err) === 'ENOENT') throw new NotFoundError('the workspace directory does not exist');
      throw err;
    }
    if (this.requireMount && (await fh.stat()).dev === (await stat(path.dirname(this.root))).dev) {
      await closeQuietly(fh);
      throw new UnavailableError('the workspace disk is not mounted; retry shortly', 5, 'disk_unmounted');
    }
    return fh;
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
    const dir = await this.openDir(segments);
    try {
      return await listTree(dir, segments, opts);
    } finally {
      await closeQuietly(dir);
    }
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
      if (opts.append) return appendAt(parent, name, segments, data, opts, existing === undefined, this.owner);
      return replaceAt(parent, name, segments, data, opts.mode ?? (existing ? existing.mode & 0o777 : 0o644), opts.maxBytes, this.owner);
    });
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

