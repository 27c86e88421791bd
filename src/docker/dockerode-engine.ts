/** The only importer of dockerode. Maps Engine API outcomes into our words. */
import Docker from 'dockerode';
import { ConflictError, DomainError, NotFoundError, UpstreamError } from '../errors.js';
import type { ContainerEngine, ContainerInfo, ExecOptions, ExecResult, NetworkInfo, NetworkOptions, PtyExec, PtyOptions } from './engine.js';
import { SANDBOX_HOME } from '../domain/layout.js';
import { LABEL_ID, LABEL_INSTANCE, LABEL_MANAGED } from './labels.js';
import { runExec } from './exec-stream.js';
import { toEngineCreateBody, type ContainerSpec } from './spec.js';
import { metrics } from '../telemetry/metrics.js';

interface EngineApiError {
  statusCode?: number;
  json?: { message?: string } | null;
  reason?: string;
  message?: string;
}

function engineMessage(err: unknown): string {
  const e = err as EngineApiError;
  return e.json?.message ?? e.reason ?? e.message ?? String(err);
}

function statusOf(err: unknown): number | undefined {
  return (err as EngineApiError).statusCode;
}

/** Keeps the engine's own words: "exit status 125" alone helps nobody. */
function wrap(action: string, err: unknown): Error {
  const status = statusOf(err);
  // Answers the adapter takes as outcomes (304, a 404 on remove) are not counted: they never get here.
  metrics.dockerErrors.inc({ operation: action, status: status === undefined ? 'none' : String(status) });
  const msg = `docker ${action}: ${engineMessage(err)}`;
  if (status === 404) return new NotFoundError(msg);
  if (status === 409) return new ConflictError(msg);
  return new UpstreamError(msg);
}

function firstIp(networks: Record<string, { IPAddress?: string }> | undefined): string | null {
  for (const n of Object.values(networks ?? {})) if (n.IPAddress) return n.IPAddress;
  return null;
}

function homeVolumeOf(mounts: { Type?: string; Name?: string; Destination?: string }[] | undefined): string | null {
  const home = (mounts ?? []).find((m) => m.Destination === SANDBOX_HOME);
  return home?.Type === 'volume' && home.Name ? home.Name : null;
}

export class DockerodeEngine implements ContainerEngine {
  readonly docker: Docker;

  constructor(socketPath: string) {
    this.docker = new Docker({ socketPath });
  }

  async ping(): Promise<void> {
    try {
      await this.docker.ping();
    } catch (err) {
      throw wrap('ping', err);
    }
  }

  async ensureNetwork(opts: NetworkOptions): Promise<'created' | 'exists'> {
    try {
      await this.docker.getNetwork(opts.name).inspect();
      return 'exists';
    } catch (err) {
      if (statusOf(err) !== 404) throw wrap('network inspect', err);
    }
    try {
      await this.docker.createNetwork({
        Name: opts.name,
        Driver: 'bridge',
        CheckDuplicate: true,
        Labels: opts.labels,
        Options: { 'com.docker.network.bridge.enable_icc': String(opts.icc) },
      });
      return 'created';
    } catch (err) {
      if (statusOf(err) === 409) return 'exists';
      throw wrap('network create', err);
    }
  }

  async removeNetwork(name: string): Promise<'removed' | 'already-removed'> {
    try {
      await this.docker.getNetwork(name).remove();
      return 'removed';
    } catch (err) {
      if (statusOf(err) === 404) return 'already-removed';
      throw wrap('network remove', err);
    }
  }

  async inspectNetwork(name: string): Promise<NetworkInfo> {
    try {
      const n = await this.docker.getNetwork(name).inspect();
      const ipam = (n.IPAM?.Config ?? [])[0] as { Subnet?: string; Gateway?: string } | undefined;
      return {
        id: n.Id,
        name: n.Name,
        bridge: n.Options?.['com.docker.network.bridge.name'] ?? `br-${String(n.Id).slice(0, 12)}`,
        subnet: ipam?.Subnet ?? null,
        gateway: ipam?.Gateway ?? null,
        // Docker's default for a bridge is icc on: only an explicit "false" turns it off.
        icc: n.Options?.['com.docker.network.bridge.enable_icc'] !== 'false',
        ipv6: n.EnableIPv6 === true,
      };
    } catch (err) {
      throw wrap('network inspect', err);
    }
  }

  async listNetworkIds(): Promise<string[]> {
    try {
      return (await this.docker.listNetworks()).map((n) => n.Id);
    } catch (err) {
      throw wrap('network list', err);
    }
  }

  async create(spec: ContainerSpec): Promise<string> {
    try {
      const c = await this.docker.createContainer(toEngineCreateBody(spec));
      return c.id;
    } catch (err) {
      // A 404 here is a missing image or network: the server's problem, not the caller's.
      if (statusOf(err) === 404) {
        metrics.dockerErrors.inc({ operation: 'create', status: '404' });
        throw new UpstreamError(`docker create: ${engineMessage(err)}`);
      }
      throw wrap('create', err);
    }
  }

  async start(ref: string): Promise<'started' | 'already-running'> {
    try {
      await this.docker.getContainer(ref).start();
      return 'started';
    } catch (err) {
      if (statusOf(err) === 304) return 'already-running';
      throw wrap('start', err);
    }
  }

  async stop(ref: string, graceS: number): Promise<'stopped' | 'already-stopped'> {
    try {
      await this.docker.getContainer(ref).stop({ t: graceS });
      return 'stopped';
    } catch (err) {
      if (statusOf(err) === 304) return 'already-stopped';
      throw wrap('stop', err);
    }
  }

  async remove(ref: string): Promise<'removed' | 'already-removed'> {
    try {
      await this.docker.getContainer(ref).remove({ force: true, v: true });
      return 'removed';
    } catch (err) {
      if (statusOf(err) === 404) return 'already-removed';
      // 409 "removal already in progress" means it is going away.
      if (statusOf(err) === 409 && /in progress/.test(engineMessage(err))) return 'already-removed';
      throw wrap('remove', err);
    }
  }

  async inspect(ref: string): Promise<ContainerInfo> {
    try {
      const i = await this.docker.getContainer(ref).inspect();
      const labels = i.Config.Labels ?? {};
      return {
        id: i.Id,
        name: i.Name.replace(/^\//, ''),
        sandboxId: labels[LABEL_ID] ?? null,
        instance: labels[LABEL_INSTANCE] ?? null,
        running: i.State.Running,
        status: i.State.Status,
        ip: i.State.Running ? firstIp(i.NetworkSettings.Networks) : null,
        exitCode: i.State.Running ? null : i.State.ExitCode,
        oomKilled: i.State.OOMKilled,
        labels,
        homeVolume: homeVolumeOf(i.Mounts),
      };
    } catch (err) {
      throw wrap('inspect', err);
    }
  }

  async listManaged(instance: string): Promise<ContainerInfo[]> {
    try {
      const list = await this.docker.listContainers({
        all: true,
        filters: { label: [`${LABEL_MANAGED}=true`, `${LABEL_INSTANCE}=${instance}`] },
      });
      return list.map((c) => {
        const exited = /^Exited \((\d+)\)/.exec(c.Status);
        return {
          id: c.Id,
          name: (c.Names[0] ?? '').replace(/^\//, ''),
          sandboxId: c.Labels[LABEL_ID] ?? null,
          instance: c.Labels[LABEL_INSTANCE] ?? null,
          running: c.State === 'running',
          status: c.State,
          ip: c.State === 'running' ? firstIp(c.NetworkSettings?.Networks) : null,
          exitCode: exited ? Number(exited[1]) : null,
          oomKilled: false,
          labels: c.Labels,
          homeVolume: homeVolumeOf(c.Mounts),
        };
      });
    } catch (err) {
      throw wrap('list', err);
    }
  }

  async exec(ref: string, opts: ExecOptions): Promise<ExecResult> {
    try {
      return await runExec(this.docker.getContainer(ref), opts);
    } catch (err) {
      throw err instanceof DomainError ? err : wrap('exec', err);
    }
  }

  async execPty(ref: string, opts: PtyOptions): Promise<PtyExec> {
    try {
      const exec = await this.docker.getContainer(ref).exec({
        Cmd: opts.cmd,
        Env: opts.env,
        WorkingDir: opts.cwd,
        AttachStdin: true,
        AttachStdout: true,
        AttachStderr: true,
        Tty: true,
      });
      const stream = await exec.start({ hijack: true, stdin: true, Tty: true });
      // Engine API 1.41 has no size at create: the terminal starts at 80×24 and is resized at once.
      await exec.resize({ w: opts.cols, h: opts.rows }).catch(() => undefined);
      return { id: exec.id, stream };
    } catch (err) {
      throw wrap('exec', err);
    }
  }

  async resizeExec(execId: string, cols: number, rows: number): Promise<void> {
    try {
      await this.docker.getExec(execId).resize({ w: cols, h: rows });
    } catch (err) {
      throw wrap('exec resize', err);
    }
  }

  async execExitCode(execId: string): Promise<number | null> {
    try {
      const info = await this.docker.getExec(execId).inspect();
      return info.Running ? null : info.ExitCode;
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw wrap('exec inspect', err);
    }
  }

  async execDetached(ref: string, opts: Omit<ExecOptions, 'timeoutS' | 'outputLimitBytes'>): Promise<void> {
    try {
      const exec = await this.docker.getContainer(ref).exec({
        Cmd: opts.cmd,
        Env: opts.env,
        WorkingDir: opts.cwd,
        User: opts.user,
        AttachStdin: false,
        AttachStdout: false,
        AttachStderr: false,
        Tty: false,
      });
      await exec.start({ Detach: true });
    } catch (err) {
      throw wrap('exec', err);
    }
  }

  async listVolumes(labels: Record<string, string>): Promise<string[]> {
    try {
      const r = await this.docker.listVolumes({ filters: { label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) } });
      return (r.Volumes ?? []).map((v) => v.Name);
    } catch (err) {
      throw wrap('volume list', err);
    }
  }

  async removeVolume(name: string): Promise<'removed' | 'already-removed' | 'in-use'> {
    try {
      await this.docker.getVolume(name).remove();
      return 'removed';
    } catch (err) {
      if (statusOf(err) === 404) return 'already-removed';
      if (statusOf(err) === 409) return 'in-use';
      throw wrap('volume remove', err);
    }
  }
}
