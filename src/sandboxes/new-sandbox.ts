/**
 * A create request turned into the row it writes: the id (given or a new
 * lowercase ULID) and the spec with every default and maximum applied. Pure:
 * invalid input is refused before anything is written or started.
 */
import { ulid } from 'ulid';
import type { Config } from '../config.js';
import type { EgressPolicy } from '../domain/egress.js';
import type { Metadata } from '../domain/metadata.js';
import type { Principal } from '../domain/principal.js';
import { isValidSandboxId, type IdlePolicy, type Runtime, type SandboxSpec, type ServiceSpec, type Visibility } from '../domain/sandbox.js';
import { InvalidError } from '../errors.js';
import { allowedImage, type ImagesConfig } from './images.js';

export interface CreateInput {
  id?: string;
  ports?: number[];
  env?: Record<string, string>;
  memoryMb?: number;
  cpus?: number;
  diskMb?: number;
  idlePolicy?: IdlePolicy;
  visibility?: Visibility;
  services?: ServiceSpec[];
  runtime?: Runtime;
  /** A disk image the workspace starts as (a snapshot: fork and templates). */
  seedImage?: string;
  /** A name of SANDBOXD_IMAGES; absent: the default. */
  image?: string;
  /** The client's labels (checked by the API); the owner's is added from `by`. */
  metadata?: Metadata;
  /** Lifetimes in seconds, 0 for never; absent: the operator's defaults. */
  ttlS?: number;
  idleDeleteS?: number;
  purgeOnExpiry?: boolean;
  /** Who asks: its name owns the sandbox, its limits cap it. Absent: the operator. */
  by?: Principal;
  /** Absent: the settings' default policy applies (and follows changes to it). */
  egress?: EgressPolicy;
}

export type LimitsConfig = Pick<Config, 'defaultMemoryMb' | 'maxMemoryMb' | 'defaultCpus' | 'maxCpus' | 'defaultDiskMb' | 'maxDiskMb' | 'defaultRuntime'> &
  LifetimeConfig &
  ImagesConfig;
export type LifetimeConfig = Pick<Config, 'defaultTtlS' | 'maxTtlS' | 'defaultIdleDeleteS' | 'maxIdleDeleteS'>;

const LIFETIMES = {
  ttl_s: { def: 'defaultTtlS', max: 'maxTtlS', setting: 'SANDBOXD_MAX_TTL_SECONDS' },
  auto_delete_after_idle_s: { def: 'defaultIdleDeleteS', max: 'maxIdleDeleteS', setting: 'SANDBOXD_MAX_AUTO_DELETE_AFTER_IDLE_SECONDS' },
} as const;

/** A lifetime as stored: the request's (0: never) or the default, within the operator's maximum; undefined: never. */
export function lifetime(field: keyof typeof LIFETIMES, given: number | undefined, cfg: LifetimeConfig): number | undefined {
  const rule = LIFETIMES[field];
  const max = cfg[rule.max];
  const v = given ?? cfg[rule.def];
  if (max > 0 && (v === 0 || v > max)) throw new InvalidError(`${field}: 1 to ${max} seconds (${rule.setting}); never (0) is not allowed here`);
  return v === 0 ? undefined : v;
}

export function newSandbox(input: CreateInput, cfg: LimitsConfig): { id: string; spec: SandboxSpec; env: Record<string, string>; image: string } {
  const id = input.id ?? ulid().toLowerCase();
  if (!isValidSandboxId(id)) throw new InvalidError('id: must be lowercase letters and digits, single dashes inside, at most 40 characters');
  const memoryMb = input.memoryMb ?? cfg.defaultMemoryMb;
  if (memoryMb > cfg.maxMemoryMb) throw new InvalidError(`memory_mb: at most ${cfg.maxMemoryMb}`);
  const cpus = input.cpus ?? cfg.defaultCpus;
  if (cpus > cfg.maxCpus) throw new InvalidError(`cpus: at most ${cfg.maxCpus}`);
  const diskMb = input.diskMb ?? cfg.defaultDiskMb;
  if (diskMb > cfg.maxDiskMb) throw new InvalidError(`disk_mb: at most ${cfg.maxDiskMb}`);
  const image = allowedImage(input.image, cfg);
  const spec: SandboxSpec = {
    ports: input.ports ?? [],
    memoryMb,
    cpus,
    diskMb,
    idlePolicy: input.idlePolicy ?? 'sleep',
    visibility: input.visibility ?? 'public',
    services: input.services ?? [],
    ttlS: lifetime('ttl_s', input.ttlS, cfg),
    idleDeleteS: lifetime('auto_delete_after_idle_s', input.idleDeleteS, cfg),
    ...(input.purgeOnExpiry ? { purgeOnExpiry: true } : {}),
    runtime: input.runtime ?? cfg.defaultRuntime,
    ...(input.egress ? { egress: input.egress } : {}),
  };
  return { id, spec, env: input.env ?? {}, image };
}
