/**
 * The Files API's service: reads and writes a sandbox's workspace from the
 * host, so it works while the container is stopped and never wakes it. All
 * access goes through SafeRoot (fd-relative, no symlink ever followed).
 * Paths in results are absolute container paths (/home/sandbox/...).
 */
import { isUtf8 } from 'node:buffer';
import path from 'node:path';
import { Readable } from 'node:stream';
import { InvalidError, TooLargeError } from '../errors.js';
import { SANDBOX_HOME } from '../domain/layout.js';
import { resolveUserPath, type EntryInfo, type EntryType, type SafeRoot } from './safe-fs.js';

export const LIST_DEFAULT_LIMIT = 1000;
export const LIST_MAX_LIMIT = 10_000;
export const LIST_MAX_DEPTH = 32;

export interface FileEntry {
  name: string;
  path: string;
  type: EntryType;
  size: number;
  mtime: string;
}

export interface Listing {
  path: string;
  entries: FileEntry[];
  truncated: boolean;
  nextCursor?: string;
}

export interface FileContent {
  path: string;
  content: Buffer;
  size: number;
}

export interface FileStream {
  path: string;
  name: string;
  stream: Readable;
  size: number;
  mtime: string;
}

export type Encoding = 'utf8' | 'base64';

const CONTENT_TYPES: Record<string, string> = {
  txt: 'text/plain; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  html: 'text/html; charset=utf-8',
  htm: 'text/html; charset=utf-8',
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  cjs: 'text/javascript; charset=utf-8',
  jsx: 'text/plain; charset=utf-8',
  ts: 'text/plain; charset=utf-8',
  tsx: 'text/plain; charset=utf-8',
  py: 'text/plain; charset=utf-8',
  sh: 'text/plain; charset=utf-8',
  yaml: 'text/yaml; charset=utf-8',
  yml: 'text/yaml; charset=utf-8',
  json: 'application/json; charset=utf-8',
  map: 'application/json; charset=utf-8',
  xml: 'application/xml; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  ico: 'image/x-icon',
  pdf: 'application/pdf',
  zip: 'application/zip',
  gz: 'application/gzip',
  tar: 'application/x-tar',
  wasm: 'application/wasm',
  woff: 'font/woff',
  woff2: 'font/woff2',
  mp3: 'audio/mpeg',
  mp4: 'video/mp4',
  webm: 'video/webm',
};

/** Guessed from the extension; unknown ones are application/octet-stream. */
export function contentTypeFor(name: string): string {
  const ext = path.extname(name).slice(1).toLowerCase();
  return CONTENT_TYPES[ext] ?? 'application/octet-stream';
}

/** Octal string ("644", "0o755") or a number taken as the mode's value; permission bits only. */
export function parseMode(mode: string | number | undefined): number | undefined {
  if (mode === undefined) return undefined;
  let value: number;
  if (typeof mode === 'number') value = mode;
  else if (/^(0o?)?[0-7]{1,4}$/i.test(mode.trim())) value = parseInt(mode.trim().replace(/^0o/i, ''), 8);
  else throw new InvalidError('mode must be an octal string such as "644"');
  if (!Number.isInteger(value) || value < 0 || value > 0o777) {
    throw new InvalidError('mode must be permission bits 0 to 0777 (setuid, setgid and sticky are not allowed)');
  }
  return value;
}

/** Strict base64 (standard or URL alphabet, padding optional, whitespace ignored). */
export function decodeContent(content: string, encoding: Encoding, maxBytes: number): Buffer {
  if (encoding === 'utf8') {
    if (Buffer.byteLength(content) > maxBytes) throw new TooLargeError(`content is larger than the limit of ${maxBytes} bytes`);
    return Buffer.from(content, 'utf8');
  }
  const compact = content.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(compact) || compact.replace(/=+$/, '').length % 4 === 1) {
    throw new InvalidError('content is not valid base64');
  }
  if (Math.floor((compact.length * 3) / 4) - 2 > maxBytes) throw new TooLargeError(`content is larger than the limit of ${maxBytes} bytes`);
  const buf = Buffer.from(compact, 'base64');
  if (buf.length > maxBytes) throw new TooLargeError(`content is larger than the limit of ${maxBytes} bytes`);
  return buf;
}

/** Text when it is UTF-8 (or when asked), else base64; asking utf8 of binary is an error. */
export function encodeContent(buf: Buffer, wanted?: Encoding): { content: string; encoding: Encoding } {
  const encoding = wanted ?? (isUtf8(buf) ? 'utf8' : 'base64');
  if (encoding === 'utf8' && wanted && !isUtf8(buf)) throw new InvalidError('the file is not valid UTF-8; ask for encoding=base64');
  return { content: buf.toString(encoding), encoding };
}

function containerPath(segments: readonly string[]): string {
  return segments.length === 0 ? SANDBOX_HOME : `${SANDBOX_HOME}/${segments.join('/')}`;
}

function toEntry(e: EntryInfo): FileEntry {
  return {
    name: e.segments[e.segments.length - 1] ?? '',
    path: containerPath(e.segments),
    type: e.type,
    size: e.size,
    mtime: new Date(e.mtimeMs).toISOString(),
  };
}

function encodeCursor(segments: string[]): string {
  return Buffer.from(JSON.stringify(segments), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string[] {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length > 0 && parsed.every((s) => typeof s === 'string')) {
      const segments = resolveUserPath(parsed.join('/'));
      if (segments.length === parsed.length) return segments;
    }
  } catch {
    /* reported below */
  }
  throw new InvalidError('cursor is not one this API returned');
}

export class FilesService {
  readonly maxFileBytes: number;

  constructor(
    private readonly workspaces: { root(id: string): SafeRoot },
    opts: { maxFileBytes: number },
  ) {
    this.maxFileBytes = opts.maxFileBytes;
  }

  private root(id: string): SafeRoot {
    return this.workspaces.root(id);
  }

  async stat(id: string, userPath: string): Promise<FileEntry> {
    return toEntry(await this.root(id).stat(resolveUserPath(userPath)));
  }

  async list(id: string, userPath: string, opts: { recursive?: boolean; limit?: number; maxDepth?: number; cursor?: string } = {}): Promise<Listing> {
    const segments = resolveUserPath(userPath);
    const r = await this.root(id).list(segments, {
      recursive: opts.recursive ?? false,
      limit: Math.min(opts.limit ?? LIST_DEFAULT_LIMIT, LIST_MAX_LIMIT),
      maxDepth: opts.recursive ? Math.min(opts.maxDepth ?? LIST_MAX_DEPTH, LIST_MAX_DEPTH) : 1,
      after: opts.cursor ? decodeCursor(opts.cursor) : undefined,
    });
    return {
      path: containerPath(segments),
      entries: r.entries.map(toEntry),
      truncated: r.truncated,
      nextCursor: r.next ? encodeCursor(r.next) : undefined,
    };
  }

  /** Whole file in memory, refused over maxFileBytes (the raw download streams any size). */
  async read(id: string, userPath: string): Promise<FileContent> {
    const segments = resolveUserPath(userPath);
    const content = await this.root(id).readFile(segments, this.maxFileBytes);
    return { path: containerPath(segments), content, size: content.length };
  }

  async openRead(id: string, userPath: string): Promise<FileStream> {
    const segments = resolveUserPath(userPath);
    const { handle, size, mtimeMs } = await this.root(id).openFile(segments);
    // Capped at the size seen at open: a file growing meanwhile cannot overrun Content-Length.
    let stream: Readable;
    if (size === 0) {
      await handle.close();
      stream = Readable.from([]);
    } else {
      stream = handle.createReadStream({ start: 0, end: size - 1 });
    }
    return { path: containerPath(segments), name: segments[segments.length - 1], stream, size, mtime: new Date(mtimeMs).toISOString() };
  }

  async write(
    id: string,
    input: { path: string; content: string; encoding?: Encoding; append?: boolean; mode?: string | number },
  ): Promise<{ path: string; size: number }> {
    const segments = resolveUserPath(input.path);
    const mode = parseMode(input.mode);
    const data = decodeContent(input.content, input.encoding ?? 'utf8', this.maxFileBytes);
    const size = await this.root(id).writeFile(segments, data, { append: input.append, mode, maxBytes: this.maxFileBytes });
    return { path: containerPath(segments), size };
  }

  /** Streams a body to disk; `declaredBytes` (Content-Length) is checked before anything is written. */
  async upload(
    id: string,
    userPath: string,
    body: Readable | Buffer,
    opts: { append?: boolean; mode?: string | number; declaredBytes?: number } = {},
  ): Promise<{ path: string; size: number }> {
    const segments = resolveUserPath(userPath);
    const mode = parseMode(opts.mode);
    if (opts.declaredBytes !== undefined && opts.declaredBytes > this.maxFileBytes) {
      throw new TooLargeError(`body is ${opts.declaredBytes} bytes, over the limit of ${this.maxFileBytes}`);
    }
    const size = await this.root(id).writeFile(segments, body, { append: opts.append, mode, maxBytes: this.maxFileBytes });
    return { path: containerPath(segments), size };
  }

  async remove(id: string, userPath: string, recursive = false): Promise<{ path: string }> {
    const segments = resolveUserPath(userPath);
    await this.root(id).remove(segments, { recursive });
    return { path: containerPath(segments) };
  }

  async mkdir(id: string, userPath: string, opts: { parents?: boolean; mode?: string | number } = {}): Promise<{ path: string; created: boolean }> {
    const segments = resolveUserPath(userPath);
    const created = await this.root(id).mkdir(segments, { parents: opts.parents, mode: parseMode(opts.mode) });
    return { path: containerPath(segments), created };
  }
}
