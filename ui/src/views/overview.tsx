/** What a sandbox is and uses, its preview links (with a token when private), its services and its snapshots. */
import type { PreviewToken, SandboxInfo } from '@sandboxed/sdk';
import { useState } from 'preact/hooks';
import { client, errorText } from '../api';
import { ago, bytes, safeHref, when } from '../format';
import { useInterval, useLoad } from '../hooks';
import { ErrorNote, Loading } from '../parts/notice';
import { ServicesPanel } from './services';
import { SnapshotsPanel } from './snapshots';

/** A private preview's tokens last an hour; the links are made again when the page is opened. */
const PREVIEW_TOKEN_TTL_S = 3600;

function Previews({ info }: { info: SandboxInfo }) {
  const sb = client.sandbox(info.id);
  const tokens = useLoad(
    async (): Promise<PreviewToken[]> => (info.visibility === 'private' ? Promise.all(info.ports.map((port) => sb.previewToken({ port, ttl_s: PREVIEW_TOKEN_TTL_S }))) : []),
    [info.id, info.visibility, info.ports.join(',')],
  );
  if (info.ports.length === 0) return <p class="muted">No ports declared: this sandbox serves no preview.</p>;
  if (info.visibility === 'private' && tokens.data === undefined) {
    return tokens.error !== undefined ? <ErrorNote title="Could not make preview links" error={tokens.error} retry={() => void tokens.reload()} /> : <Loading label="Making preview links…" />;
  }
  return (
    <ul class="previews">
      {info.ports.map((port, i) => {
        const url = safeHref(info.visibility === 'private' ? (tokens.data?.[i]?.url ?? '') : (info.preview_urls[String(port)] ?? ''));
        return (
          <li key={port}>
            <span class="chip">:{port}</span>{' '}
            {url ? (
              <a href={url} target="_blank" rel="noopener noreferrer" class="preview-link">
                {info.visibility === 'private' ? `${info.preview_urls[String(port)]} (with a token, valid 1 h)` : url}
              </a>
            ) : (
              <span class="muted">no link</span>
            )}
          </li>
        );
      })}
    </ul>
  );
}

function Details({ info, changed }: { info: SandboxInfo; changed: () => void }) {
  const usage = useLoad(() => client.sandbox(info.id).usage(), [info.id]);
  useInterval(() => void usage.reload(), 10_000, [usage.reload]);
  const [error, setError] = useState<string | null>(null);
  const patch = async (body: Parameters<ReturnType<typeof client.sandbox>['update']>[0]) => {
    setError(null);
    try {
      await client.sandbox(info.id).update(body);
      changed();
    } catch (err) {
      setError(errorText(err));
    }
  };
  const u = usage.data;
  return (
    <>
      <dl class="facts">
        <dt>Created</dt>
        <dd>{when(info.created_at)}</dd>
        <dt>Last activity</dt>
        <dd>{ago(info.last_active_at)}</dd>
        <dt>Memory</dt>
        <dd>
          {u?.memory_bytes != null ? `${bytes(u.memory_bytes)} of ` : ''}
          {info.memory_mb} MiB
        </dd>
        <dt>Disk</dt>
        <dd>
          {u?.disk_used_bytes != null ? `${bytes(u.disk_used_bytes)} of ${bytes(u.disk_size_bytes)}` : `${info.disk_mb} MiB`}
        </dd>
        <dt>CPUs</dt>
        <dd>{info.cpus}</dd>
        <dt>Environment</dt>
        <dd>{info.env_names.length === 0 ? <span class="muted">none</span> : info.env_names.join(', ')}</dd>
        <dt>Runtime</dt>
        <dd>{info.runtime === 'gvisor' ? 'gVisor' : 'runc'}</dd>
        <dt>Image</dt>
        <dd>{info.image}</dd>
        <dt>Metadata</dt>
        <dd>
          {Object.keys(info.metadata).length === 0 ? (
            <span class="muted">none</span>
          ) : (
            Object.entries(info.metadata).map(([k, v]) => (
              <span key={k} class="chip">
                {k}={v}
              </span>
            ))
          )}
        </dd>
        <dt>Lifetime</dt>
        <dd>
          {info.expires_at ? `deleted ${when(info.expires_at)}` : 'no expiry'}
          {info.auto_delete_after_idle_s !== null ? `; deleted after ${info.auto_delete_after_idle_s} s stopped and unused` : ''}
        </dd>
        <dt>Idle policy</dt>
        <dd>
          <select aria-label="Idle policy" value={info.idle_policy} onChange={(e) => void patch({ idle_policy: e.currentTarget.value as SandboxInfo['idle_policy'] })}>
            <option value="sleep">Sleep when idle</option>
            <option value="always_on">Always on</option>
          </select>
        </dd>
        <dt>Previews</dt>
        <dd>
          <select aria-label="Preview visibility" value={info.visibility} onChange={(e) => void patch({ visibility: e.currentTarget.value as SandboxInfo['visibility'] })}>
            <option value="public">Public</option>
            <option value="private">Private (token)</option>
          </select>
        </dd>
      </dl>
      {error && (
        <p class="note error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}

export function Overview({ info, changed }: { info: SandboxInfo; changed: () => void }) {
  return (
    <div class="panels">
      <section class="panel" aria-labelledby="details-title">
        <h2 id="details-title">Details</h2>
        <Details info={info} changed={changed} />
      </section>
      <section class="panel" aria-labelledby="previews-title">
        <h2 id="previews-title">Previews</h2>
        <Previews info={info} />
      </section>
      <section class="panel wide" aria-labelledby="services-title">
        <h2 id="services-title">Services</h2>
        <ServicesPanel id={info.id} running={info.status === 'running'} />
      </section>
      <section class="panel wide" aria-labelledby="snapshots-title">
        <h2 id="snapshots-title">Snapshots</h2>
        <SnapshotsPanel id={info.id} changed={changed} />
      </section>
    </div>
  );
}
