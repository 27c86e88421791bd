/**
 * A create request turned into the row it writes: the id (given or a new
 * lowercase ULID) and the spec with every default and maximum applied. Pure:
 * invalid input is refused before anything is written or started.
 */
import { ulid } from 'ulid';
import type { Config } from '../config.js';
import type { EgressPolicy } from '../domain/egress.js';
import { isValidSandboxId, type IdlePolicy, type SandboxSpec, type ServiceSpec, type Visibility } from '../domain/sandbox.js';
import { InvalidError } from '../errors.js';

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
  /** A disk image the workspace starts as (a snapshot: fork and templates). */
  seedImage?: string;
  /** Absent: the settings' default policy applies (and follows changes to it). */
  egress?: EgressPolicy;
}

export type LimitsConfig = Pick<Config, 'defaultMemoryMb' | 'maxMemoryMb' | 'defaultCpus' | 'maxCpus' | 'defaultDiskMb' | 'maxDiskMb'>;

export function newSandbox(input: CreateInput, cfg: LimitsConfig): { id: string; spec: SandboxSpec; env: Record<string, string> } {
  const id = input.id ?? ulid().toLowerCase();
  if (!isValidSandboxId(id)) throw new InvalidError('id: must be lowercase letters and digits, single dashes inside, at most 40 characters');
  const memoryMb = input.memoryMb ?? cfg.defaultMemoryMb;
  if (memoryMb > cfg.maxMemoryMb) throw new InvalidError(`memory_mb: at most ${cfg.maxMemoryMb}`);
  const cpus = input.cpus ?? cfg.defaultCpus;
  if (cpus > cfg.maxCpus) throw new InvalidError(`cpus: at most ${cfg.maxCpus}`);
  const diskMb = input.diskMb ?? cfg.defaultDiskMb;
  if (diskMb > cfg.maxDiskMb) throw new InvalidError(`disk_mb: at most ${cfg.maxDiskMb}`);
  const spec: SandboxSpec = {
    ports: input.ports ?? [],
    memoryMb,
    cpus,
    diskMb,
    idlePolicy: input.idlePolicy ?? 'sleep',
    visibility: input.visibility ?? 'public',
    services: input.services ?? [],
    ...(input.egress ? { egress: input.egress } : {}),
  };
  return { id, spec, env: input.env ?? {} };
}
