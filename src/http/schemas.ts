/** Shared zod schemas for the wire format (snake_case). */
import { z } from 'zod';
import { ENV_NAME_PATTERN, SANDBOX_ID_MAX, SANDBOX_ID_PATTERN } from '../domain/sandbox.js';

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
  /** A fork: the workspace starts as this snapshot (env, ports and limits come from this request). */
  from_snapshot: z.string().regex(/^[0-9a-z]{26}$/, 'must be a snapshot id').optional(),
}).meta({ id: 'CreateSandbox' });

export const updateSandboxBody = z.strictObject({
  idle_policy: idlePolicySchema.optional(),
  visibility: visibilitySchema.optional(),
  services: servicesSchema.optional(),
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
