/**
 * The raw Docker Engine API side of every comparison, through dockerode like
 * the daemon itself. Containers get the daemon's own spec
 * (toEngineCreateBody(buildContainerSpec(...))): same hardening, image and
 * network; only the name, the instance label and the data dir differ, so the
 * daemon's reconciler never sees them.
 */
import Docker from 'dockerode';
import { chown, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../../src/config.js';
import { buildContainerSpec, toEngineCreateBody } from '../../src/docker/spec.js';
import type { ServiceSpec } from '../../src/domain/sandbox.js';
import { SANDBOX_APP_DIR } from '../../src/domain/layout.js';
import { removeRuntime, writeRuntime } from '../../src/workspaces/runtime-files.js';

/** exec-stream.ts wraps every command the same way; raw does too, for fairness. */
const KILL_AFTER_S = 2;

export interface RawSandboxInput {
  ports?: number[];
  services?: ServiceSpec[];
}

export class RawEngine {
  /** Set on Ctrl-C: no new containers after cleanup has started. */
  aborted = false;

  constructor(
    readonly docker: Docker,
    /** The daemon's config with the raw data dir and the raw instance label. */
    private readonly cfg: Readonly<Config>,
  ) {}

  get instance(): string {
    return this.cfg.instance;
  }

  /** The directories the daemon prepares (workspace, runtime with services.json). Not timed. */
  async init(): Promise<void> {
    await mkdir(path.join(this.cfg.dataDir, 'workspaces'), { recursive: true, mode: 0o755 });
    await mkdir(path.join(this.cfg.dataDir, 'runtime'), { recursive: true, mode: 0o711 });
  }

  /** Host-side preparation for one container, then its Engine create body. */
  async prepare(id: string, input: RawSandboxInput = {}): Promise<Docker.ContainerCreateOptions> {
    const ports = input.ports ?? [];
    const services = input.services ?? [];
    // A plain directory: the Engine's floor. Ours also sets up the workspace's disk (the quota).
    const ws = path.join(this.cfg.dataDir, 'workspaces', id);
    await mkdir(ws, { recursive: true, mode: 0o755 });
    await chown(ws, this.cfg.sandboxUid, this.cfg.sandboxGid);
    await writeRuntime(this.cfg.dataDir, { id, ports, env: {}, services, extraCaCerts: this.cfg.extraCaCerts, owner: { uid: this.cfg.sandboxUid, gid: this.cfg.sandboxGid } });
    const spec = buildContainerSpec(
      {
        id,
        spec: {
          ports,
          memoryMb: this.cfg.defaultMemoryMb,
          cpus: this.cfg.defaultCpus,
          idlePolicy: 'sleep',
          visibility: 'public',
          services,
        },
      },
      this.cfg,
    );
    return toEngineCreateBody({ ...spec, name: id });
  }

  /** POST /containers/create + POST /containers/{id}/start. */
  async createAndStart(body: Docker.ContainerCreateOptions): Promise<Docker.Container> {
    if (this.aborted) throw new Error('aborted');
    const c = await this.docker.createContainer(body);
    await c.start();
    return c;
  }

  /**
   * What our exec does on the Engine: exec create (timeout-wrapped, same user,
   * cwd, env), exec start attached, read until the stream ends, exec inspect.
   * Returns the exit code.
   */
  async exec(c: Docker.Container, cmd: string[], timeoutS: number): Promise<number | null> {
    const exec = await c.exec({
      Cmd: ['timeout', '-k', String(KILL_AFTER_S), String(timeoutS), ...cmd],
      Env: [],
      WorkingDir: SANDBOX_APP_DIR,
      User: `${this.cfg.sandboxUid}:${this.cfg.sandboxGid}`,
      AttachStdin: false,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
    });
    const stream = (await exec.start({ hijack: true, stdin: false }));
    await new Promise<void>((resolve) => {
      const done = (): void => {
        stream.destroy();
        resolve();
      };
      stream.on('data', () => undefined);
      stream.once('end', done);
      stream.once('close', done);
      stream.once('error', done);
    });
    const info = await exec.inspect();
    return info.Running ? null : info.ExitCode;
  }

  async ip(c: Docker.Container): Promise<string | null> {
    const info = await c.inspect();
    for (const n of Object.values(info.NetworkSettings.Networks ?? {})) if (n.IPAddress) return n.IPAddress;
    return null;
  }

  /** Removes the container and its host dirs. Not timed. */
  async remove(id: string): Promise<void> {
    await this.docker
      .getContainer(id)
      .remove({ force: true, v: true })
      .catch((err: { statusCode?: number }) => {
        if (err.statusCode !== 404) throw err;
      });
    await removeRuntime(this.cfg.dataDir, id);
    await rm(path.join(this.cfg.dataDir, 'workspaces', id), { recursive: true, force: true });
  }
}
