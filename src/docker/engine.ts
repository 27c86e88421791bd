/**
 * The container engine in our own words. The daemon only ever talks to this
 * interface; src/docker/dockerode-engine.ts is the one Docker implementation
 * (another engine, e.g. Kubernetes, would implement the same).
 */
import type { Duplex } from 'node:stream';
import type { ContainerSpec } from './spec.js';

export interface ContainerInfo {
  id: string;
  name: string;
  sandboxId: string | null;
  instance: string | null;
  running: boolean;
  /** Docker's own status word: created, running, exited, dead… */
  status: string;
  /** IP on the sandbox network, when running. */
  ip: string | null;
  exitCode: number | null;
  oomKilled: boolean;
  labels: Record<string, string>;
  /** The named volume mounted at /home/sandbox (the sandbox's disk), or null (a directory, or unknown). */
  homeVolume: string | null;
  /** The id (sha256:…) of the image the container was made from, when the engine said. */
  imageId?: string | null;
}

export interface Limits {
  memoryBytes: number;
  nanoCpus: number;
  pidsLimit: number;
}

/** What a running container uses now. */
export interface ContainerStats {
  /** Memory in use, page cache that the kernel may reclaim left out (what `docker stats` shows). */
  memoryBytes: number;
  /** Its limit (the host's memory when it has none). */
  memoryLimitBytes: number;
}

export interface ExecOptions {
  cmd: string[];
  env?: string[];
  cwd?: string;
  user?: string;
  timeoutS: number;
  outputLimitBytes: number;
  /**
   * Streaming: each chunk as it arrives (within the per-stream limit); the
   * result's stdout and stderr are then empty, nothing is kept in memory.
   */
  onOutput?: (stream: 'stdout' | 'stderr', chunk: Buffer) => void;
}

export interface PtyOptions {
  cmd: string[];
  env?: string[];
  cwd?: string;
  cols: number;
  rows: number;
}

/** A process on a terminal inside a container. */
export interface PtyExec {
  /** The engine's id of the exec, for resizeExec and execExitCode. */
  id: string;
  /** Terminal bytes both ways: what is written is typed, what is read is the screen (stdout and stderr merged by the TTY). */
  stream: Duplex;
}

export interface ExecResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  truncated: boolean;
  durationMs: number;
}

export interface NetworkOptions {
  name: string;
  labels: Record<string, string>;
  /** Inter-container traffic on the bridge; false isolates sandboxes from each other. */
  icc: boolean;
}

export interface NetworkInfo {
  id: string;
  name: string;
  /** The host-side bridge interface (br-<id12> unless the network names one). */
  bridge: string;
  subnet: string | null;
  gateway: string | null;
  /** Inter-container traffic: on unless the bridge option enable_icc is "false". */
  icc: boolean;
  /** IPv6 enabled on the network (the iptables rules filter IPv4 only). */
  ipv6: boolean;
}

export interface ContainerEngine {
  ping(): Promise<void>;
  /** Names of the OCI runtimes the engine can run containers with (runc, runsc…). */
  runtimes(): Promise<string[]>;
  ensureNetwork(opts: NetworkOptions): Promise<'created' | 'exists'>;
  removeNetwork(name: string): Promise<'removed' | 'already-removed'>;
  /** Throws NotFoundError when the network does not exist. */
  inspectNetwork(name: string): Promise<NetworkInfo>;
  /** Ids of every network on the engine (anyone's), for sweeping rules of networks that are gone. */
  listNetworkIds(): Promise<string[]>;
  create(spec: ContainerSpec): Promise<string>;
  start(ref: string): Promise<'started' | 'already-running'>;
  stop(ref: string, graceS: number): Promise<'stopped' | 'already-stopped'>;
  remove(ref: string): Promise<'removed' | 'already-removed'>;
  /** Throws NotFoundError when the container does not exist. */
  inspect(ref: string): Promise<ContainerInfo>;
  listManaged(instance: string): Promise<ContainerInfo[]>;
  exec(ref: string, opts: ExecOptions): Promise<ExecResult>;
  /** Names of volumes carrying all these labels. */
  listVolumes(labels: Record<string, string>): Promise<string[]>;
  /** 'in-use' when a container (even a stopped one) still mounts it. */
  removeVolume(name: string): Promise<'removed' | 'already-removed' | 'in-use'>;
  /**
   * Starts a process on a new terminal of `cols`×`rows`. Closing the stream does
   * not end the process: the caller signals it (the engine keeps the terminal).
   */
  execPty(ref: string, opts: PtyOptions): Promise<PtyExec>;
  /** Changes an exec's terminal size (the process gets SIGWINCH). */
  resizeExec(execId: string, cols: number, rows: number): Promise<void>;
  /** The exit code of an exec that has ended; null while it runs or when the engine no longer knows it. */
  execExitCode(execId: string): Promise<number | null>;
  /** Renames a running or stopped container (a claimed pool container becomes s-<id>). */
  rename(ref: string, name: string): Promise<void>;
  /** Changes memory, CPU and pids limits of a live container (cgroups are rewritten in place). */
  updateLimits(ref: string, limits: Limits): Promise<void>;
  /** Sends a signal to the container's main process (Docker's init forwards it to ours). */
  signal(ref: string, signal: string): Promise<void>;
  /** The image's id (sha256:…), or null when the engine has no such image. */
  imageId(ref: string): Promise<string | null>;
  /** Memory use of a running container (one sample); null when it is not running or does not exist. */
  stats(ref: string): Promise<ContainerStats | null>;
  /** Starts a process and returns at once; it keeps running inside the container. */
  execDetached(ref: string, opts: Omit<ExecOptions, 'timeoutS' | 'outputLimitBytes'>): Promise<void>;
}
