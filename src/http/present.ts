/** Domain → wire JSON, in one place. Env values never leave; only their names. */
import { DEFAULT_IMAGE, type Config } from '../config.js';
import { previewUrl } from '../edge/hosts.js';
import { runtimeOf, statusOf, type Sandbox } from '../domain/sandbox.js';

type PresentConfig = Pick<Config, 'previewDomain' | 'httpPort' | 'previewTls' | 'defaultDiskMb' | 'egressMode' | 'egressAllow' | 'egressDeny'>;

export function presentSandbox(sb: Sandbox, cfg: PresentConfig) {
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
    runtime: runtimeOf(sb.spec),
    env_names: sb.envNames,
    // The policy in force; egress_default: it is the settings' (SANDBOXD_EGRESS_*), not the sandbox's own.
    egress: sb.spec.egress ?? { mode: cfg.egressMode, allow: cfg.egressAllow, deny: cfg.egressDeny },
    egress_default: sb.spec.egress === undefined,
    last_error: sb.lastError,
    image: sb.image ?? DEFAULT_IMAGE,
    image_id: sb.imageId ?? null,
    metadata: sb.metadata,
    ttl_s: sb.spec.ttlS ?? null,
    expires_at: sb.spec.ttlS === undefined ? null : new Date(sb.createdAt + sb.spec.ttlS * 1000).toISOString(),
    auto_delete_after_idle_s: sb.spec.idleDeleteS ?? null,
    purge_on_expiry: sb.spec.purgeOnExpiry ?? false,
  };
}
