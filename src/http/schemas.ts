/** Shared zod schemas for the wire format (snake_case). */
import { z } from 'zod';
import { egressEntryProblem, MAX_EGRESS_ENTRIES } from '../domain/egress.js';
import {
  isReservedKey,
  METADATA_KEY_MAX,
  METADATA_MAX_KEYS,
  METADATA_MAX_TOTAL_BYTES,
  METADATA_VALUE_MAX_BYTES,
  metadataKeyProblem,
  metadataProblem,
  metadataValueProblem,
} from '../domain/metadata.js';
import { ENV_NAME_PATTERN, RUNTIMES, SANDBOX_ID_MAX, SANDBOX_ID_PATTERN } from '../domain/sandbox.js';

export const sandboxIdSchema = z
  .string()
  .max(SANDBOX_ID_MAX, `must be at most ${SANDBOX_ID_MAX} characters`)
  .regex(SANDBOX_ID_PATTERN, 'must be lowercase letters and digits with single dashes inside');

export const idParams = z.object({ id: sandboxIdSchema });

export const envSchema = z
  .record(z.string().regex(ENV_NAME_PATTERN, 'env names must match [A-Za-z_][A-Za-z0-9_]*').max(256), z.string().max(128 * 1024))
  .refine((e) => Object.keys(e).length <= 256, 'at most 256 variables')
  .refine((e) => Object.values(e).every((v) => !v.includes('\0')), 'env values must not contain NUL');

export const portSchema = z.number().int().min(1).max(65535);

export const serviceSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'service names are lowercase letters, digits, - and _'),
  command: z.string().min(1).max(4096),
  port: portSchema.optional(),
  cwd: z.string().startsWith('/home/sandbox').max(1024).optional(),
}).meta({ id: 'ServiceSpec' });

export const servicesSchema = z
  .array(serviceSchema)
  .max(16)
  .refine((s) => new Set(s.map((x) => x.name)).size === s.length, 'service names must be unique');

export const idlePolicySchema = z.enum(['sleep', 'always_on']);
export const visibilitySchema = z.enum(['public', 'private']);

// --- Metadata and lifetimes (domain/metadata.ts has the bounds) ---------------

// Keys are checked in the record's refinement, where a message can name the key (zod's own says only
// "Invalid key in record", after the whole key); the body limit bounds them before that.
const metadataKey = z.string();
function keyIssues(md: Record<string, unknown>, ctx: z.RefinementCtx): void {
  for (const k of Object.keys(md)) {
    const problem = metadataKeyProblem(k);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, path: [k.slice(0, METADATA_KEY_MAX)] });
  }
}
const metadataValue = z
  .string()
  .max(METADATA_VALUE_MAX_BYTES)
  .superRefine((v, ctx) => {
    const problem = metadataValueProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
const METADATA_RULES = `At most ${METADATA_MAX_KEYS} keys of 1-${METADATA_KEY_MAX} characters (A-Z a-z 0-9 _ . / -, a letter or digit first), values of at most ${METADATA_VALUE_MAX_BYTES} bytes without control characters, ${METADATA_MAX_TOTAL_BYTES} bytes in all; keys starting with "sandboxed." are the daemon's.`;

/** String labels, for nothing but filtering lists (GET /v1/sandboxes?metadata.<key>=<value>). */
export const metadataSchema = z
  .record(metadataKey, metadataValue)
  .superRefine((md, ctx) => {
    keyIssues(md, ctx);
    const problem = metadataProblem(md);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .meta({ id: 'Metadata', description: METADATA_RULES, examples: [{ user: '42', plan: 'free' }] });

/** A PATCH of metadata: a string sets its key, null removes it (JSON merge patch); the result is bounded like a create's. */
export const metadataPatchSchema = z
  .record(metadataKey, metadataValue.nullable())
  .superRefine((md, ctx) => {
    keyIssues(md, ctx);
    if (Object.keys(md).length > 2 * METADATA_MAX_KEYS) ctx.addIssue({ code: 'custom', message: `at most ${2 * METADATA_MAX_KEYS} keys in one change` });
  })
  .meta({ id: 'MetadataPatch', description: `Keys set to a string are set, keys set to null removed. ${METADATA_RULES}` });

/** Why a key named in a list filter (?metadata.<key>=) can never match, or null. Reserved keys may be filtered on. */
export function filterKeyProblem(key: string): string | null {
  const problem = metadataKeyProblem(key);
  return problem && !isReservedKey(key) ? problem : null;
}

const lifetimeFields = {
  ttl_s: z.number().int().min(0).optional().meta({ description: 'Deleted this many seconds after create; 0: never. Default and maximum: SANDBOXD_DEFAULT_TTL_SECONDS, SANDBOXD_MAX_TTL_SECONDS' }),
  auto_delete_after_idle_s: z
    .number()
    .int()
    .min(0)
    .optional()
    .meta({ description: 'Deleted once stopped and unused this many seconds; 0: never. Default and maximum: SANDBOXD_DEFAULT_AUTO_DELETE_AFTER_IDLE_SECONDS, SANDBOXD_MAX_AUTO_DELETE_AFTER_IDLE_SECONDS' }),
  purge_on_expiry: z.boolean().optional().meta({ description: 'An expiry purges (workspace and snapshots gone) instead of keeping the workspace like DELETE' }),
};

const egressEntry = z
  .string()
  .max(253)
  .transform((e) => e.toLowerCase())
  .superRefine((e, ctx) => {
    const problem = egressEntryProblem(e);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** A sandbox's egress policy: names, wildcards and CIDRs (see src/domain/egress.ts). */
export const egressSchema = z
  .strictObject({
    mode: z.enum(['open', 'allowlist']),
    allow: z.array(egressEntry).max(MAX_EGRESS_ENTRIES).default([]),
    deny: z.array(egressEntry).max(MAX_EGRESS_ENTRIES).default([]),
  })
  .meta({
    id: 'EgressPolicy',
    description: 'Where the sandbox may connect on ports 80 and 443, by host name: exact names, *.wildcards and CIDRs; deny wins. Absent: the settings\' default (SANDBOXD_EGRESS_MODE).',
    examples: [{ mode: 'allowlist', allow: ['registry.npmjs.org', '*.github.com'], deny: [] }],
  });

export const createSandboxBody = z.strictObject({
  id: sandboxIdSchema.optional(),
  ports: z
    .array(portSchema)
    .max(16, 'at most 16 ports')
    .refine((p) => new Set(p).size === p.length, 'ports must be unique')
    .optional(),
  env: envSchema.optional(),
  memory_mb: z.number().int().min(64).optional(),
  disk_mb: z.number().int().min(64).optional(),
  cpus: z.number().min(0.1).max(1024).optional(),
  idle_policy: idlePolicySchema.optional(),
  visibility: visibilitySchema.optional(),
  services: servicesSchema.optional(),
  /** runc, or gvisor (a user-space kernel between the tenant and the host's); default SANDBOXD_DEFAULT_RUNTIME. */
  runtime: z.enum(RUNTIMES).optional(),
  /** A fork: the workspace starts as this snapshot (env, ports and limits come from this request). */
  from_snapshot: z.string().regex(/^[0-9a-z]{26}$/, 'must be a snapshot id').optional(),
  /** A name of SANDBOXD_IMAGES (GET /v1/images); default: SANDBOXD_IMAGE. */
  image: z.string().max(32).regex(/^[a-z0-9][a-z0-9_.-]*$/, 'must be an image name from GET /v1/images').optional(),
  metadata: metadataSchema.optional(),
  ...lifetimeFields,
  egress: egressSchema.optional(),
}).meta({ id: 'CreateSandbox' });

export const updateSandboxBody = z.strictObject({
  idle_policy: idlePolicySchema.optional(),
  visibility: visibilitySchema.optional(),
  services: servicesSchema.optional(),
  metadata: metadataPatchSchema.optional(),
  ...lifetimeFields,
  /** null: back to the settings' default. */
  egress: egressSchema.nullable().optional(),
}).meta({ id: 'UpdateSandbox' });

export const execBody = z.strictObject({
  cmd: z.array(z.string().max(128 * 1024).refine((s) => !s.includes('\0'), 'must not contain NUL')).min(1).max(4096),
  env: envSchema.optional(),
  cwd: z.string().startsWith('/', 'must be an absolute path').max(4096).refine((s) => !s.includes('\0'), 'must not contain NUL').optional(),
  timeout_s: z.number().int().min(1).optional(),
  background: z.boolean().optional(),
  /** Stream stdout/stderr as SSE (also chosen by Accept: text/event-stream). */
  stream: z.boolean().optional(),
}).meta({ id: 'Exec' });
