/** The create body as a form: every field optional, defaults shown from the daemon's settings. */
import type { CreateSandboxInput, ServiceSpec } from '@sandboxed/sdk';
import { useState } from 'preact/hooks';
import { client, errorText } from '../api';
import { useLoad } from '../hooks';
import { navigate } from '../router';

interface ServiceRow {
  name: string;
  command: string;
  port: string;
}

/** "NAME=value" lines (env, metadata); values may hold "=". */
function parsePairs(text: string, what: string): Record<string, string> | string {
  const pairs: Record<string, string> = {};
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    const eq = line.indexOf('=');
    if (eq <= 0) return `${what} line ${i + 1}: write NAME=value`;
    pairs[line.slice(0, eq).trim()] = line.slice(eq + 1);
  }
  return pairs;
}

function numberOrUndefined(s: string): number | undefined {
  return s.trim() === '' ? undefined : Number(s);
}

/** The body to send, or a message saying which field is wrong (the API checks everything again). */
function bodyOf(f: Record<string, string>, services: ServiceRow[]): CreateSandboxInput | string {
  const ports = f.ports.split(/[\s,]+/).filter((p) => p !== '').map(Number);
  if (ports.some((p) => !Number.isInteger(p))) return 'ports: whole numbers, separated by commas';
  const env = parsePairs(f.env, 'env');
  if (typeof env === 'string') return env;
  const metadata = parsePairs(f.metadata, 'metadata');
  if (typeof metadata === 'string') return metadata;
  const svc: ServiceSpec[] = services
    .filter((s) => s.name.trim() !== '' || s.command.trim() !== '')
    .map((s) => ({ name: s.name.trim(), command: s.command, ...(s.port.trim() === '' ? {} : { port: Number(s.port) }) }));
  const body: CreateSandboxInput = {
    ...(f.id.trim() === '' ? {} : { id: f.id.trim() }),
    ...(ports.length > 0 ? { ports } : {}),
    ...(Object.keys(env).length > 0 ? { env } : {}),
    memory_mb: numberOrUndefined(f.memory_mb),
    cpus: numberOrUndefined(f.cpus),
    disk_mb: numberOrUndefined(f.disk_mb),
    idle_policy: f.idle_policy as CreateSandboxInput['idle_policy'],
    visibility: f.visibility as CreateSandboxInput['visibility'],
    ...(svc.length > 0 ? { services: svc } : {}),
    ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
    ttl_s: numberOrUndefined(f.ttl_s),
    auto_delete_after_idle_s: numberOrUndefined(f.auto_delete_after_idle_s),
    ...(f.from_snapshot === '' ? {} : { from_snapshot: f.from_snapshot }),
    ...(f.runtime === '' ? {} : { runtime: f.runtime as CreateSandboxInput['runtime'] }),
    ...(f.image.trim() === '' ? {} : { image: f.image.trim() }),
  };
  return body;
}

export function CreateSandbox() {
  const system = useLoad(() => client.system(), []);
  const templates = useLoad(() => client.templates(), []);
  const [f, setF] = useState<Record<string, string>>({ id: '', ports: '3000', env: '', memory_mb: '', cpus: '', disk_mb: '', idle_policy: 'sleep', visibility: 'public', from_snapshot: '', metadata: '', ttl_s: '', auto_delete_after_idle_s: '', runtime: '', image: '' });
  const [services, setServices] = useState<ServiceRow[]>([{ name: '', command: '', port: '' }]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const field = (name: string) => ({ name, value: f[name], onInput: (e: Event) => setF({ ...f, [name]: (e.currentTarget as HTMLInputElement).value }) });
  const setService = (i: number, key: keyof ServiceRow, value: string) => setServices(services.map((s, j) => (j === i ? { ...s, [key]: value } : s)));
  const limits = system.data?.limits;

  const submit = async (e: Event) => {
    e.preventDefault();
    const body = bodyOf(f, services);
    if (typeof body === 'string') return setError(body);
    setBusy(true);
    setError(null);
    try {
      const sb = await client.sandboxes.create(body);
      navigate('s', sb.id);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="create-title" class="narrow">
      <h1 id="create-title">New sandbox</h1>
      <form onSubmit={submit} class="form">
        <label>
          Id <span class="muted small">(optional: lowercase letters, digits and dashes; else one is generated)</span>
          <input {...field('id')} pattern="[a-z0-9]+(-[a-z0-9]+)*" maxLength={40} autocomplete="off" spellcheck={false} />
        </label>
        <label>
          Ports <span class="muted small">(the app's ports, each gets a preview URL)</span>
          <input {...field('ports')} inputMode="numeric" placeholder="3000, 8080" />
        </label>
        <div class="grid3">
          <label>
            Memory (MiB)
            <input {...field('memory_mb')} type="number" min={64} max={limits?.max_memory_mb} placeholder={limits ? String(limits.default_memory_mb) : ''} />
          </label>
          <label>
            CPUs
            <input {...field('cpus')} type="number" min={0.1} step={0.1} max={limits?.max_cpus} placeholder={limits ? String(limits.default_cpus) : ''} />
          </label>
          <label>
            Disk (MiB)
            <input {...field('disk_mb')} type="number" min={64} max={limits?.max_disk_mb} placeholder={limits ? String(limits.default_disk_mb) : ''} />
          </label>
        </div>
        <div class="grid2">
          <label>
            Idle policy
            <select {...field('idle_policy')}>
              <option value="sleep">Sleep when idle (wakes on the next request)</option>
              <option value="always_on">Always on</option>
            </select>
          </label>
          <label>
            Previews
            <select {...field('visibility')}>
              <option value="public">Public: anyone with the URL</option>
              <option value="private">Private: a token is needed</option>
            </select>
          </label>
        </div>
        <div class="grid2">
          <label>
            Runtime
            <select {...field('runtime')}>
              <option value="">The daemon's default</option>
              <option value="runc">runc (containers)</option>
              <option value="gvisor">gVisor (a second wall, slower)</option>
            </select>
          </label>
          <label>
            Image <span class="muted small">(a name of SANDBOXD_IMAGES; empty: default)</span>
            <input {...field('image')} autocomplete="off" spellcheck={false} placeholder="default" />
          </label>
        </div>
        <fieldset>
          <legend>Services (started at every start and kept running)</legend>
          {services.map((s, i) => (
            <div class="service-row" key={i}>
              <label>
                Name
                <input value={s.name} onInput={(e) => setService(i, 'name', e.currentTarget.value)} placeholder="web" autocomplete="off" />
              </label>
              <label class="grow">
                Command
                <input value={s.command} onInput={(e) => setService(i, 'command', e.currentTarget.value)} placeholder="npm run dev" autocomplete="off" spellcheck={false} />
              </label>
              <label>
                Port
                <input value={s.port} onInput={(e) => setService(i, 'port', e.currentTarget.value)} inputMode="numeric" class="short" />
              </label>
            </div>
          ))}
          <button type="button" onClick={() => setServices([...services, { name: '', command: '', port: '' }])}>
            Add a service
          </button>
        </fieldset>
        <label>
          Environment <span class="muted small">(NAME=value per line; values never leave the daemon again)</span>
          <textarea {...field('env')} rows={3} spellcheck={false} autocomplete="off" />
        </label>
        <label>
          Metadata <span class="muted small">(key=value per line: labels to find it again, e.g. user=42)</span>
          <textarea {...field('metadata')} rows={2} spellcheck={false} autocomplete="off" />
        </label>
        <div class="grid2">
          <label>
            Delete after (s) <span class="muted small">(ttl_s; empty: the default, 0: never)</span>
            <input {...field('ttl_s')} type="number" min={0} />
          </label>
          <label>
            Delete after idle (s) <span class="muted small">(once stopped and unused)</span>
            <input {...field('auto_delete_after_idle_s')} type="number" min={0} />
          </label>
        </div>
        <label>
          Start from a template
          <select {...field('from_snapshot')} disabled={!templates.data || templates.data.length === 0}>
            <option value="">{templates.data && templates.data.length === 0 ? 'No templates (mark a snapshot as one)' : 'An empty workspace'}</option>
            {(templates.data ?? []).map((t) => (
              <option key={t.id} value={t.id}>
                {t.name ?? t.id} (from {t.sandbox_id})
              </option>
            ))}
          </select>
        </label>
        {error && (
          <p class="note error" role="alert">
            {error}
          </p>
        )}
        <div class="actions">
          <button type="submit" class="primary" disabled={busy}>
            {busy ? 'Creating… (the container starts)' : 'Create sandbox'}
          </button>
        </div>
      </form>
    </section>
  );
}
