/**
 * Traefik cannot run here, so this pins what it would read: the exact labels
 * on a sandbox container, and YAML files that parse and only reference
 * routers, services, middlewares and entrypoints that exist.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildContainerSpec } from '../../src/docker/spec.js';
import { FORWARD_AUTH_PATH } from '../../src/edge/forward-auth.js';
import { TOKEN_HEADER } from '../../src/edge/credentials.js';
import { traefikLabels, type TraefikLabelConfig } from '../../src/edge/traefik-labels.js';
import type { Sandbox } from '../../src/domain/sandbox.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..', 'traefik');

const cfg: TraefikLabelConfig = {
  instance: 'default',
  network: 'sandboxed-sandboxes',
  previewDomain: 'example.com',
  previewEntrypoint: 'web',
  previewTls: false,
  previewCertResolver: '',
};

function sb(ports: number[]): Pick<Sandbox, 'id' | 'spec'> {
  return { id: 'abc', spec: { ports, memoryMb: 512, cpus: 1, idlePolicy: 'sleep', visibility: 'public', services: [] } };
}

/** Traefik renders dynamic files as Go templates; we use only `{{ env "X" | default "y" }}`. */
function render(text: string, env: Record<string, string>): string {
  const out = text.replace(/\{\{\s*env\s+"([A-Z_]+)"\s*\|\s*default\s+"([^"]*)"\s*\}\}/g, (_m, name: string, def: string) => env[name] || def);
  expect(out, 'only env|default templates are used').not.toMatch(/\{\{|\}\}/);
  return out;
}

function dynamicFiles(env: Record<string, string> = {}): Array<{ name: string; doc: any }> {
  const dir = path.join(ROOT, 'dynamic');
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => ({ name: f, doc: parse(render(readFileSync(path.join(dir, f), 'utf8'), env)) }));
}

/** Labels → the dynamic config they describe (keys are case-insensitive in Traefik; ours are lower case). */
function fromLabels(labels: Record<string, string>) {
  const routers: Record<string, Record<string, string>> = {};
  const services: Record<string, Record<string, string>> = {};
  for (const [k, v] of Object.entries(labels)) {
    const r = /^traefik\.http\.routers\.([^.]+)\.(.+)$/.exec(k);
    if (r) (routers[r[1]] ??= {})[r[2]] = v;
    const s = /^traefik\.http\.services\.([^.]+)\.(.+)$/.exec(k);
    if (s) (services[s[1]] ??= {})[s[2]] = v;
  }
  return { routers, services };
}

describe('traefikLabels', () => {
  it('gives every declared port its own router, naming its own service (multi-port sandboxes keep their routes)', () => {
    expect(traefikLabels(sb([3000, 5173]), cfg)).toEqual({
      'traefik.enable': 'true',
      'traefik.docker.network': 'sandboxed-sandboxes',
      'traefik.http.routers.sandboxed-default-abc-3000.rule': 'Host(`s-abc-3000.preview.example.com`)',
      'traefik.http.routers.sandboxed-default-abc-3000.entrypoints': 'web',
      'traefik.http.routers.sandboxed-default-abc-3000.priority': '100',
      'traefik.http.routers.sandboxed-default-abc-3000.service': 'sandboxed-default-abc-3000',
      'traefik.http.routers.sandboxed-default-abc-3000.middlewares': 'sandboxed-preview-auth@file',
      'traefik.http.services.sandboxed-default-abc-3000.loadbalancer.server.port': '3000',
      'traefik.http.routers.sandboxed-default-abc-5173.rule': 'Host(`s-abc-5173.preview.example.com`)',
      'traefik.http.routers.sandboxed-default-abc-5173.entrypoints': 'web',
      'traefik.http.routers.sandboxed-default-abc-5173.priority': '100',
      'traefik.http.routers.sandboxed-default-abc-5173.service': 'sandboxed-default-abc-5173',
      'traefik.http.routers.sandboxed-default-abc-5173.middlewares': 'sandboxed-preview-auth@file',
      'traefik.http.services.sandboxed-default-abc-5173.loadbalancer.server.port': '5173',
    });
  });

  it('adds TLS and the cert resolver when PREVIEW_TLS is on, on PREVIEW_ENTRYPOINT', () => {
    const tls = { ...cfg, previewTls: true, previewCertResolver: 'le', previewEntrypoint: 'websecure', instance: 'prod.eu_1' };
    expect(traefikLabels(sb([8080]), tls)).toEqual({
      'traefik.enable': 'true',
      'traefik.docker.network': 'sandboxed-sandboxes',
      'traefik.http.routers.sandboxed-prod-eu-1-abc-8080.rule': 'Host(`s-abc-8080.preview.example.com`)',
      'traefik.http.routers.sandboxed-prod-eu-1-abc-8080.entrypoints': 'websecure',
      'traefik.http.routers.sandboxed-prod-eu-1-abc-8080.priority': '100',
      'traefik.http.routers.sandboxed-prod-eu-1-abc-8080.service': 'sandboxed-prod-eu-1-abc-8080',
      'traefik.http.routers.sandboxed-prod-eu-1-abc-8080.middlewares': 'sandboxed-preview-auth@file',
      'traefik.http.routers.sandboxed-prod-eu-1-abc-8080.tls': 'true',
      'traefik.http.routers.sandboxed-prod-eu-1-abc-8080.tls.certresolver': 'le',
      'traefik.http.services.sandboxed-prod-eu-1-abc-8080.loadbalancer.server.port': '8080',
    });
    expect(traefikLabels(sb([8080]), { ...tls, previewCertResolver: '' })).not.toHaveProperty(
      'traefik.http.routers.sandboxed-prod-eu-1-abc-8080.tls.certresolver',
    );
  });

  it('a sandbox without ports is disabled for Traefik but still carries our managed labels (uninstall finds it)', () => {
    const spec = buildContainerSpec(sb([]), { dataDir: '/d', image: 'i', network: 'n', instance: 'default', pidsLimit: 1, nofile: 1, tmpfsMb: 1, extraCaCerts: '', stopGraceS: 1, sandboxUid: 1000, sandboxGid: 1000 }, traefikLabels(sb([]), cfg));
    expect(spec.labels).toEqual({ 'traefik.enable': 'false', 'sandboxed.managed': 'true', 'sandboxed.id': 'abc', 'sandboxed.instance': 'default' });
  });

  it('router names are valid Traefik names (no "." or "@")', () => {
    const { routers } = fromLabels(traefikLabels(sb([1, 65535]), { ...cfg, instance: 'a.b_c' }));
    for (const name of Object.keys(routers)) expect(name).toMatch(/^[a-z0-9-]+$/);
  });
});

describe('traefik/ YAML', () => {
  const staticCfg = parse(readFileSync(path.join(ROOT, 'traefik.yml'), 'utf8'));

  it('static config: Docker provider limited to our containers, not exposed by default, on the sandbox network; file provider on a directory', () => {
    expect(staticCfg.providers.docker).toMatchObject({
      exposedByDefault: false,
      constraints: 'Label(`sandboxed.managed`,`true`)',
      network: 'sandboxed-sandboxes',
    });
    expect(staticCfg.providers.file.directory).toMatch(/\/dynamic$/);
    expect(staticCfg.providers.file.filename).toBeUndefined();
    expect(staticCfg.providers.file.watch).toBe(true);
  });

  for (const env of [{}, { PREVIEW_ENTRYPOINT: 'websecure' }] as Record<string, string>[]) {
    it(`dynamic files parse and every reference resolves (env ${JSON.stringify(env)})`, () => {
      const files = dynamicFiles(env);
      expect(files.length).toBeGreaterThan(0);
      const routers: Record<string, any> = {};
      const services: Record<string, any> = {};
      const middlewares: Record<string, any> = {};
      for (const { doc } of files) {
        Object.assign(routers, doc.http?.routers ?? {});
        Object.assign(services, doc.http?.services ?? {});
        Object.assign(middlewares, doc.http?.middlewares ?? {});
      }
      const entrypoints = Object.keys(staticCfg.entryPoints);
      const local = (ref: string, pool: Record<string, unknown>): boolean => (ref.endsWith('@file') ? ref.slice(0, -5) : ref) in pool;
      for (const [name, r] of Object.entries(routers)) {
        expect(local(r.service, services), `router ${name} → service ${r.service}`).toBe(true);
        for (const m of r.middlewares ?? []) expect(local(m, middlewares), `router ${name} → middleware ${m}`).toBe(true);
        for (const e of r.entryPoints) expect(entrypoints, `router ${name} → entrypoint ${e}`).toContain(e);
      }
      const wake = routers['sandboxed-wake'];
      expect(wake.priority).toBe(1);
      expect(wake.entryPoints).toEqual([env.PREVIEW_ENTRYPOINT ?? 'web']);
      expect(wake.middlewares).toEqual(['sandboxed-preview-auth']);
    });
  }

  it('the catch-all matches preview hosts and nothing else', () => {
    const rule: string = dynamicFiles().flatMap((f) => Object.values<any>(f.doc.http?.routers ?? {}))[0].rule;
    const re = new RegExp(/HostRegexp\(`(.+)`\)/.exec(rule)![1]);
    expect(re.test('s-abc-3000.preview.example.com')).toBe(true);
    expect(re.test('s-my-app-2-5173.preview.localhost')).toBe(true);
    expect(re.test('api.preview.example.com')).toBe(false);
    expect(re.test('example.com')).toBe(false);
    expect(re.test('s-abc-3000.previewXexample.com')).toBe(false);
  });

  it('forward-auth points at the daemon internal edge port and strips our credentials before the app', () => {
    const mw = dynamicFiles().find((f) => f.doc.http?.middlewares)!.doc.http.middlewares['sandboxed-preview-auth'].forwardAuth;
    expect(mw.address).toBe(`http://127.0.0.1:8081${FORWARD_AUTH_PATH}`);
    expect(mw.trustForwardHeader).toBe(true);
    expect(mw.authResponseHeaders.map((h: string) => h.toLowerCase())).toEqual([TOKEN_HEADER, 'cookie']);
    const svc = dynamicFiles().find((f) => f.doc.http?.services)!.doc.http.services['sandboxed-edge'];
    expect(svc.loadBalancer.servers).toEqual([{ url: 'http://127.0.0.1:8081' }]);
  });

  it('labels reference only their own services and file-provider middlewares with the @file suffix', () => {
    const middlewares = Object.assign({}, ...dynamicFiles().map((f) => f.doc.http?.middlewares ?? {}));
    const entrypoints = Object.keys(staticCfg.entryPoints);
    for (const c of [cfg, { ...cfg, previewEntrypoint: 'websecure', previewTls: true }]) {
      const { routers, services } = fromLabels(traefikLabels(sb([3000, 5173, 8080]), c));
      expect(Object.keys(routers)).toHaveLength(3);
      for (const [name, r] of Object.entries(routers)) {
        expect(services, `router ${name} → its service`).toHaveProperty(r.service);
        for (const m of r.middlewares.split(',')) {
          expect(m, 'a label naming a file-provider middleware needs @file').toMatch(/@file$/);
          expect(middlewares).toHaveProperty(m.slice(0, -5));
        }
        expect(entrypoints).toContain(r.entrypoints);
      }
    }
  });
});
