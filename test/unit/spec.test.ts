import { describe, expect, it } from 'vitest';
import { buildContainerSpec, toEngineCreateBody } from '../../src/docker/spec.js';
import type { Sandbox } from '../../src/domain/sandbox.js';

const cfg = {
  dataDir: '/var/lib/sandboxed',
  image: 'sandboxed/sandbox:latest',
  network: 'sandboxed-sandboxes',
  instance: 'default',
  pidsLimit: 512,
  nofile: 4096,
  tmpfsMb: 256,
  extraCaCerts: '',
  stopGraceS: 10,
  sandboxUid: 1000,
  sandboxGid: 1000,
  gvisorRuntime: 'runsc',
  gvisorPidsLimit: 2048,
};

const sb: Pick<Sandbox, 'id' | 'spec'> = {
  id: 'abc123',
  spec: { ports: [3000, 5173], memoryMb: 1024, cpus: 1.5, idlePolicy: 'sleep', visibility: 'public', services: [] },
};

describe('buildContainerSpec', () => {
  it('hardens every container the same way', () => {
    const body = toEngineCreateBody(buildContainerSpec(sb, cfg)) as any;
    expect(body.name).toBe('s-abc123');
    expect(body.User).toBe('1000:1000');
    expect(body.Labels).toMatchObject({ 'sandboxed.managed': 'true', 'sandboxed.id': 'abc123', 'sandboxed.instance': 'default' });
    const hc = body.HostConfig;
    expect(hc.CapDrop).toEqual(['ALL']);
    expect(hc.SecurityOpt).toEqual(['no-new-privileges:true']);
    expect(hc.ReadonlyRootfs).toBe(true);
    expect(hc.Init).toBe(true);
    expect(hc.Memory).toBe(1024 * 1024 * 1024);
    expect(hc.MemorySwap).toBe(hc.Memory);
    expect(hc.NanoCpus).toBe(1.5e9);
    expect(hc.PidsLimit).toBe(512);
    expect(hc.Ulimits).toEqual([{ Name: 'nofile', Soft: 4096, Hard: 4096 }]);
    expect(Object.keys(hc.Tmpfs).sort()).toEqual(['/run', '/tmp', '/var/tmp']);
    expect(hc.Tmpfs['/tmp']).toMatch(/size=256m/);
    expect(hc.Binds).toEqual([
      '/var/lib/sandboxed/workspaces/abc123:/home/sandbox:rw',
      '/var/lib/sandboxed/runtime/abc123:/etc/sandboxed:ro',
      '/var/lib/sandboxed/runtime/abc123/passwd:/etc/passwd:ro',
      '/var/lib/sandboxed/runtime/abc123/group:/etc/group:ro',
    ]);
    expect(hc.NetworkMode).toBe('sandboxed-sandboxes');
    expect(hc.Privileged).toBeUndefined();
  });

  it('says nothing about the sandbox beyond its name, labels and paths (a pooled container takes any identity)', () => {
    const body = toEngineCreateBody(buildContainerSpec(sb, cfg)) as any;
    expect(body.Env).toEqual(['HOME=/home/sandbox']);
    expect(body.Hostname).toBe('sandbox');
    const other = toEngineCreateBody(buildContainerSpec({ ...sb, spec: { ...sb.spec, ports: [8080, 9090], services: [{ name: 'x', command: 'y' }] } }, cfg)) as any;
    expect(other).toEqual(body);
  });

  it('turns IPv6 off on every interface (icc and the isolation rules are IPv4 only)', () => {
    const body = toEngineCreateBody(buildContainerSpec(sb, cfg)) as any;
    expect(body.HostConfig.Sysctls).toEqual({
      'net.ipv6.conf.all.disable_ipv6': '1',
      'net.ipv6.conf.default.disable_ipv6': '1',
    });
  });

  it('never puts injected env into the container config (docker inspect would show it)', () => {
    const body = toEngineCreateBody(buildContainerSpec(sb, cfg)) as any;
    expect(body.Env.every((e: string) => /^HOME=/.test(e))).toBe(true);
  });

  it('points TLS clients at the extra CA when one is configured', () => {
    const body = toEngineCreateBody(buildContainerSpec(sb, { ...cfg, extraCaCerts: '/etc/corp-ca.pem' })) as any;
    expect(body.Env).toContain('NODE_EXTRA_CA_CERTS=/etc/sandboxed/extra-ca.pem');
    expect(body.Env).toContain('SSL_CERT_FILE=/run/sandboxed/ca-bundle.pem');
  });

  it('refuses an id that is not a single safe path segment', () => {
    expect(() => buildContainerSpec({ ...sb, id: '../../etc' }, cfg)).toThrow();
  });
});
