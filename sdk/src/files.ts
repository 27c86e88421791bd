/**
 * A sandbox's files, served from the host: they work while the sandbox sleeps
 * and never wake it. Paths are relative to /home/sandbox or absolute under it;
 * a symbolic link on the way is refused (400).
 */
import type { Http } from './http.js';
import type { DirectoryMade, FileDeleted, FileListing, FileWritten } from './types.js';

export interface WriteOptions {
  /** Add to the end instead of replacing. */
  append?: boolean;
  /** Permission bits, e.g. "755". */
  mode?: string;
}

/** What an upload takes: bytes, text, a Blob (a browser's File), or a stream (Node: `Readable.toWeb(fs.createReadStream(f))`). */
export type UploadBody = Uint8Array | ArrayBuffer | Blob | string | ReadableStream<Uint8Array>;

export class Files {
  constructor(
    private readonly http: Http,
    private readonly id: string,
  ) {}

  private get params() {
    return { id: this.id };
  }

  /** One page of a directory (`next_cursor` when there is more; `recursive` walks the tree). */
  async list(path = '', opts: { recursive?: boolean; limit?: number; max_depth?: number; cursor?: string } = {}): Promise<FileListing> {
    const page = await this.http.call('get', '/v1/sandboxes/{id}/files', {
      path: this.params,
      query: { path, recursive: opts.recursive ? 'true' : undefined, limit: opts.limit, max_depth: opts.max_depth, cursor: opts.cursor },
    });
    if (!('entries' in page)) throw new TypeError(`${path} is a file, not a directory`);
    return page;
  }

  /** A file's content as text (UTF-8). */
  async readText(path: string, signal?: AbortSignal): Promise<string> {
    const res = await this.http.send('get', '/v1/sandboxes/{id}/files/content', { path: this.params, query: { path }, signal });
    return res.text();
  }

  /** A file's bytes. */
  async readBytes(path: string, signal?: AbortSignal): Promise<Uint8Array> {
    return new Uint8Array(await (await this.download(path, signal)).arrayBuffer());
  }

  /** A file's bytes as they are read, for files too large to hold (pipe it: `Readable.fromWeb(body)` in Node). */
  async downloadStream(path: string, signal?: AbortSignal): Promise<ReadableStream<Uint8Array>> {
    const res = await this.download(path, signal);
    if (!res.body) throw new TypeError('the download has no body');
    return res.body;
  }

  private download(path: string, signal?: AbortSignal): Promise<Response> {
    return this.http.send('get', '/v1/sandboxes/{id}/files/raw', { path: this.params, query: { path }, signal });
  }

  /** Writes text (UTF-8) to a file, creating its directories; the file belongs to the sandbox user. */
  async writeText(path: string, content: string, opts: WriteOptions = {}): Promise<FileWritten> {
    return this.http.call('put', '/v1/sandboxes/{id}/files', { path: this.params, body: { path, content, append: opts.append, mode: opts.mode } });
  }

  /** Writes bytes to a file (streamed to disk as they arrive; the size limit is SANDBOXD_MAX_FILE_BYTES). */
  async upload(path: string, body: UploadBody, opts: WriteOptions & { signal?: AbortSignal } = {}): Promise<FileWritten> {
    const res = await this.http.send('put', '/v1/sandboxes/{id}/files/raw', {
      path: this.params,
      query: { path, append: opts.append ? 'true' : undefined, mode: opts.mode },
      body: body as BodyInit,
      headers: { 'content-type': 'application/octet-stream' },
      signal: opts.signal,
    });
    return (await res.json()) as FileWritten;
  }

  /** Writes bytes to a file. */
  writeBytes(path: string, bytes: Uint8Array | ArrayBuffer, opts: WriteOptions = {}): Promise<FileWritten> {
    return this.upload(path, bytes, opts);
  }

  /** Deletes a file, or a directory (`recursive` when it is not empty). */
  async remove(path: string, opts: { recursive?: boolean } = {}): Promise<FileDeleted> {
    return this.http.call('delete', '/v1/sandboxes/{id}/files', { path: this.params, query: { path, recursive: opts.recursive ? 'true' : undefined } });
  }

  /** Makes a directory (`parents`: and the ones above it). */
  async mkdir(path: string, opts: { parents?: boolean; mode?: string } = {}): Promise<DirectoryMade> {
    return this.http.call('post', '/v1/sandboxes/{id}/files/mkdir', { path: this.params, body: { path, parents: opts.parents, mode: opts.mode } });
  }
}
