/** The daemon at a glance: version, readiness (with its reason), the settings that matter, and a few metrics. */
import { SandboxedError } from '@sandboxed/sdk';
import { Fragment } from 'preact';
import { client, errorText } from '../api';
import { bytes } from '../format';
import { useInterval, useLoad } from '../hooks';
import { ErrorNote, Loading } from '../parts/notice';
import { Status } from '../parts/status';

type Samples = Map<string, { labels: string; value: number }[]>;

/** The Prometheus text format, just enough of it: `name{labels} value` lines. */
export function parseMetrics(text: string): Samples {
  const out: Samples = new Map();
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const list = out.get(m[1]) ?? [];
    list.push({ labels: m[2] ?? '', value: Number(m[3]) });
    out.set(m[1], list);
  }
  return out;
}

const sum = (s: Samples, name: string, match = '') => (s.get(name) ?? []).filter((x) => x.labels.includes(match)).reduce((a, x) => a + x.value, 0);

function Highlights({ text }: { text: string }) {
  const s = parseMetrics(text);
  const byStatus = (s.get('sandboxed_sandboxes') ?? []).map((x) => `${/status="([^"]+)"/.exec(x.labels)?.[1] ?? '?'} ${x.value}`);
  const wakes = sum(s, 'sandboxed_wake_seconds_count');
  const wakeAvg = wakes > 0 ? sum(s, 'sandboxed_wake_seconds_sum') / wakes : null;
  const rows: [string, string][] = [
    ['Sandboxes', byStatus.length > 0 ? byStatus.join(', ') : 'none'],
    ['Wakes', wakes === 0 ? 'none yet' : `${wakes}, ${wakeAvg!.toFixed(2)} s on average`],
    ['Wakes refused', String(sum(s, 'sandboxed_wake_refusals_total'))],
    ['Stops by the reapers', String(sum(s, 'sandboxed_reaper_stops_total'))],
    ['Agent tasks', `${sum(s, 'sandboxed_tasks_total')} (${sum(s, 'sandboxed_tasks_total', 'status="succeeded"')} succeeded)`],
    ['Model cost', `$${sum(s, 'sandboxed_task_cost_usd_total').toFixed(4)}`],
    ['Preview requests', String(sum(s, 'sandboxed_edge_request_seconds_count'))],
    ['Docker errors', String(sum(s, 'sandboxed_docker_errors_total'))],
    ['SQLite busy', String(sum(s, 'sandboxed_sqlite_busy_total'))],
    ['Daemon memory', bytes(sum(s, 'process_resident_memory_bytes'))],
  ];
  return (
    <dl class="facts">
      {rows.map(([k, v]) => (
        <Fragment key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </Fragment>
      ))}
    </dl>
  );
}

export function SystemPage() {
  const system = useLoad(() => client.system(), []);
  // null: ready; a string: why not (a 503 is an answer here, not a failure to load).
  const ready = useLoad(async () => {
    try {
      await client.ready();
      return null;
    } catch (err) {
      if (err instanceof SandboxedError && err.status === 503) return err.message;
      throw err;
    }
  }, []);
  const metrics = useLoad(() => client.metrics(), []);
  useInterval(() => (void ready.reload(), void metrics.reload()), 10_000, [ready.reload, metrics.reload]);
  const s = system.data;
  return (
    <section aria-labelledby="system-title">
      <h1 id="system-title">System</h1>
      <div class="panels">
        <section class="panel" aria-labelledby="ready-title">
          <h2 id="ready-title">Readiness</h2>
          {ready.data === undefined && ready.error === undefined && <Loading />}
          {ready.error !== undefined && <ErrorNote error={ready.error} retry={() => void ready.reload()} />}
          {ready.data === null && (
            <p>
              <Status value="ready" /> SQLite and Docker answer, disks and network isolation are in place.
            </p>
          )}
          {typeof ready.data === 'string' && (
            <p class="note error" role="alert">
              <Status value="error" /> {ready.data}
            </p>
          )}
        </section>
        <section class="panel" aria-labelledby="version-title">
          <h2 id="version-title">Daemon</h2>
          {system.error !== undefined && <ErrorNote error={system.error} retry={() => void system.reload()} />}
          {!s && system.error === undefined && <Loading />}
          {s && (
            <dl class="facts">
              <dt>Version</dt>
              <dd>
                {s.version} <span class="muted small">(Node {s.node})</span>
              </dd>
              <dt>Started</dt>
              <dd>{new Date(s.started_at).toLocaleString()}</dd>
              <dt>Instance</dt>
              <dd>{s.instance}</dd>
              <dt>Auth</dt>
              <dd>{s.auth ? 'on (API tokens)' : 'off'}</dd>
              <dt>Edge</dt>
              <dd>
                {s.edge}, previews at <code>{`${s.preview_tls ? 'https' : 'http'}://s-<id>-<port>.preview.${s.preview_domain}`}</code>
              </dd>
              <dt>Host memory</dt>
              <dd>{s.memory.available_mb === null ? 'unknown' : `${s.memory.available_mb} MiB available of ${s.memory.total_mb} MiB (floor ${s.memory.floor_mb} MiB)`}</dd>
            </dl>
          )}
        </section>
        {s && (
          <section class="panel" aria-labelledby="settings-title">
            <h2 id="settings-title">Settings that matter</h2>
            <dl class="facts">
              <dt>Idle stop after</dt>
              <dd>{Math.round(s.idle_threshold_s / 60)} min without activity</dd>
              <dt>Memory per sandbox</dt>
              <dd>{`${s.limits.default_memory_mb} MiB by default, at most ${s.limits.max_memory_mb} MiB`}</dd>
              <dt>CPUs per sandbox</dt>
              <dd>{`${s.limits.default_cpus} by default, at most ${s.limits.max_cpus}`}</dd>
              <dt>Disk per sandbox</dt>
              <dd>{s.disk_quota ? `${s.limits.default_disk_mb} MiB by default, at most ${s.limits.max_disk_mb} MiB` : 'no quota (plain directories)'}</dd>
              <dt>Network isolation</dt>
              <dd>{s.network_isolation ? `on, egress ${s.egress_mode}` : 'off'}</dd>
              <dt>Warm pool</dt>
              <dd>{s.pool_size === 0 ? 'off' : `${s.pool_size} containers`}</dd>
              <dt>Snapshots</dt>
              <dd>{`${s.snapshots.max_count} per sandbox, ${s.snapshots.max_mb} MiB`}</dd>
              <dt>Agent tasks</dt>
              <dd>{`timeout ${Math.round(s.tasks.default_timeout_s / 60)} min by default; checkpoint before each: ${s.tasks.checkpoint ? 'yes' : 'no'}`}</dd>
              <dt>Terminals</dt>
              <dd>{`${s.terminals.max_per_sandbox} per sandbox, ${s.terminals.max_sessions} in all`}</dd>
            </dl>
          </section>
        )}
        <section class="panel" aria-labelledby="metrics-title">
          <h2 id="metrics-title">Metrics</h2>
          {metrics.error !== undefined && <p class="muted">Metrics are unavailable: {errorText(metrics.error)}</p>}
          {metrics.data === undefined && metrics.error === undefined && <Loading />}
          {metrics.data !== undefined && <Highlights text={metrics.data} />}
          <p class="muted small">All of them at /metrics (Prometheus).</p>
        </section>
      </div>
    </section>
  );
}
