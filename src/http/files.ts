/**
 * The Files API under /v1/sandboxes/:id/files and the original /sandbox/:id/files.
 * Served from the host filesystem: works on a stopped sandbox and never wakes
 * it, but counts as activity. A path through a symbolic link is a 400.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { Readable } from 'node:stream';
import { z } from 'zod';
import { InvalidError } from '../errors.js';
import { LIST_DEFAULT_LIMIT, LIST_MAX_DEPTH, LIST_MAX_LIMIT, contentTypeFor, encodeContent, type FileStream, type Listing } from '../workspaces/files.js';
import type { HttpDeps } from './deps.js';
import { op, replies } from './replies.js';
import { binary, directoryMadeSchema, fileContentSchema, fileDeletedSchema, fileWrittenSchema, listingSchema } from './responses.js';
import { idParams } from './schemas.js';

const BASES = ['/v1/sandboxes/:id/files', '/sandbox/:id/files'];

const flag = z
  .enum(['true', 'false', '1', '0', ''])
  .transform((v) => v === 'true' || v === '1')
  .default(false);
const userPath = z.string().max(8192);
const mode = z.union([z.string().max(8), z.number().int()]);
const encoding = z.enum(['utf8', 'base64']);

const pathQuery = z.object({ path: userPath.default('') });
const listQuery = pathQuery.extend({
  recursive: flag,
  limit: z.coerce.number().int().min(1).max(LIST_MAX_LIMIT).default(LIST_DEFAULT_LIMIT),
  max_depth: z.coerce.number().int().min(1).max(LIST_MAX_DEPTH).optional(),
  cursor: z.string().max(16384).optional(),
});
const contentQuery = pathQuery.extend({ encoding: encoding.optional() });
const deleteQuery = pathQuery.extend({ recursive: flag });
const uploadQuery = z.object({ path: userPath, append: flag, mode: z.string().max(8).optional() });
/** PUT …/files takes JSON (path in the body) or bytes (path in the query). */
const putQuery = uploadQuery.extend({ path: userPath.optional().meta({ description: 'Where an application/octet-stream body goes' }) });
const writeBody = z.strictObject({
  path: userPath,
  content: z.string(),
  append: z.boolean().optional(),
  encoding: encoding.default('utf8'),
  mode: mode.optional(),
}).meta({ id: 'WriteFile' });
const mkdirBody = z.strictObject({ path: userPath, parents: z.boolean().optional(), mode: mode.optional() }).meta({ id: 'MakeDirectory' });

/** Every files route: the path's problems (400), the sandbox or file missing (404), a clash (409), a full disk or a big file (413), the disk not mounted (503). */
const FILE_ERRORS = [400, 404, 409, 413, 503] as const;
const bytes = { 'application/octet-stream': { schema: binary } };
const contentReply = {
  description: 'The file: its bytes with a content type from its name, or JSON with ?encoding=',
  content: { 'application/json': { schema: fileContentSchema }, '*/*': { schema: binary } },
};
const downloadReply = { description: 'The file’s bytes, as an attachment', content: bytes };
const writeBodies = { content: { 'application/json': { schema: writeBody }, ...bytes } };
const PATHS = 'Paths are relative to /home/sandbox or absolute under it; a symbolic link on the way is a 400.';

function presentListing(l: Listing) {
  return { path: l.path, entries: l.entries, truncated: l.truncated, ...(l.nextCursor ? { next_cursor: l.nextCursor } : {}) };
}

/** Bytes from a tenant's workspace: never sniffed, never scripted on our origin. */
function sendFile(reply: FastifyReply, f: FileStream, download: boolean): FastifyReply {
  return reply
    .type(download ? 'application/octet-stream' : contentTypeFor(f.name))
    .header('content-length', String(f.size))
    .header('last-modified', new Date(f.mtime).toUTCString())
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "default-src 'none'; sandbox")
    .header('content-disposition', `${download ? 'attachment' : 'inline'}; filename*=UTF-8''${encodeURIComponent(f.name)}`)
    .send(f.stream);
}

function isStream(body: unknown): body is Readable {
  return body instanceof Readable;
}

export async function filesRoutes(fastify: FastifyInstance, deps: HttpDeps): Promise<void> {
  const { files } = deps;
  // Room for base64 of the largest file plus the JSON around it; the decoded size is checked again.
  const jsonBodyLimit = Math.ceil(files.maxFileBytes / 3) * 4 + 64 * 1024;

  /** 404 for an unknown sandbox; activity without waking it. */
  const use = (id: string): string => {
    deps.sandboxes.get(id);
    deps.sandboxes.touch(id);
    return id;
  };

  /** Streams a request body into a file; on failure the rest of the body is not read, so close the connection. */
  const upload = async (req: FastifyRequest, reply: FastifyReply, id: string, q: z.infer<typeof uploadQuery>) => {
    const declared = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
    const body = isStream(req.body) ? req.body : Buffer.alloc(0);
    try {
      return await files.upload(id, q.path, body, { append: q.append, mode: q.mode, declaredBytes: declared });
    } catch (err) {
      if (isStream(req.body) && !req.body.readableEnded) reply.header('connection', 'close');
      throw err;
    }
  };

  fastify.addContentTypeParser('application/octet-stream', (_req, payload, done) => done(null, payload));
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  for (const base of BASES) {
    // A directory lists; a file comes back as JSON (the original's GET shape).
    const list = {
      ...op(base, 'listFiles', 'files', 'List a directory, or read a file as JSON', PATHS),
      params: idParams,
      querystring: listQuery,
      response: replies({ 200: z.union([listingSchema, fileContentSchema]) }, ...FILE_ERRORS),
    };
    app.get(base, { schema: list }, async (req) => {
      const id = use(req.params.id);
      const q = req.query;
      const target = await files.stat(id, q.path);
      if (target.type === 'file') {
        const f = await files.read(id, q.path);
        return { path: f.path, ...encodeContent(f.content), size: f.size };
      }
      const listing = await files.list(id, q.path, { recursive: q.recursive, limit: q.limit, maxDepth: q.max_depth, cursor: q.cursor });
      return presentListing(listing);
    });

    const read = { ...op(base, 'readFile', 'files', 'Read a file', PATHS), params: idParams, querystring: contentQuery, response: replies({ 200: contentReply }, ...FILE_ERRORS) };
    app.get(`${base}/content`, { schema: read }, async (req, reply) => {
      const id = use(req.params.id);
      const { path, encoding: enc } = req.query;
      if (enc === undefined) return sendFile(reply, await files.openRead(id, path), false);
      const f = await files.read(id, path);
      return { path: f.path, ...encodeContent(f.content, enc), size: f.size };
    });

    const download = { ...op(base, 'downloadFile', 'files', 'Download a file', PATHS), params: idParams, querystring: pathQuery, response: replies({ 200: downloadReply }, ...FILE_ERRORS) };
    app.get(`${base}/raw`, { schema: download }, async (req, reply) => {
      return sendFile(reply, await files.openRead(use(req.params.id), req.query.path), true);
    });

    // JSON {path, content, ...}, or the raw body with Content-Type application/octet-stream and ?path=.
    const write = {
      ...op(base, 'writeFile', 'files', 'Write a file: JSON {path, content, encoding?, append?, mode?}, or the bytes with ?path=', PATHS),
      params: idParams,
      querystring: putQuery,
      body: writeBodies,
      response: replies({ 200: fileWrittenSchema }, ...FILE_ERRORS),
    };
    app.put(base, { bodyLimit: jsonBodyLimit, schema: write }, async (req, reply) => {
      const id = use(req.params.id);
      if (isStream(req.body)) {
        const { path, append, mode: m } = req.query;
        if (path === undefined) throw new InvalidError('querystring.path: required with an application/octet-stream body');
        return upload(req, reply, id, { path, append, mode: m });
      }
      const b = writeBody.safeParse(req.body ?? {});
      if (!b.success) throw new InvalidError(zodMessage('body', b.error));
      return files.write(id, b.data);
    });

    const remove = { ...op(base, 'deleteFile', 'files', 'Delete a file, or a directory (recursive=true if not empty)', PATHS), params: idParams, querystring: deleteQuery, response: replies({ 200: fileDeletedSchema }, ...FILE_ERRORS) };
    app.delete(base, { schema: remove }, async (req) => {
      const r = await files.remove(use(req.params.id), req.query.path, req.query.recursive);
      return { path: r.path, deleted: true as const };
    });

    const mkdir = { ...op(base, 'makeDirectory', 'files', 'Make a directory', PATHS), params: idParams, body: mkdirBody, response: replies({ 200: directoryMadeSchema, 201: directoryMadeSchema }, ...FILE_ERRORS) };
    app.post(`${base}/mkdir`, { schema: mkdir }, async (req, reply) => {
      const r = await files.mkdir(use(req.params.id), req.body.path, { parents: req.body.parents, mode: req.body.mode });
      return reply.code(r.created ? 201 : 200).send(r);
    });
  }

  // Raw uploads take any body as bytes, JSON included: this scope has no other parser.
  await fastify.register(async (raw) => {
    raw.removeAllContentTypeParsers();
    raw.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
    const rawApp = raw.withTypeProvider<ZodTypeProvider>();
    for (const base of BASES) {
      const upload_ = {
        ...op(base, 'uploadFile', 'files', 'Upload a file’s bytes (any content type but forms and text)', PATHS),
        params: idParams,
        querystring: uploadQuery,
        body: { content: bytes },
        response: replies({ 200: fileWrittenSchema }, ...FILE_ERRORS),
      };
      rawApp.put(`${base}/raw`, { schema: upload_ }, async (req, reply) => {
        return upload(req, reply, use(req.params.id), req.query);
      });
    }
  });
}

function zodMessage(context: string, err: z.ZodError): string {
  return err.issues
    .slice(0, 5)
    .map((i) => `${context}${i.path.length ? '.' + i.path.join('.') : ''}: ${i.message}`)
    .join('; ');
}
