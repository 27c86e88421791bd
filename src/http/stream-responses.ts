/**
 * Terminal sessions and streamed output on the wire: the session a `…/pty`
 * route answers, the SSE messages of a streamed exec and of a followed log,
 * and what the WebSocket upgrades say about their frames. An SSE message's
 * kind is its `event:` name, so each `data` schema is the union of the kinds.
 */
import { z } from 'zod';
import { websocketUpgrade } from './replies.js';

const offset = z.number().int().min(0);

const SESSION_EXAMPLE = {
  id: '01jh6x0q3c4v5b6n7m8k9j0h1g',
  sandbox_id: 'demo',
  cmd: ['bash', '-l'],
  cols: 120,
  rows: 40,
  created_at: '2025-01-01T12:00:00.000Z',
  viewers: 1,
  start: 0,
  end: 5120,
  exited: false,
  exit_code: null,
  attach_url: '/v1/sandboxes/demo/pty/01jh6x0q3c4v5b6n7m8k9j0h1g',
};

const sessionFields = {
  id: z.string(),
  sandbox_id: z.string(),
  cmd: z.array(z.string()),
  cols: z.number().int(),
  rows: z.number().int(),
  created_at: z.string().meta({ format: 'date-time' }),
  viewers: z.number().int().min(0).meta({ description: 'WebSockets attached now' }),
  start: offset.meta({ description: 'Offset of the oldest output byte the buffer still holds' }),
  end: offset.meta({ description: 'Offset just past the newest output byte' }),
  exited: z.boolean(),
  exit_code: z.number().int().nullable(),
  attach_url: z.string().meta({ description: 'Attach over WebSocket here (add ?since=<offset> to replay from there)' }),
};

export const terminalSchema = z.object(sessionFields).meta({ id: 'Terminal', description: 'A terminal session', examples: [SESSION_EXAMPLE] });

export const terminalListSchema = z
  .object({ sessions: z.array(terminalSchema), count: z.number().int().min(0) })
  .meta({ id: 'TerminalList', examples: [{ sessions: [SESSION_EXAMPLE], count: 1 }] });

export const terminalEndedSchema = z
  .object({ ...sessionFields, ended: z.literal(true) })
  .meta({ id: 'TerminalEnded', description: 'The session as it ended', examples: [{ ...SESSION_EXAMPLE, viewers: 0, exited: true, exit_code: 129, ended: true }] });

const FRAMES = `Offer the subprotocol \`sandboxed.pty.v1\`. Binary frames carry the terminal's bytes both ways; text frames are JSON control messages:
the client sends \`resize\` {cols, rows}, \`signal\` {name}, \`ping\`; the server sends \`hello\` first ({session, offset, end, missed, cols, rows}), then \`size\`, \`exit\` {code}, \`error\` {error}, \`pong\`.
Close codes: 1000 the session ended, 1001 the daemon is stopping, 1009 a frame over 64 KiB, 4008 the viewer read too slowly, 4009 no answer to pings.
A browser, which cannot send a header, may give the token as a subprotocol \`sandboxed.token.<secret>\` or as \`?token=\`. Everything refused is refused before the upgrade, as HTTP. See AGENTS.md, "Terminals".`;

export const createAndAttach = websocketUpgrade(`A new session is started and this socket attached to it. ${FRAMES}`);
export const attach = websocketUpgrade(`This socket is attached to the session; output replays from ?since= (default: all the buffer holds). ${FRAMES}`);

const execEventSchema = z
  .union([
    z.object({ text: z.string() }).meta({ id: 'ExecOutputEvent', description: '`event: stdout` or `event: stderr`: UTF-8 text as it came' }),
    z
      .object({ exit_code: z.number().int().nullable(), timed_out: z.boolean(), truncated: z.boolean(), duration_ms: z.number() })
      .meta({ id: 'ExecExitEvent', description: '`event: exit`: the last message' }),
    z.object({ error: z.string() }).meta({ id: 'StreamErrorEvent', description: '`event: error`: the stream failed after it opened; the last message' }),
  ])
  .meta({ id: 'ExecEvent', description: 'The `data` of one SSE message of a streamed exec; its kind is the `event:` name' });

/** A streamed exec's events, next to the plain JSON answer. */
export function execReply(result: z.ZodType) {
  return {
    description: 'The command’s result; or, with `stream: true` or `Accept: text/event-stream`, its output as SSE: `stdout`/`stderr` events, then `exit`',
    content: {
      'application/json': { schema: result },
      'text/event-stream': { schema: execEventSchema, example: { text: 'added 120 packages in 9s\n' } },
    },
  };
}

const logEventSchema = z
  .union([
    z.object({ offset, text: z.string() }).meta({ id: 'LogTextEvent', description: '`event: log`: text from `offset`; the SSE id is the offset just past it' }),
    z.object({ reason: z.string(), offset }).meta({ id: 'LogResetEvent', description: '`event: reset`: the file was truncated or replaced; reading starts again at 0' }),
    z.object({ exit_code: z.number().int().nullable() }).meta({ id: 'LogExitEvent', description: '`event: exit`: a background exec ended; the last message' }),
    z.object({ error: z.string() }).meta({ id: 'LogErrorEvent', description: '`event: error`: the log cannot be followed (a link, a directory); the last message' }),
  ])
  .meta({ id: 'LogEvent', description: 'The `data` of one SSE message of a followed log; its `id:` is a byte offset to resume from' });

export const logReply = {
  description:
    'The log’s tail as text (headers `x-log-start` and `x-log-size` give its byte offsets); with `?follow=1`, SSE: `log` events as the file grows (resume with `Last-Event-ID` or `?since=`)',
  content: {
    'text/plain': { schema: { type: 'string' }, example: 'building\nbuilt\n' },
    'text/event-stream': { schema: logEventSchema, example: { offset: 0, text: 'building\n' } },
  },
};
