/** Domain → wire JSON, in one place. Env values never leave; only their names. */
import { DEFAULT_IMAGE, type Config } from '../config.js';
import { previewUrl } from '../edge/hosts.js';
import { statusOf, type Sandbox } from '../domain/sandbox.js';

export function presentSandbox(sb: Sandbox, cfg: Pick<Config, 'previewDomain' | 'httpPort' | 'previewTls' | 'defaultDiskMb'>) {
  return {
    id: sb.id,
    status: statusOf(sb),
    ports: sb.spec.ports,
    preview_urls: Object.fromEntries(sb.spec.ports.map((p) => [String(p), previewUrl(sb.id, p, cfg)])),
    container_id: sb.containerId,
    created_at: new Date(sb.createdAt).toISOString(),
    last_active_at: new Date(sb.lastActiveAt).toISOString(),
    idle_policy: sb.spec.idlePolicy,
    visibility: sb.spec.visibility,
    memory_mb: sb.spec.memoryMb,
    cpus: sb.spec.cpus,
    disk_mb: sb.spec.diskMb ?? cfg.defaultDiskMb,
    services: sb.spec.services,
    env_names: sb.envNames,
    last_error: sb.lastError,
    metadata: sb.metadata,
    ttl_s: sb.spec.ttlS ?? null,
    expires_at: sb.spec.ttlS === undefined ? null : new Date(sb.createdAt + sb.spec.ttlS * 1000).toISOString(),
    auto_delete_after_idle_s: sb.spec.idleDeleteS ?? null,
    purge_on_expiry: sb.spec.purgeOnExpiry ?? false,
    image: sb.image ?? DEFAULT_IMAGE,
    image_id: sb.imageId ?? null,
  };
}
