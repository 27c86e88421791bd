/** The only importer of dockerode. Maps Engine API outcomes into our words. */
import Docker from 'dockerode';
import { DomainError, UpstreamError } from '../errors.js';
import type { ContainerEngine, ContainerInfo, ContainerStats, ExecOptions, ExecResult, Limits, NetworkInfo, NetworkOptions, PtyExec, PtyOptions } from './engine.js';
import { LABEL_INSTANCE, LABEL_MANAGED } from './labels.js';
import { engineMessage, infoFromInspect, infoFromList, statsFrom, statusOf, wrap } from './engine-answers.js';
import { runExec } from './exec-stream.js';
import { toEngineCreateBody, type ContainerSpec } from './spec.js';
import { metrics } from '../telemetry/metrics.js';

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

  async runtimes(): Promise<string[]> {
    try {
      const info = (await this.docker.info()) as { Runtimes?: Record<string, unknown> };
      return Object.keys(info.Runtimes ?? {}).sort();
    } catch (err) {
      throw wrap('info', err);
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

  async imageId(ref: string): Promise<string | null> {
    try {
      return (await this.docker.getImage(ref).inspect()).Id;
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw wrap('image inspect', err);
    }
  }

  async rename(ref: string, name: string): Promise<void> {
    try {
      await this.docker.getContainer(ref).rename({ name });
    } catch (err) {
      throw wrap('rename', err);
    }
  }

  async updateLimits(ref: string, limits: Limits): Promise<void> {
    try {
      // Swap equal to memory, as at create: no swap on top of the limit.
      await this.docker.getContainer(ref).update({
        Memory: limits.memoryBytes,
        MemorySwap: limits.memoryBytes,
        NanoCpus: limits.nanoCpus,
        PidsLimit: limits.pidsLimit,
      });
    } catch (err) {
      throw wrap('update', err);
    }
  }

  async signal(ref: string, signal: string): Promise<void> {
    try {
      await this.docker.getContainer(ref).kill({ signal });
    } catch (err) {
      throw wrap('kill', err);
    }
  }

  async stats(ref: string): Promise<ContainerStats | null> {
    try {
      // one-shot: one sample at once, instead of waiting a second for a CPU delta we do not use.
      return statsFrom(await this.docker.getContainer(ref).stats({ stream: false, 'one-shot': true }));
    } catch (err) {
      if (statusOf(err) === 404 || statusOf(err) === 409) return null;
      throw wrap('stats', err);
    }
  }

  async inspect(ref: string): Promise<ContainerInfo> {
    try {
      return infoFromInspect(await this.docker.getContainer(ref).inspect());
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
      return list.map(infoFromList);
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
