/** Every live sandbox: status, runtime, memory and disk use, last activity, idle policy, previews; kept live. */
import type { SandboxInfo, SandboxUsage } from '@sandboxed/sdk';
import { useEffect, useState } from 'preact/hooks';
import { client } from '../api';
import { ago, bytes, safeHref } from '../format';
import { useInterval, useLoad } from '../hooks';
import { watchLiveMode, watchSandboxes, type LiveMode } from '../live';
import { Empty, ErrorNote, Loading } from '../parts/notice';
import { Status } from '../parts/status';
import { href } from '../router';

const USAGE_MS = 10_000;

const RUNTIME_NAMES: Record<SandboxInfo['runtime'], string> = { runc: 'runc', gvisor: 'gVisor' };

function Meter({ used, total }: { used: number | null | undefined; total: number | null | undefined }) {
  if (used === null || used === undefined) return <span class="muted">—</span>;
  const pct = total ? Math.min(100, Math.round((used / total) * 100)) : null;
  return (
    <span class="meter-cell">
      {bytes(used)}
      {total ? <span class="muted"> / {bytes(total)}</span> : null}
      {pct !== null && (
        <span class="meter" role="img" aria-label={`${pct} percent`}>
          <span style={{ width: `${pct}%` }} class={pct > 90 ? 'hot' : ''} />
        </span>
      )}
    </span>
  );
}

function Row({ sb, usage }: { sb: SandboxInfo; usage: SandboxUsage | undefined }) {
  return (
    <tr>
      <th scope="row" data-label="Sandbox">
        <a href={href('s', sb.id)}>{sb.id}</a>
      </th>
      <td data-label="Status">
        <Status value={sb.status} />
        {sb.last_error && <span class="muted small block">{sb.last_error}</span>}
      </td>
      <td data-label="Runtime">{RUNTIME_NAMES[sb.runtime] ?? sb.runtime}</td>
      <td data-label="Memory">
        <Meter used={usage?.memory_bytes} total={usage?.memory_limit_bytes ?? sb.memory_mb * 1048576} />
      </td>
      <td data-label="Disk">
        <Meter used={usage?.disk_used_bytes} total={usage?.disk_size_bytes} />
      </td>
      <td data-label="Last activity">
        <time dateTime={sb.last_active_at} title={sb.last_active_at}>
          {ago(sb.last_active_at)}
        </time>
      </td>
      <td data-label="Idle policy">{sb.idle_policy === 'always_on' ? 'always on' : 'sleeps when idle'}</td>
      <td data-label="Previews">
        {sb.ports.length === 0 && <span class="muted">none</span>}
        {sb.ports.map((p) => {
          const url = sb.visibility === 'public' ? safeHref(sb.preview_urls[String(p)] ?? '') : undefined;
          return url ? (
            <a key={p} class="chip" href={url} target="_blank" rel="noopener noreferrer">
              :{p}
            </a>
          ) : (
            <a key={p} class="chip" href={href('s', sb.id)} title="Private: open the sandbox's page for a link with a token">
              :{p} 🔒
            </a>
          );
        })}
      </td>
    </tr>
  );
}

export function SandboxList() {
  const list = useLoad(() => client.sandboxes.list(), []);
  const usage = useLoad(() => client.usage(), []);
  const [, setNow] = useState(0);
  const [live, setLive] = useState<LiveMode>('connecting');
  useEffect(() => watchLiveMode(setLive), []);
  useEffect(() => watchSandboxes(() => void list.reload()), [list.reload]);
  // Usage changes without an event; "3 min ago" ages too.
  useInterval(
    () => {
      void usage.reload();
      setNow(Date.now());
    },
    USAGE_MS,
    [usage.reload],
  );
  const rows = list.data?.map((h) => h.info!).sort((a, b) => a.id.localeCompare(b.id));
  const byId = new Map((usage.data ?? []).map((u) => [u.id, u]));
  return (
    <section aria-labelledby="list-title">
      <div class="title-row">
        <h1 id="list-title">Sandboxes</h1>
        <span class={`live live-${live}`} title={live === 'polling' ? 'The event stream is unavailable: the table is read again every few seconds' : undefined}>
          {live === 'live' ? 'live' : live === 'polling' ? 'refreshing every 5 s' : 'connecting…'}
        </span>
        <a class="button primary" href={href('new')}>
          New sandbox
        </a>
      </div>
      {list.error !== undefined && <ErrorNote title="Could not list the sandboxes" error={list.error} retry={() => void list.reload()} />}
      {rows === undefined && list.error === undefined && <Loading label="Loading sandboxes…" />}
      {rows !== undefined && rows.length === 0 && (
        <Empty title="No sandboxes yet">
          <p class="muted">A sandbox is an isolated container with its own disk, previews and terminals.</p>
          <a class="button primary" href={href('new')}>
            Create the first one
          </a>
        </Empty>
      )}
      {rows !== undefined && rows.length > 0 && (
        <div class="table-wrap">
          <table class="cards">
            <caption class="visually-hidden">Sandboxes, updated live</caption>
            <thead>
              <tr>
                <th scope="col">Sandbox</th>
                <th scope="col">Status</th>
                <th scope="col">Runtime</th>
                <th scope="col">Memory</th>
                <th scope="col">Disk</th>
                <th scope="col">Last activity</th>
                <th scope="col">Idle policy</th>
                <th scope="col">Previews</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((sb) => (
                <Row key={sb.id} sb={sb} usage={byId.get(sb.id)} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {usage.error !== undefined && rows !== undefined && rows.length > 0 && <p class="muted small">Memory and disk use are unavailable: {String((usage.error as Error).message)}</p>}
    </section>
  );
}
