/**
 * Terminal sessions over WebSocket (the frame protocol: src/terminals/protocol.ts
 * and AGENTS.md). GET …/pty upgraded creates a session and attaches; plain, it
 * lists them. GET …/pty/{session} upgraded attaches (`?since=` replays from an
 * offset); plain, it describes the session. Everything that can be refused is
 * refused before the upgrade, as an HTTP status.
 */
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import { CLOSE, MAX_COLS, MAX_ROWS } from '../terminals/protocol.js';
import type { PtySession, SessionInfo, Viewer } from '../terminals/session.js';
import type { HttpDeps } from './deps.js';
import { op, replies } from './replies.js';
import { envSchema, idParams, sandboxIdSchema } from './schemas.js';
import { attach, createAndAttach, terminalEndedSchema, terminalListSchema, terminalSchema } from './stream-responses.js';

/** A viewer that has not answered a ping by the next one is gone (a closed laptop holds no activity). */
const PING_INTERVAL_MS = 30_000;

const BASE = '/v1/sandboxes/:id/pty';
const noNul = (s: string): boolean => !s.includes('\0');
const cmdSchema = z.array(z.string().min(1).max(4096).refine(noNul, 'must not contain NUL')).min(1).max(256);
const cwdSchema = z.string().startsWith('/', 'must be an absolute path').max(4096).refine(noNul, 'must not contain NUL');
const cols = z.coerce.number().int().min(1).max(MAX_COLS);
const rows = z.coerce.number().int().min(1).max(MAX_ROWS);
/** A WebSocket cannot carry a body: the session is described in the query (env only through POST). */
const createQuery = z.object({
  cols: cols.optional(),
  rows: rows.optional(),
  cwd: cwdSchema.optional(),
  cmd: z.union([z.string().transform((s) => [s]), z.array(z.string())]).pipe(cmdSchema).optional(),
});
const createBody = z
  .strictObject({ cmd: cmdSchema.optional(), cwd: cwdSchema.optional(), env: envSchema.optional(), cols: cols.optional(), rows: rows.optional() })
  .meta({ id: 'CreateTerminal' })
  .nullish();
const sessionParams = z.object({ id: sandboxIdSchema, session: z.string().regex(/^[0-9a-z]{26}$/, 'must be a session id') });
const attachQuery = z.object({ since: z.coerce.number().int().min(0).optional().meta({ description: 'WebSocket: replay the output from this byte offset' }) });

/** Starting a session may wake the sandbox: its refusals, and the caps (429). */
const START_ERRORS = [400, 404, 429, 502, 503] as const;
const CREATE = `A process on a TTY in the sandbox (default: a login shell as the sandbox user in ~/workspace/app); a stopped sandbox is woken.
Sessions outlive their viewers for SANDBOXD_PTY_GRACE_SECONDS; at most SANDBOXD_PTY_MAX_PER_SANDBOX per sandbox and SANDBOXD_PTY_MAX_SESSIONS in all (429).`;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route accepts the API token in the WebSocket handshake (subprotocol or ?token=), see auth.ts. */
    tokenInHandshake?: boolean;
  }
}

export function presentSession(s: SessionInfo) {
  return {
    id: s.id,
    sandbox_id: s.sandboxId,
    cmd: s.cmd,
    cols: s.cols,
    rows: s.rows,
    created_at: new Date(s.createdAt).toISOString(),
    viewers: s.viewers,
    start: s.start,
    end: s.end,
    exited: s.exited,
    exit_code: s.exitCode,
    attach_url: `/v1/sandboxes/${s.sandboxId}/pty/${s.id}`,
  };
}

/** Open viewer sockets and whether each answered the last ping. */
class Viewers {
  private readonly alive = new Map<WebSocket, boolean>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly log: FastifyBaseLogger) {}

  connect(socket: WebSocket, session: PtySession, since: number | undefined): void {
    const viewer: Viewer = {
      send: (data) => {
        if (socket.readyState === socket.OPEN) socket.send(data);
      },
      get bufferedAmount() {
        return socket.bufferedAmount;
      },
      close: (code, reason) => socket.close(code, reason),
      pause: () => socket.pause(),
      resume: () => socket.resume(),
    };
    this.alive.set(socket, true);
    this.timer ??= setInterval(() => this.ping(), PING_INTERVAL_MS).unref();
    socket.on('pong', () => this.alive.set(socket, true));
    socket.on('message', (data, isBinary) => {
      // A throw here would escape into the socket's data handler: one viewer's frame must never crash the daemon.
      try {
        session.receive(viewer, data as Buffer, isBinary);
      } catch (err) {
        this.log.error({ err, sessionId: session.id }, 'terminal frame failed');
        socket.close(1011, 'internal error');
      }
    });
    socket.on('close', () => {
      this.alive.delete(socket);
      session.detach(viewer);
    });
    session.attach(viewer, since);
  }

  private ping(): void {
    for (const [socket, alive] of this.alive) {
      if (!alive) {
        socket.close(CLOSE.unresponsive, 'no answer to ping');
        socket.terminate();
        continue;
      }
      this.alive.set(socket, false);
      socket.ping();
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}

export async function ptyRoutes(fastify: FastifyInstance, deps: HttpDeps): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { terminals } = deps;
  const viewers = new Viewers(fastify.log);
  app.addHook('onClose', async () => viewers.stop());
  // The session a WebSocket request gets, decided before its upgrade.
  const pending = new WeakMap<FastifyRequest, PtySession>();

  app.route({
    method: 'GET',
    url: BASE,
    config: { tokenInHandshake: true },
    schema: {
      ...op(BASE, 'listTerminals', 'terminals', 'The sandbox’s terminal sessions; as a WebSocket, a new session attached', `Upgraded to a WebSocket (?cols=&rows=&cwd=&cmd=): ${CREATE}`),
      params: idParams,
      querystring: createQuery,
      response: replies({ 101: createAndAttach, 200: terminalListSchema }, ...START_ERRORS),
    },
    preHandler: async (req) => {
      if (req.ws) pending.set(req, await terminals.create(req.params.id, req.query));
    },
    handler: async (req) => {
      const sessions = terminals.list(req.params.id).map((s) => presentSession(s.info()));
      return { sessions, count: sessions.length };
    },
    wsHandler: (socket, req) => viewers.connect(socket, pending.get(req)!, undefined),
  });

  const create = {
    ...op(BASE, 'createTerminal', 'terminals', 'Start a terminal session', `${CREATE} Attach to it at attach_url.`),
    params: idParams,
    body: createBody,
    response: replies({ 201: terminalSchema }, ...START_ERRORS),
  };
  app.post(BASE, { schema: create }, async (req, reply) => {
    const session = await terminals.create(req.params.id, req.body ?? {});
    return reply.code(201).send(presentSession(session.info()));
  });

  app.route({
    method: 'GET',
    url: `${BASE}/:session`,
    config: { tokenInHandshake: true },
    schema: {
      ...op(BASE, 'getTerminal', 'terminals', 'One terminal session; as a WebSocket, attached to it', 'Upgraded to a WebSocket: one more viewer (at most 8 a session, 429), replaying from ?since=.'),
      params: sessionParams,
      querystring: attachQuery,
      response: replies({ 101: attach, 200: terminalSchema }, 400, 404, 429),
    },
    preHandler: async (req) => {
      if (req.ws) pending.set(req, terminals.forViewer(req.params.id, req.params.session));
    },
    handler: async (req) => presentSession(terminals.get(req.params.id, req.params.session).info()),
    wsHandler: (socket, req) => viewers.connect(socket, pending.get(req)!, req.query.since),
  });

  const end = {
    ...op(BASE, 'deleteTerminal', 'terminals', 'End a terminal session', 'Its processes are killed; its viewers get the exit frame, then close 1000.'),
    params: sessionParams,
    response: replies({ 200: terminalEndedSchema }, 400, 404, 502),
  };
  app.delete(`${BASE}/:session`, { schema: end }, async (req) => {
    const session = await terminals.end(req.params.id, req.params.session);
    return { ...presentSession(session.info()), ended: true as const };
  });
}
