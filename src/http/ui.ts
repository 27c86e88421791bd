/**
 * The dashboard's static files at /ui: the Vite build in dist/ui (made by
 * `npm run build` and in the image), read once at start into memory, with a
 * gzip copy each. Only the files the build made are served: a request names
 * a key of that map, never a path on disk. The pages are open (they hold
 * nothing of this installation); every call they make goes through the API
 * and its auth.
 *
 * The HTML gets a strict Content-Security-Policy: scripts only from this
 * origin, no inline script, no framing. The dashboard renders every tenant
 * string (file names, logs, agent output) as text; the policy is the second
 * line should one ever reach the DOM as markup.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hostOf } from './browser-guard.js';

/** dist/ui from src/http/ (tsx) and from dist/http/ (the image) alike. */
export const UI_DIR = fileURLToPath(new URL('../../dist/ui/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
};
/** The build is a few dozen files of at most a few MiB together; anything bigger is not ours. */
const MAX_FILES = 500;

interface Asset {
  body: Buffer;
  gzip: Buffer | null;
  type: string;
}

/** Every file of the build by its URL path under /ui/ ("assets/index-3f2a.js"), or null when there is no build. */
export function loadAssets(dir: string): Map<string, Asset> | null {
  let names: string[];
  try {
    names = readdirSync(dir, { recursive: true, encoding: 'utf8' });
  } catch {
    return null;
  }
  const assets = new Map<string, Asset>();
  for (const name of names.slice(0, MAX_FILES)) {
    const file = path.join(dir, name);
    const type = TYPES[path.extname(name)];
    // .vite/manifest.json is for the build's own test, not for browsers.
    if (type === undefined || name.split(path.sep).some((part) => part.startsWith('.')) || !statSync(file).isFile()) continue;
    const body = readFileSync(file);
    const gzip = /^(text|application\/json|image\/svg)/.test(type) ? gzipSync(body) : null;
    assets.set(name.split(path.sep).join('/'), { body, gzip, type });
  }
  return assets.has('index.html') ? assets : null;
}

function csp(req: FastifyRequest): string {
  // The terminal's WebSocket goes to this same host; name it (older engines do not count ws: as 'self').
  const host = hostOf(req.headers.host ?? '') === null ? '' : ` ws://${req.headers.host} wss://${req.headers.host}`;
  return [
    "default-src 'self'",
    "script-src 'self'",
    // CodeMirror and xterm.js set styles from script (style elements and attributes).
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    `connect-src 'self'${host}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function send(req: FastifyRequest, reply: FastifyReply, name: string, asset: Asset): FastifyReply {
  const gzip = asset.gzip !== null && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  reply.type(asset.type).header('x-content-type-options', 'nosniff').header('vary', 'accept-encoding');
  if (name === 'index.html') {
    reply.header('cache-control', 'no-cache').header('content-security-policy', csp(req)).header('referrer-policy', 'no-referrer').header('x-frame-options', 'DENY');
  } else {
    // Built names carry a content hash: a new build is new names.
    reply.header('cache-control', name.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
  }
  if (gzip) reply.header('content-encoding', 'gzip');
  return reply.send(gzip ? asset.gzip : asset.body);
}

const NOT_BUILT = 'The dashboard is not built: run `npm run build` (the sandboxd image builds it).\n';

export async function uiRoutes(app: FastifyInstance, opts: { dir?: string } = {}): Promise<void> {
  const assets = loadAssets(opts.dir ?? UI_DIR);
  const page = async (req: FastifyRequest, reply: FastifyReply) => {
    if (!assets) return reply.code(503).type('text/plain; charset=utf-8').send(NOT_BUILT);
    return send(req, reply, 'index.html', assets.get('index.html')!);
  };
  // /ui and /ui/ are one route (ignoreTrailingSlash): the page's asset URLs are absolute.
  app.get('/ui', page);
  app.get('/ui/*', async (req: FastifyRequest<{ Params: { '*': string } }>, reply) => {
    if (!assets) return reply.code(503).type('text/plain; charset=utf-8').send(NOT_BUILT);
    const name = req.params['*'];
    if (name === '' || name === 'index.html') return page(req, reply);
    const asset = assets.get(name);
    if (!asset) return reply.code(404).type('text/plain; charset=utf-8').send('not found\n');
    return send(req, reply, name, asset);
  });
}
