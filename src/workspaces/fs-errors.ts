/** errno → DomainError for the confined file access in safe-fs.ts. */
import { lstat, type FileHandle } from 'node:fs/promises';
import { ConflictError, InvalidError, NotFoundError, TooLargeError } from '../errors.js';
import { displayPath } from './user-path.js';

/** A name inside a directory we hold open: the kernel resolves only that one component. */
export function at(dir: FileHandle, name: string): string {
  return `/proc/self/fd/${dir.fd}/${name}`;
}

export function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException)?.code;
}

export function symlinkError(segments: readonly string[]): InvalidError {
  return new InvalidError(`${displayPath(segments)}: path crosses a symbolic link`);
}

/**
 * Turns an errno into a DomainError naming the user's path (system messages
 * carry /proc paths). `dir`/`name` locate the failing component so ENOTDIR can
 * tell a symlink from a file; unknown errors pass through as 500s.
 */
export async function explain(err: unknown, segments: readonly string[], dir?: FileHandle, name?: string): Promise<unknown> {
  const shown = displayPath(segments);
  switch (errno(err)) {
    case 'ELOOP':
      return symlinkError(segments);
    case 'ENOTDIR':
      if (dir && name) {
        const st = await lstat(at(dir, name)).catch(() => undefined);
        if (st?.isSymbolicLink()) return symlinkError(segments);
      }
      return new InvalidError(`${shown}: not a directory`);
    case 'ENOENT':
      return new NotFoundError(`${shown}: no such file or directory`);
    case 'EEXIST':
      return new ConflictError(`${shown}: already exists`);
    case 'ENOTEMPTY':
      return new ConflictError(`${shown}: directory not empty (pass recursive=true)`);
    case 'EISDIR':
      return new InvalidError(`${shown}: is a directory`);
    case 'ENXIO':
      return new InvalidError(`${shown}: not a regular file`);
    case 'ENAMETOOLONG':
      return new InvalidError(`${shown}: name too long`);
    case 'ENOSPC':
    case 'EDQUOT':
      // With quotas, the workspace's own disk is full: the request asked for more than it may have.
      return new TooLargeError(`${shown}: no space left in the workspace (its disk_mb quota is full)`);
    default:
      return err;
  }
}
