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
const writeBody = z.strictObject({
  path: userPath,
  content: z.string(),
  append: z.boolean().optional(),
  encoding: encoding.default('utf8'),
  mode: mode.optional(),
});
const mkdirBody = z.strictObject({ path: userPath, parents: z.boolean().optional(), mode: mode.optional() });

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
    app.get(base, { schema: { params: idParams, querystring: listQuery } }, async (req) => {
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

    app.get(`${base}/content`, { schema: { params: idParams, querystring: contentQuery } }, async (req, reply) => {
      const id = use(req.params.id);
      const { path, encoding: enc } = req.query;
      if (enc === undefined) return sendFile(reply, await files.openRead(id, path), false);
      const f = await files.read(id, path);
      return { path: f.path, ...encodeContent(f.content, enc), size: f.size };
    });

    app.get(`${base}/raw`, { schema: { params: idParams, querystring: pathQuery } }, async (req, reply) => {
      return sendFile(reply, await files.openRead(use(req.params.id), req.query.path), true);
    });

    // JSON {path, content, ...}, or the raw body with Content-Type application/octet-stream and ?path=.
    app.put(base, { bodyLimit: jsonBodyLimit, schema: { params: idParams } }, async (req, reply) => {
      const id = use(req.params.id);
      if (isStream(req.body)) {
        const q = uploadQuery.safeParse(req.query);
        if (!q.success) throw new InvalidError(zodMessage('querystring', q.error));
        return upload(req, reply, id, q.data);
      }
      const b = writeBody.safeParse(req.body ?? {});
      if (!b.success) throw new InvalidError(zodMessage('body', b.error));
      return files.write(id, b.data);
    });

    app.delete(base, { schema: { params: idParams, querystring: deleteQuery } }, async (req) => {
      const r = await files.remove(use(req.params.id), req.query.path, req.query.recursive);
      return { path: r.path, deleted: true };
    });

    app.post(`${base}/mkdir`, { schema: { params: idParams, body: mkdirBody } }, async (req, reply) => {
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
      rawApp.put(`${base}/raw`, { schema: { params: idParams, querystring: uploadQuery } }, async (req, reply) => {
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
