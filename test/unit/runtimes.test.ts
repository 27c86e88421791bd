/**
 * Runtimes, decided purely: the settings, what a runtime changes in the
 * container spec (and so in its digest), which runtimes a create and /readyz
 * accept given what Docker answers, and the gVisor IPv6 check's decisions.
 * Docker itself is faked here only; test/integration/runtime.test.ts uses the real one.
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { ContainerEngine, ExecOptions, ExecResult } from '../../src/docker/engine.js';
import { buildContainerSpec, GVISOR_PRELOAD, specDigest, toEngineCreateBody } from '../../src/docker/spec.js';
import type { Runtime, Sandbox } from '../../src/domain/sandbox.js';
import { InvalidError, UnavailableError } from '../../src/errors.js';
import { GvisorIpv6Check } from '../../src/sandboxes/gvisor-ipv6.js';
import { newSandbox } from '../../src/sandboxes/new-sandbox.js';
import { RuntimeCatalog } from '../../src/sandboxes/runtimes.js';

const cfg = { ...loadConfig({}), dataDir: '/var/lib/sandboxed' };
const quiet = pino({ level: 'silent' });

function sandbox(runtime?: Runtime): Pick<Sandbox, 'id' | 'spec'> {
  return { id: 'abc', spec: { ports: [3000], memoryMb: 512, cpus: 1, idlePolicy: 'sleep', visibility: 'public', services: [], ...(runtime ? { runtime } : {}) } };
}

describe('runtime settings', () => {
  it('default to runc, with runsc as Docker’s name for gVisor', () => {
    expect(cfg.defaultRuntime).toBe('runc');
    expect(cfg.gvisorRuntime).toBe('runsc');
    expect(cfg.gvisorPidsLimit).toBe(2048);
  });

  it.each([
    ['SANDBOXD_DEFAULT_RUNTIME', 'kata'],
    ['SANDBOXD_GVISOR_RUNTIME', 'run sc'],
    ['SANDBOXD_GVISOR_RUNTIME', '../runsc'],
    ['SANDBOXD_GVISOR_PIDS_LIMIT', '10'],
  ])('stop the start on %s=%s, naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrowError(new RegExp(`^${name}`));
  });

  it('give a create without a runtime the default, and keep the one it names', () => {
    const gvisorCfg = loadConfig({ SANDBOXD_DEFAULT_RUNTIME: 'gvisor' });
    expect(newSandbox({}, cfg).spec.runtime).toBe('runc');
    expect(newSandbox({}, gvisorCfg).spec.runtime).toBe('gvisor');
    expect(newSandbox({ runtime: 'runc' }, gvisorCfg).spec.runtime).toBe('runc');
  });
});

describe('the container spec per runtime', () => {
  it('runc: Docker’s runc, the runc pids limit, nothing preloaded', () => {
    const hc = toEngineCreateBody(buildContainerSpec(sandbox('runc'), cfg)) as any;
    expect(hc.HostConfig.Runtime).toBe('runc');
    expect(hc.HostConfig.PidsLimit).toBe(512);
    expect(hc.Env.some((e: string) => e.startsWith('LD_PRELOAD='))).toBe(false);
  });

  it('gvisor: the configured runtime name, gVisor’s pids limit, the statx shim; the hardening is the same', () => {
    const own = { ...cfg, gvisorRuntime: 'runsc-kvm', gvisorPidsLimit: 4096 };
    const body = toEngineCreateBody(buildContainerSpec(sandbox('gvisor'), own)) as any;
    const runc = toEngineCreateBody(buildContainerSpec(sandbox('runc'), own)) as any;
    expect(body.HostConfig.Runtime).toBe('runsc-kvm');
    expect(body.HostConfig.PidsLimit).toBe(4096);
    expect(body.Env).toContain(`LD_PRELOAD=${GVISOR_PRELOAD}`);
    for (const key of ['CapDrop', 'SecurityOpt', 'ReadonlyRootfs', 'Init', 'Memory', 'MemorySwap', 'Sysctls', 'Tmpfs', 'Binds', 'NetworkMode']) {
      expect(body.HostConfig[key], key).toEqual(runc.HostConfig[key]);
    }
  });

  it('a row from before runtimes is runc, with the same digest as a runc row (its container is not replaced)', () => {
    const old = buildContainerSpec(sandbox(), cfg);
    expect(old.runtime).toBe('runc');
    expect(specDigest(old)).toBe(specDigest(buildContainerSpec(sandbox('runc'), cfg)));
  });

  it('another runtime is another digest: a stopped container is recreated at its next start', () => {
    expect(specDigest(buildContainerSpec(sandbox('gvisor'), cfg))).not.toBe(specDigest(buildContainerSpec(sandbox('runc'), cfg)));
    const renamed = { ...cfg, gvisorRuntime: 'runsc-debug' };
    expect(specDigest(buildContainerSpec(sandbox('gvisor'), renamed))).not.toBe(specDigest(buildContainerSpec(sandbox('gvisor'), cfg)));
  });
});

describe('RuntimeCatalog', () => {
  function catalog(answers: string[][], over: Partial<typeof cfg> = {}) {
    const asked: number[] = [];
    const engine = {
      runtimes: async () => {
        asked.push(1);
        return answers[Math.min(asked.length - 1, answers.length - 1)];
      },
    };
    return { runtimes: new RuntimeCatalog({ ...cfg, ...over }, engine, quiet), asked };
  }

  it('accepts a runtime Docker has, asking Docker once', async () => {
    const { runtimes, asked } = catalog([['runc', 'runsc']]);
    await runtimes.require('gvisor');
    await runtimes.require('gvisor');
    await runtimes.require('runc');
    expect(asked).toHaveLength(1);
  });

  it('refuses one Docker lacks with a 400 naming the runtime, Docker’s name and what to do', async () => {
    const { runtimes } = catalog([['runc']]);
    const err = await runtimes.require('gvisor').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidError);
    expect((err as Error).message).toMatch(/^runtime: "gvisor" needs the Docker runtime "runsc", which this engine does not have \(it has runc\); register it with \.\/install\.sh --runtime gvisor/);
  });

  it('asks Docker again before refusing: a runtime registered since is accepted without a restart', async () => {
    const { runtimes, asked } = catalog([['runc'], ['runc', 'runsc']]);
    await runtimes.refresh();
    await runtimes.require('gvisor');
    expect(asked).toHaveLength(2);
  });

  it('/readyz: fails naming the default runtime when Docker lacks it, passes once Docker has it', async () => {
    const { runtimes } = catalog([['runc'], ['runc', 'runsc']], { defaultRuntime: 'gvisor' });
    await expect(runtimes.checkDefault()).rejects.toThrow(/the default runtime "gvisor" \(SANDBOXD_DEFAULT_RUNTIME\) needs the Docker runtime "runsc"/);
    await expect(runtimes.checkDefault()).resolves.toBeUndefined();
  });
});

describe('GvisorIpv6Check', () => {
  function engine(stdout: string) {
    const calls = { exec: 0, stopped: [] as string[] };
    const fake: Pick<ContainerEngine, 'exec' | 'stop'> = {
      exec: async (_ref: string, opts: ExecOptions): Promise<ExecResult> => {
        calls.exec++;
        expect(opts.cmd).toEqual(['/bin/cat', '/proc/net/if_inet6']);
        return { exitCode: 0, stdout, stderr: '', timedOut: false, truncated: false, durationMs: 1 };
      },
      stop: async (ref: string) => {
        calls.stopped.push(ref);
        return 'stopped';
      },
    };
    return { fake, calls };
  }

  it('passes a sandbox without IPv6 addresses, and trusts the engine from then on', async () => {
    const { fake, calls } = engine('');
    const check = new GvisorIpv6Check(fake);
    await check.verify('c1');
    await check.verify('c2');
    check.refuseIfKnownBad();
    expect(calls).toEqual({ exec: 1, stopped: [] });
  });

  it('stops a sandbox that has IPv6 and refuses every gVisor start after it, naming the interface and why', async () => {
    const { fake, calls } = engine('fe800000000000000042c0fffea84002 e44 40 00 c0     eth0\n');
    const check = new GvisorIpv6Check(fake);
    const err = await check.verify('c1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as Error).message).toMatch(/gVisor sandboxes are refused: a gVisor sandbox had IPv6 on \(eth0\).*runsc ignores the container's disable_ipv6/);
    expect(calls.stopped).toEqual(['c1']);
    expect(() => check.refuseIfKnownBad()).toThrow(UnavailableError);
  });
});
