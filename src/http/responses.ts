/**
 * What the API answers, as zod schemas: the OpenAPI document's components
 * (each `id` is a name an SDK generator uses) and the serializer of every
 * route. Serializing parses: keys not listed here are dropped, so a value
 * that should not leave (an env value) cannot be sent by mistake.
 *
 * Output schemas state types, not input rules: a response must never fail to
 * serialize because a stored or tenant-written value is unusual (service
 * status files are the tenant's, so their numbers are plain numbers).
 */
import { z } from 'zod';

const timestamp = z.string().meta({ format: 'date-time' });
const count = z.number().int().min(0);

/** Bytes, not JSON: a file's content or an upload's body. */
export const binary = z.unknown().meta({ type: 'string', format: 'binary', description: 'raw bytes' });

export const errorSchema = z
  .object({ error: z.string().meta({ description: 'What went wrong, in words; a field error names the field (`body.ports: …`)' }) })
  .meta({ id: 'Error', description: 'Every 4xx and 5xx answer', examples: [{ error: 'sandbox demo not found' }] });

export const healthSchema = z.object({ status: z.literal('ok') }).meta({ id: 'Health', examples: [{ status: 'ok' }] });
export const readySchema = z.object({ status: z.literal('ready') }).meta({ id: 'Ready', examples: [{ status: 'ready' }] });

export const reconcileSchema = z
  .object({
    created: count,
    started: count,
    stopped: count,
    removed: count,
    errors: z.array(z.object({ sandbox_id: z.string().nullable(), action: z.string(), error: z.string() })),
  })
  .meta({ id: 'ReconcileResult', description: 'What one reconcile pass did', examples: [{ created: 0, started: 1, stopped: 0, removed: 0, errors: [] }] });

const serviceOut = z
  .object({ name: z.string(), command: z.string(), port: z.number().int().optional(), cwd: z.string().optional() })
  .meta({ id: 'Service', description: 'A declared service: started at every container start and kept running' });

const egressOut = z.object({ mode: z.enum(['open', 'allowlist']), allow: z.array(z.string()), deny: z.array(z.string()) }).meta({
  description: 'Where the sandbox may connect on ports 80 and 443, by name (exact, *.wildcard, CIDR); deny wins',
});

const SANDBOX_EXAMPLE = {
  id: 'demo',
  status: 'running',
  ports: [3000],
  preview_urls: { '3000': 'http://s-demo-3000.preview.localhost' },
  container_id: '4f9c2d0e8b1a…',
  created_at: '2025-01-01T12:00:00.000Z',
  last_active_at: '2025-01-01T12:05:00.000Z',
  idle_policy: 'sleep',
  visibility: 'public',
  memory_mb: 1024,
  cpus: 1,
  disk_mb: 5120,
  services: [{ name: 'web', command: 'npm run dev', port: 3000 }],
  env_names: ['API_KEY'],
  last_error: null,
  image: 'default',
  image_id: 'sha256:5e62550790e3…',
  metadata: { user: '42', 'sandboxed.owner': 'app' },
  ttl_s: 86400,
  expires_at: '2025-01-02T12:00:00.000Z',
  auto_delete_after_idle_s: null,
  purge_on_expiry: false,
  runtime: 'runc',
  egress: { mode: 'open', allow: [], deny: [] },
  egress_default: true,
};

export const sandboxSchema = z
  .object({
    id: z.string(),
    status: z.enum(['running', 'starting', 'stopping', 'stopped', 'error']).meta({ description: 'error: see last_error' }),
    ports: z.array(z.number().int()),
    preview_urls: z.record(z.string(), z.string()).meta({ description: 'By port' }),
    container_id: z.string().nullable(),
    created_at: timestamp,
    last_active_at: timestamp,
    idle_policy: z.enum(['sleep', 'always_on']),
    visibility: z.enum(['public', 'private']),
    memory_mb: z.number().int(),
    cpus: z.number(),
    disk_mb: z.number().int(),
    services: z.array(serviceOut),
    env_names: z.array(z.string()).meta({ description: 'Names of the injected variables; values never leave the daemon' }),
    last_error: z.string().nullable(),
    image: z.string().meta({ description: 'The image’s name in SANDBOXD_IMAGES (GET /v1/images)' }),
    image_id: z.string().nullable().meta({ description: 'The build its container was made from; null before its first container' }),
    metadata: z.record(z.string(), z.string()).meta({ description: 'Labels for filtering; sandboxed.owner is the name of the token that created it' }),
    ttl_s: z.number().int().nullable().meta({ description: 'Deleted this long after create; null: never' }),
    expires_at: timestamp.nullable().meta({ description: 'created_at + ttl_s' }),
    auto_delete_after_idle_s: z.number().int().nullable().meta({ description: 'Deleted once stopped and unused this long; null: never' }),
    purge_on_expiry: z.boolean(),
    runtime: z.enum(['runc', 'gvisor']).meta({ description: 'gvisor: gVisor’s user-space kernel between the tenant and the host’s' }),
    egress: egressOut,
    egress_default: z.boolean().meta({ description: 'The policy is the settings’ default (SANDBOXD_EGRESS_*), not the sandbox’s own' }),
  })
  .meta({ id: 'Sandbox', description: 'A sandbox', examples: [SANDBOX_EXAMPLE] });

export const sandboxListSchema = z
  .object({
    sandboxes: z.array(sandboxSchema),
    count: count.meta({ description: 'Sandboxes in this answer' }),
    next_cursor: z.string().nullable().meta({ description: 'Pass as ?cursor= (with the same filters) for the next page; null: this was the last' }),
  })
  .meta({ id: 'SandboxList', examples: [{ sandboxes: [SANDBOX_EXAMPLE], count: 1, next_cursor: null }] });

export const sandboxDeletedSchema = z
  .object({ id: z.string(), status: z.literal('destroyed'), workspace: z.literal('kept') })
  .meta({ id: 'SandboxDeleted', examples: [{ id: 'demo', status: 'destroyed', workspace: 'kept' }] });

export const sandboxPurgedSchema = z
  .object({ id: z.string(), status: z.literal('purged'), workspace: z.literal('removed') })
  .meta({ id: 'SandboxPurged', examples: [{ id: 'demo', status: 'purged', workspace: 'removed' }] });

export const execResultSchema = z
  .object({
    exit_code: z.number().int().nullable(),
    stdout: z.string(),
    stderr: z.string(),
    timed_out: z.boolean(),
    truncated: z.boolean().meta({ description: 'A stream passed the output limit and was cut' }),
    duration_ms: z.number(),
  })
  .meta({ id: 'ExecResult', examples: [{ exit_code: 0, stdout: 'hi\n', stderr: '', timed_out: false, truncated: false, duration_ms: 41 }] });

export const backgroundExecSchema = z
  .object({
    id: z.string(),
    background: z.literal(true),
    log_path: z.string(),
    logs_url: z.string().meta({ description: 'GET it for the log’s tail, with ?follow=1 to follow it live (SSE) until the command ends' }),
  })
  .meta({
    id: 'BackgroundExec',
    examples: [
      {
        id: '01jh6x0q3c4v5b6n7m8k9j0h1g',
        background: true,
        log_path: '/home/sandbox/.sandboxed/logs/exec-01jh6x0q3c4v5b6n7m8k9j0h1g.log',
        logs_url: '/v1/sandboxes/demo/exec/01jh6x0q3c4v5b6n7m8k9j0h1g/logs',
      },
    ],
  });

const entrySchema = z
  .object({ name: z.string(), path: z.string(), type: z.enum(['file', 'directory', 'symlink', 'other']), size: z.number(), mtime: timestamp })
  .meta({ id: 'FileEntry' });

export const listingSchema = z
  .object({
    path: z.string(),
    entries: z.array(entrySchema),
    truncated: z.boolean(),
    next_cursor: z.string().optional().meta({ description: 'Pass as ?cursor= for the next page' }),
  })
  .meta({
    id: 'FileListing',
    examples: [{ path: '/home/sandbox/workspace/app', truncated: false, entries: [{ name: 'index.html', path: '/home/sandbox/workspace/app/index.html', type: 'file', size: 14, mtime: '2025-01-01T12:00:00.000Z' }] }],
  });

export const fileContentSchema = z
  .object({ path: z.string(), content: z.string(), encoding: z.enum(['utf8', 'base64']), size: z.number() })
  .meta({ id: 'FileContent', examples: [{ path: '/home/sandbox/workspace/app/index.html', content: '<h1>hello</h1>', encoding: 'utf8', size: 14 }] });

export const fileWrittenSchema = z
  .object({ path: z.string(), size: z.number() })
  .meta({ id: 'FileWritten', examples: [{ path: '/home/sandbox/workspace/app/index.html', size: 14 }] });

export const fileDeletedSchema = z
  .object({ path: z.string(), deleted: z.literal(true) })
  .meta({ id: 'FileDeleted', examples: [{ path: '/home/sandbox/workspace/app/assets', deleted: true }] });

export const directoryMadeSchema = z
  .object({ path: z.string(), created: z.boolean() })
  .meta({ id: 'DirectoryMade', examples: [{ path: '/home/sandbox/workspace/app/assets', created: true }] });

const serviceStatusSchema = z
  .object({
    name: z.string(),
    state: z.string().meta({ description: 'starting, running, backoff, failed, stopped or unknown' }),
    pid: z.number().nullable(),
    restarts: z.number(),
    last_exit_code: z.number().nullable(),
    since: z.string().nullable(),
    log_path: z.string(),
  })
  .meta({ id: 'ServiceStatus' });

export const servicesSchema = z
  .object({ declared: z.array(serviceOut), services: z.array(serviceStatusSchema) })
  .meta({
    id: 'Services',
    examples: [
      {
        declared: [{ name: 'web', command: 'python3 -m http.server 3000', port: 3000 }],
        services: [{ name: 'web', state: 'running', pid: 42, restarts: 0, last_exit_code: null, since: '2025-01-01T12:00:00Z', log_path: '/home/sandbox/.sandboxed/logs/web.log' }],
      },
    ],
  });

export const previewTokenSchema = z
  .object({ token: z.string(), expires_at: timestamp, url: z.string().meta({ description: 'The preview URL with ?token=' }), port: z.number().int() })
  .meta({
    id: 'PreviewToken',
    examples: [{ token: 'v1.demo.3000.1735736400.0.k3J…', expires_at: '2025-01-01T13:00:00.000Z', url: 'http://s-demo-3000.preview.localhost/?token=v1.demo…', port: 3000 }],
  });

export const previewRotatedSchema = z
  .object({ id: z.string(), rotated: z.literal(true), epoch: count })
  .meta({ id: 'PreviewTokensRotated', examples: [{ id: 'demo', rotated: true, epoch: 1 }] });
