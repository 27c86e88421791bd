/**
 * What a user may write as a path: relative to the workspace root, or absolute
 * under /home/sandbox. Validation only: no file system access happens here.
 */
import { InvalidError } from '../errors.js';

export const MAX_PATH_BYTES = 4096;
export const MAX_NAME_BYTES = 255;
// Percent escapes of ".", "/", "\\" and NUL: a second decoding somewhere would turn them into an escape.
const ENCODED_ESCAPE = /%(2e|2f|5c|00)/i;

/** "" → the root; segments joined for messages, never a host path. */
export function displayPath(segments: readonly string[]): string {
  return segments.length === 0 ? '.' : segments.join('/');
}

/** Validates a user path (relative, or absolute under `home`) and returns its segments. */
export function resolveUserPath(input: string, home = '/home/sandbox'): string[] {
  if (input.includes('\0')) throw new InvalidError('path must not contain NUL bytes');
  if (Buffer.byteLength(input) > MAX_PATH_BYTES) throw new InvalidError(`path is longer than ${MAX_PATH_BYTES} bytes`);
  if (ENCODED_ESCAPE.test(input)) throw new InvalidError('path must not contain percent-encoded ".", "/", "\\" or NUL');
  let rel = input;
  if (input.startsWith('/')) {
    if (input !== home && !input.startsWith(`${home}/`)) throw new InvalidError(`absolute paths must be under ${home}`);
    rel = input.slice(home.length);
  }
  const segments: string[] = [];
  for (const seg of rel.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') throw new InvalidError('path must not contain ".."');
    if (Buffer.byteLength(seg) > MAX_NAME_BYTES) throw new InvalidError(`a path segment is longer than ${MAX_NAME_BYTES} bytes`);
    segments.push(seg);
  }
  return segments;
}
