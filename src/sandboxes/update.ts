/** A PATCH turned into the spec and metadata it writes. Pure: invalid input is refused before anything is written. */
import type { EgressPolicy } from '../domain/egress.js';
import { mergeMetadata, metadataProblem, type Metadata } from '../domain/metadata.js';
import type { IdlePolicy, Sandbox, SandboxSpec, ServiceSpec, Visibility } from '../domain/sandbox.js';
import { InvalidError } from '../errors.js';
import { lifetime, type LifetimeConfig } from './new-sandbox.js';

export interface UpdateInput {
  idlePolicy?: IdlePolicy;
  visibility?: Visibility;
  services?: ServiceSpec[];
  /** Merged into the current map: a null value removes its key; reserved keys stay. */
  metadata?: Record<string, string | null>;
  /** Lifetimes, seconds (0: never); ttl_s still counts from create. */
  ttlS?: number;
  idleDeleteS?: number;
  purgeOnExpiry?: boolean;
  /** A new egress policy (the proxy applies it to the next connection); null: back to the settings' default. */
  egress?: EgressPolicy | null;
}

/** The spec after the change, and the whole metadata map when the change has one. */
export function applyUpdate(sb: Sandbox, input: UpdateInput, cfg: LifetimeConfig): { spec: SandboxSpec; metadata: Metadata | null } {
  const spec: SandboxSpec = {
    ...sb.spec,
    ...(input.idlePolicy ? { idlePolicy: input.idlePolicy } : {}),
    ...(input.visibility ? { visibility: input.visibility } : {}),
    ...(input.services ? { services: input.services } : {}),
    ...(input.ttlS !== undefined ? { ttlS: lifetime('ttl_s', input.ttlS, cfg) } : {}),
    ...(input.idleDeleteS !== undefined ? { idleDeleteS: lifetime('auto_delete_after_idle_s', input.idleDeleteS, cfg) } : {}),
    ...(input.purgeOnExpiry !== undefined ? { purgeOnExpiry: input.purgeOnExpiry } : {}),
    ...(input.egress ? { egress: input.egress } : {}),
  };
  if (input.egress === null) delete spec.egress;
  if (!input.metadata) return { spec, metadata: null };
  const metadata = mergeMetadata(sb.metadata, input.metadata);
  const problem = metadataProblem(metadata);
  if (problem) throw new InvalidError(`body.metadata: ${problem}`);
  return { spec, metadata };
}
