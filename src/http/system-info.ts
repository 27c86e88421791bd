/**
 * GET /v1/system: what an operator wants to know at a glance (the dashboard's
 * system page): the version, and the settings that decide what sandboxes get
 * and when they stop. Names and numbers only: no token, secret, path or
 * address of this installation beyond what a client already uses.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { HttpDeps } from './deps.js';
import { packageVersion } from './openapi.js';
import { op, replies } from './replies.js';

const int = z.number().int();

const SYSTEM_EXAMPLE = {
  version: '0.1.0',
  node: 'v20.19.0',
  started_at: '2025-01-01T12:00:00.000Z',
  instance: 'default',
  auth: true,
  edge: 'builtin',
  preview_domain: 'localhost',
  preview_tls: false,
  http_port: 80,
  idle_threshold_s: 2100,
  limits: { default_memory_mb: 1024, max_memory_mb: 8192, default_cpus: 1, max_cpus: 4, default_disk_mb: 5120, max_disk_mb: 51200 },
  disk_quota: true,
  network_isolation: true,
  egress_mode: 'open',
  pool_size: 2,
  snapshots: { max_count: 20, max_mb: 20480 },
  tasks: { default_timeout_s: 1800, max_timeout_s: 21600, checkpoint: true },
  terminals: { max_per_sandbox: 8, max_sessions: 64 },
  memory: { available_mb: 5120, total_mb: 7936, floor_mb: 512, wake_reserve_mb: 256 },
};

const systemSchema = z
  .object({
    version: z.string(),
    node: z.string(),
    started_at: z.string().meta({ format: 'date-time' }),
    instance: z.string().meta({ description: 'SANDBOXED_INSTANCE: the label on everything this daemon made' }),
    auth: z.boolean(),
    edge: z.string().meta({ description: 'builtin, traefik or none (SANDBOXED_EDGE)' }),
    preview_domain: z.string(),
    preview_tls: z.boolean(),
    http_port: int,
    idle_threshold_s: int.meta({ description: 'A `sleep` sandbox without activity for this long stops' }),
    limits: z.object({ default_memory_mb: int, max_memory_mb: int, default_cpus: z.number(), max_cpus: z.number(), default_disk_mb: int, max_disk_mb: int }),
    disk_quota: z.boolean(),
    network_isolation: z.boolean(),
    egress_mode: z.string(),
    pool_size: int,
    snapshots: z.object({ max_count: int, max_mb: int }),
    tasks: z.object({ default_timeout_s: int, max_timeout_s: int, checkpoint: z.boolean() }),
    terminals: z.object({ max_per_sandbox: int, max_sessions: int }),
    memory: z
      .object({ available_mb: int.nullable(), total_mb: int.nullable(), floor_mb: int, wake_reserve_mb: int })
      .meta({ description: 'Host memory as wake admission and the pressure reaper read it (cgroup-aware); null when it cannot be read' }),
  })
  .meta({ id: 'SystemInfo', description: 'The version and the settings that matter', examples: [SYSTEM_EXAMPLE] });

export async function systemInfoRoutes(fastify: FastifyInstance, deps: HttpDeps): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const c = deps.config;
  const version = packageVersion();
  const startedAt = new Date().toISOString();
  app.get('/v1/system', { schema: { ...op('/v1/system', 'getSystem', 'system', 'The version and the settings that matter'), response: replies({ 200: systemSchema }) } }, async () => {
    let memory: { availableMb: number | null; totalMb: number | null } = { availableMb: null, totalMb: null };
    try {
      memory = deps.readMemory();
    } catch {
      /* shown as unknown */
    }
    return {
      version,
      node: process.version,
      started_at: startedAt,
      instance: c.instance,
      auth: c.authEnabled,
      edge: c.edge,
      preview_domain: c.previewDomain,
      preview_tls: c.previewTls,
      http_port: c.httpPort,
      idle_threshold_s: Math.round(c.idleThresholdMs / 1000),
      limits: {
        default_memory_mb: c.defaultMemoryMb,
        max_memory_mb: c.maxMemoryMb,
        default_cpus: c.defaultCpus,
        max_cpus: c.maxCpus,
        default_disk_mb: c.defaultDiskMb,
        max_disk_mb: c.maxDiskMb,
      },
      disk_quota: c.diskQuota,
      network_isolation: c.networkIsolation,
      egress_mode: c.egressMode,
      pool_size: c.poolSize,
      snapshots: { max_count: c.snapshotMaxCount, max_mb: c.snapshotMaxMb },
      tasks: { default_timeout_s: c.taskDefaultTimeoutS, max_timeout_s: c.taskMaxTimeoutS, checkpoint: c.taskCheckpoint },
      terminals: { max_per_sandbox: c.ptyMaxPerSandbox, max_sessions: c.ptyMaxSessions },
      memory: { available_mb: memory.availableMb, total_mb: memory.totalMb, floor_mb: c.memoryFloorMb, wake_reserve_mb: c.wakeReserveMb },
    };
  });
}
