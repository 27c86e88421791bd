/**
 * The terminal frame protocol (AGENTS.md, "Terminals"). Binary frames carry
 * terminal bytes both ways; text frames carry JSON control messages. What a
 * client sends is checked here, purely: a bad frame is answered with an error
 * frame and the session goes on.
 */

/** The WebSocket subprotocol a client offers (browsers: next to its `sandboxed.token.<secret>` entry). */
export const PTY_SUBPROTOCOL = 'sandboxed.pty.v1';

/** Largest frame a client may send (ws closes the connection with 1009 above it). */
export const MAX_CLIENT_FRAME_BYTES = 64 * 1024;
export const MAX_COLS = 1000;
export const MAX_ROWS = 1000;
export const DEFAULT_COLS = 80;
export const DEFAULT_ROWS = 24;

/** Close codes: the standard ones, plus ours in the 4000 range. */
export const CLOSE = {
  /** The session ended; an exit frame came first. */
  ended: 1000,
  /** The daemon is stopping; the session is gone with it. */
  goingAway: 1001,
  /** The viewer read too slowly: more than the session's buffer plus VIEWER_SLACK_BYTES waited for it. */
  tooSlow: 4008,
  /** The viewer stopped answering pings. */
  unresponsive: 4009,
} as const;

/**
 * Signals a client may send. INT, QUIT and TSTP are typed as the terminal's
 * control characters (they reach the foreground job, as from a keyboard);
 * HUP, TERM and KILL go to every process of the session.
 */
export const TYPED_SIGNALS: Record<string, Buffer> = {
  INT: Buffer.from([0x03]),
  QUIT: Buffer.from([0x1c]),
  TSTP: Buffer.from([0x1a]),
};
export const SESSION_SIGNALS = ['HUP', 'TERM', 'KILL'] as const;
export type SessionSignal = (typeof SESSION_SIGNALS)[number];

export type ClientMessage =
  | { type: 'resize'; cols: number; rows: number }
  | { type: 'signal'; name: string }
  | { type: 'ping' };

/** Whether cols × rows is a size a terminal may take. */
export function sizeProblem(cols: unknown, rows: unknown): string | null {
  const ok = (n: unknown, max: number): boolean => typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= max;
  if (!ok(cols, MAX_COLS)) return `cols must be an integer from 1 to ${MAX_COLS}`;
  if (!ok(rows, MAX_ROWS)) return `rows must be an integer from 1 to ${MAX_ROWS}`;
  return null;
}

/** A text frame from a client, or the reason it is refused. */
export function parseClientText(text: string): ClientMessage | { error: string } {
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return { error: 'text frames must be JSON control messages; send terminal input as binary frames' };
  }
  if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) return { error: 'a control message must be a JSON object' };
  const m = msg as Record<string, unknown>;
  switch (m.type) {
    case 'resize': {
      const problem = sizeProblem(m.cols, m.rows);
      return problem ? { error: `resize: ${problem}` } : { type: 'resize', cols: m.cols as number, rows: m.rows as number };
    }
    case 'signal': {
      const name = typeof m.name === 'string' ? m.name.toUpperCase().replace(/^SIG/, '') : '';
      if (Object.hasOwn(TYPED_SIGNALS, name) || (SESSION_SIGNALS as readonly string[]).includes(name)) return { type: 'signal', name };
      return { error: `signal: name must be one of ${[...Object.keys(TYPED_SIGNALS), ...SESSION_SIGNALS].join(', ')}` };
    }
    case 'ping':
      return { type: 'ping' };
    default:
      return { error: `unknown message type ${JSON.stringify(String(m.type)).slice(0, 40)}; expected resize, signal or ping` };
  }
}
