/** Declared services, their supervisor's status, and each one's log followed live. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { client, errorText } from '../api';
import { ago } from '../format';
import { useInterval, useLoad } from '../hooks';
import { Empty, ErrorNote, Loading } from '../parts/notice';
import { Status } from '../parts/status';

/** What the page keeps of a followed log: the end, like a terminal's scrollback. */
const KEEP_CHARS = 256 * 1024;

/** A service's log, from its last 64 KiB on, as it grows; text only (a tenant writes it). */
export function LogView({ id, service }: { id: string; service: string }) {
  const [text, setText] = useState('');
  // 'following', 'ended', or why it stopped.
  const [state, setState] = useState<string>('following');
  const pre = useRef<HTMLPreElement>(null);
  useEffect(() => {
    const abort = new AbortController();
    let buf = '';
    void (async () => {
      try {
        for await (const ev of client.sandbox(id).logs.follow({ service }, { signal: abort.signal })) {
          if (ev.type === 'reset') buf = '';
          else if (ev.type === 'log') buf = (buf + ev.text).slice(-KEEP_CHARS);
          setText(buf);
        }
        setState('ended');
      } catch (err) {
        if (!abort.signal.aborted) setState(errorText(err));
      }
    })();
    return () => abort.abort();
  }, [id, service]);
  useEffect(() => {
    const el = pre.current;
    if (el && el.scrollHeight - el.scrollTop - el.clientHeight < 80) el.scrollTop = el.scrollHeight;
  }, [text]);
  return (
    <div class="log">
      <p class="muted small" role="status">
        {state === 'following' ? 'Following the log live…' : state === 'ended' ? 'The log ended.' : `The log stopped: ${state}`}
      </p>
      <pre ref={pre} tabIndex={0} aria-label={`Log of ${service}`} data-testid={`log-${service}`}>
        {text === '' ? <span class="muted">(empty so far)</span> : text}
      </pre>
    </div>
  );
}

export function ServicesPanel({ id, running }: { id: string; running: boolean }) {
  const services = useLoad(() => client.sandbox(id).services(), [id]);
  const [open, setOpen] = useState<string | null>(null);
  useInterval(() => void services.reload(), 5000, [services.reload]);
  if (services.data === undefined) {
    return services.error !== undefined ? <ErrorNote title="Could not read the services" error={services.error} retry={() => void services.reload()} /> : <Loading />;
  }
  const { declared, services: status } = services.data;
  if (declared.length === 0) return <Empty title="No services declared">{<p class="muted">Declare them at create, or with PATCH (a command kept running, e.g. a dev server).</p>}</Empty>;
  return (
    <>
      {!running && <p class="muted small">The sandbox is not running: services start with it.</p>}
      <ul class="services">
        {declared.map((d) => {
          const s = status.find((x) => x.name === d.name);
          return (
            <li key={d.name}>
              <div class="service-head">
                <strong>{d.name}</strong> <Status value={s?.state ?? 'unknown'} />
                <code class="cmd">{d.command}</code>
                {d.port !== undefined && <span class="chip">:{d.port}</span>}
                {s && (
                  <span class="muted small">
                    {s.restarts} restart{s.restarts === 1 ? '' : 's'}
                    {s.since ? `, since ${ago(s.since)}` : ''}
                    {s.last_exit_code !== null ? `, last exit ${s.last_exit_code}` : ''}
                  </span>
                )}
                <button type="button" aria-expanded={open === d.name} onClick={() => setOpen(open === d.name ? null : d.name)}>
                  {open === d.name ? 'Hide log' : 'Follow log'}
                </button>
              </div>
              {open === d.name && <LogView id={id} service={d.name} />}
            </li>
          );
        })}
      </ul>
    </>
  );
}
