/**
 * xterm.js on a terminal session of the API (loaded on demand: its own chunk).
 * The session outlives this page: a dropped connection attaches again with
 * `since` = the last byte shown, so nothing is missed or shown twice; a reload
 * attaches with since=0 and replays what the daemon's buffer still holds.
 */
import { FitAddon } from '@xterm/addon-fit';
import { Terminal as Xterm } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { SandboxedError, type Sandbox, type Terminal } from '@sandboxed/sdk';

export interface TerminalEvents {
  /** Connection state in words, for a status line. */
  state(text: string, kind: 'live' | 'busy' | 'ended'): void;
  /** The session this view shows (once created). */
  session(id: string): void;
}

export interface TerminalHandle {
  focus(): void;
  dispose(): void;
}

const MAX_BACKOFF_MS = 8000;

export function mountTerminal(el: HTMLElement, sb: Sandbox, session: string | undefined, ev: TerminalEvents): TerminalHandle {
  const term = new Xterm({ cursorBlink: true, scrollback: 5000, fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace', fontSize: 14 });
  const fit = new FitAddon();
  term.loadAddon(fit);
  term.open(el);
  fit.fit();
  let conn: Terminal | null = null;
  let offset = 0;
  let disposed = false;
  let failures = 0;
  const encoder = new TextEncoder();
  term.onData((d) => conn?.write(encoder.encode(d)));
  term.onResize(({ cols, rows }) => conn?.resize(cols, rows));
  const observer = new ResizeObserver(() => fit.fit());
  observer.observe(el);

  const attached = (t: Terminal) => {
    conn = t;
    failures = 0;
    if (t.missed > 0) term.write(`\r\n\x1b[33m[${t.missed} bytes of output were no longer kept]\x1b[0m\r\n`);
    t.onData((bytes) => {
      offset = t.offset;
      term.write(bytes);
    });
    t.onExit((code) => ev.state(`The process ended${code === null ? '' : ` with exit code ${code}`}.`, 'ended'));
    if (t.cols !== term.cols || t.rows !== term.rows) t.resize(term.cols, term.rows);
    ev.state('Connected', 'live');
    void t.closed.then(({ code, reason }) => {
      conn = null;
      if (disposed || t.exitCode !== undefined) return;
      // 1000: the session was ended (DELETE, or it ended unwatched); anything else is a lost connection.
      if (code === 1000) return ev.state('The session ended.', 'ended');
      ev.state(`Connection lost (${code}${reason ? ` ${reason}` : ''}); reconnecting…`, 'busy');
      void connect();
    });
  };

  const connect = async (): Promise<void> => {
    while (!disposed) {
      try {
        if (session === undefined) {
          ev.state('Starting a terminal…', 'busy');
          const t = await sb.pty.create({ cols: term.cols, rows: term.rows });
          session = t.session;
          ev.session(t.session);
          return attached(t);
        }
        ev.state(failures === 0 ? 'Attaching…' : 'Reconnecting…', 'busy');
        return attached(await sb.pty.attach(session, { since: offset }));
      } catch (err) {
        // A session the daemon no longer has (404) or a refusal will not come back by retrying.
        if (err instanceof SandboxedError && err.status >= 400 && err.status < 500) return ev.state(err.message, 'ended');
        failures += 1;
        ev.state(`Reconnecting (${err instanceof Error ? err.message : String(err)})…`, 'busy');
        await new Promise((r) => setTimeout(r, Math.min(MAX_BACKOFF_MS, 250 * 2 ** failures)));
      }
    }
  };
  void connect();

  return {
    focus: () => term.focus(),
    dispose: () => {
      disposed = true;
      observer.disconnect();
      conn?.close();
      term.dispose();
    },
  };
}
