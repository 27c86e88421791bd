import type { ModelServer } from '../../test/helpers/model-server.js';
import type { EgressServers } from './egress-servers.js';
/**
 * What every operation group gets, and what it must look like. A group is one
 * file in bench/ops/ that returns rows; run.ts lists the groups in order.
 */
import type Docker from 'dockerode';
import type { BenchDaemon } from './daemon.js';
import type { OursApi } from './ours.js';
import type { RawEngine } from './raw.js';
import type { ResultRow } from './result.js';
import type { BenchSettings } from './settings.js';

export interface BenchContext {
  settings: BenchSettings;
  daemon: BenchDaemon;
  ours: OursApi;
  raw: RawEngine;
  docker: Docker;
  /** Random, lowercase; part of every sandbox id and container name of this run. */
  tag: string;
  /** Exec timeout our API applies by default; raw wraps its commands in the same `timeout`. */
  execTimeoutS: number;
  progress(msg: string): void;
  /** The scripted model server agent tasks talk to (test/helpers/model-server.ts). */
  model?: ModelServer;
  /** Host servers the egress group reaches directly and through the proxy (bench/lib/egress-servers.ts). */
  egress?: EgressServers;
}

export interface BenchGroup {
  /** Short name, for BENCH_ONLY. */
  name: string;
  /** Why the group cannot run on this build (a feature missing), or null. */
  unavailable?(ctx: BenchContext): Promise<string | null>;
  run(ctx: BenchContext): Promise<ResultRow[]>;
}

/** Alternates which side goes first, so drift on a busy machine hits both alike. */
export async function bothSides(i: number, ours: () => Promise<void>, raw: () => Promise<void>): Promise<void> {
  if (i % 2 === 0) {
    await ours();
    await raw();
  } else {
    await raw();
    await ours();
  }
}
