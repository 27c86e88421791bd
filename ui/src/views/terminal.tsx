/**
 * Terminals of a sandbox: its sessions, and one of them in xterm.js (loaded
 * on demand). The session id is in the URL, so a reload attaches again and
 * replays; #/s/<id>/terminal/new starts one (a stopped sandbox wakes).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { client, errorText } from '../api';
import { ago } from '../format';
import { useLoad } from '../hooks';
import { ConfirmButton } from '../parts/confirm';
import { Empty, ErrorNote, Loading } from '../parts/notice';
import { href } from '../router';
import type { TerminalHandle } from '../lazy/terminal';

function Screen({ id, session }: { id: string; session: string | undefined }) {
  const box = useRef<HTMLDivElement>(null);
  const handle = useRef<TerminalHandle | null>(null);
  const [state, setState] = useState<{ text: string; kind: string }>({ text: 'Loading the terminal…', kind: 'busy' });
  useEffect(() => {
    let gone = false;
    import('../lazy/terminal').then(
      ({ mountTerminal }) => {
        if (gone || !box.current) return;
        handle.current = mountTerminal(box.current, client.sandbox(id), session, {
          state: (text, kind) => setState({ text, kind }),
          // The URL names the session from now on: a reload attaches to it instead of starting another.
          session: (s) => history.replaceState(null, '', href('s', id, 'terminal', s)),
        });
        handle.current.focus();
      },
      (err: unknown) => setState({ text: `The terminal could not load: ${errorText(err)}`, kind: 'ended' }),
    );
    return () => {
      gone = true;
      handle.current?.dispose();
      handle.current = null;
    };
  }, [id, session]);
  return (
    <div class="terminal-view">
      <p class={`term-state ${state.kind}`} role="status" aria-live="polite">
        {state.text}
      </p>
      <div class="terminal" ref={box} aria-label="Terminal" onClick={() => handle.current?.focus()} />
    </div>
  );
}

export function TerminalView({ id, session, running }: { id: string; session: string | undefined; running: boolean }) {
  const sessions = useLoad(() => client.sandbox(id).pty.list(), [id, session]);
  if (session !== undefined) return <Screen key={session} id={id} session={session === 'new' ? undefined : session} />;
  return (
    <section aria-label="Terminal sessions">
      <div class="title-row">
        <p class="muted">{running ? 'A terminal is a login shell as the sandbox user in ~/workspace/app.' : 'The sandbox sleeps: opening a terminal wakes it.'}</p>
        <a class="button primary" href={href('s', id, 'terminal', 'new')}>
          Open a terminal
        </a>
      </div>
      {sessions.error !== undefined && <ErrorNote title="Could not list the terminals" error={sessions.error} retry={() => void sessions.reload()} />}
      {sessions.data === undefined && sessions.error === undefined && <Loading />}
      {sessions.data?.length === 0 && <Empty title="No terminal sessions" />}
      {sessions.data !== undefined && sessions.data.length > 0 && (
        <ul class="sessions">
          {sessions.data.map((s) => (
            <li key={s.id}>
              <a href={href('s', id, 'terminal', s.id)}>
                <code>{s.cmd.join(' ')}</code> started {ago(s.created_at)}
              </a>{' '}
              <span class="muted small">
                {s.exited ? `exited${s.exit_code === null ? '' : ` with ${s.exit_code}`}` : `${s.viewers} viewer${s.viewers === 1 ? '' : 's'}`}
              </span>{' '}
              <ConfirmButton label="End" danger title="End this terminal session?" action={async () => (await client.sandbox(id).pty.end(s.id), await sessions.reload())}>
                <p>Its processes are killed.</p>
              </ConfirmButton>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
