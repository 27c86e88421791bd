/**
 * Traefik cannot run here, so this pins what it would read: the exact routes
 * sandboxd serves its HTTP provider, and YAML files that parse and only reference
 * routers, services, middlewares and entrypoints that exist.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildContainerSpec } from '../../src/docker/spec.js';
import { FORWARD_AUTH_PATH } from '../../src/edge/forward-auth.js';
import { TOKEN_HEADER } from '../../src/edge/credentials.js';
import { previewMiddlewares, TRAEFIK_ROUTES_PATH, traefikRoutes, type RoutedSandbox, type TraefikRouteConfig } from '../../src/edge/traefik-routes.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..', 'traefik');

const cfg: TraefikRouteConfig = {
  instance: 'default',
  previewDomain: 'example.com',
  previewEntrypoint: 'web',
  previewTls: false,
  previewCertResolver: '',
};

/**
 * Traefik renders dynamic files as Go templates (sprig functions). We use only
 * `{{ $v := PIPE }}`, `{{ $v }}` and `{{ PIPE }}`, where PIPE is `env "X"` or `$v`
 * followed by `| default "y"` and `| replace "a" "b"`; anything else fails here.
 */
function render(text: string, env: Record<string, string>): string {
  const vars: Record<string, string> = {};
  const pipeline = (expr: string): string => {
    const [first, ...fns] = expr.split('|').map((x) => x.trim());
    const fromEnv = /^env "([A-Z_]+)"$/.exec(first);
    const fromVar = /^\$(\w+)$/.exec(first);
    if (!fromEnv && !(fromVar && fromVar[1] in vars)) throw new Error(`unsupported template expression: ${first}`);
    let v = fromEnv ? (env[fromEnv[1]] ?? '') : vars[fromVar![1]];
    for (const fn of fns) {
      const def = /^default "([^"]*)"$/.exec(fn);
      const rep = /^replace "([^"]*)" "([^"]*)"$/.exec(fn);
      if (def) v = v || def[1];
      else if (rep) v = v.replaceAll(rep[1], rep[2]);
      else throw new Error(`unsupported template function: ${fn}`);
    }
    return v;
  };
  const out = text.replace(/\{\{\s*(?:\$(\w+)\s*:=\s*)?(.+?)\s*\}\}/g, (_m, assign: string | undefined, expr: string) => {
    const v = pipeline(expr);
    if (assign === undefined) return v;
    vars[assign] = v;
    return '';
  });
  expect(out, 'every template action was rendered').not.toMatch(/\{\{|\}\}/);
  return out;
}

const TEMPLATE_DIR = path.join(ROOT, 'dynamic');

function dynamicFiles(env: Record<string, string> = {}): Array<{ name: string; doc: any }> {
  return readdirSync(TEMPLATE_DIR)
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => ({ name: f, doc: parse(render(readFileSync(path.join(TEMPLATE_DIR, f), 'utf8'), env)) }));
}

function dynamicConfig(env: Record<string, string> = {}) {
  const files = dynamicFiles(env);
  expect(files.length).toBeGreaterThan(0);
  const pick = (kind: string): Record<string, any> => Object.assign({}, ...files.map((f) => f.doc.http?.[kind] ?? {}));
  return { routers: pick('routers'), services: pick('services'), middlewares: pick('middlewares') };
}

const running = (ports: number[]): RoutedSandbox[] => [{ id: 'abc', ports, ip: '172.18.0.5' }];

describe('traefikRoutes (what the HTTP provider serves)', () => {
  it('gives every declared port of a running sandbox its own router and service, at the container address', () => {
    expect(traefikRoutes(running([3000, 5173]), cfg)).toEqual({
      http: {
        routers: {
          'sandboxed-default-abc-3000': {
            rule: 'Host(`s-abc-3000.preview.example.com`)',
            entryPoints: ['web'],
            priority: 100,
            service: 'sandboxed-default-abc-3000',
            middlewares: ['sandboxed-default-preview-auth@file', 'sandboxed-default-preview-headers@file'],
          },
          'sandboxed-default-abc-5173': {
            rule: 'Host(`s-abc-5173.preview.example.com`)',
            entryPoints: ['web'],
            priority: 100,
            service: 'sandboxed-default-abc-5173',
            middlewares: ['sandboxed-default-preview-auth@file', 'sandboxed-default-preview-headers@file'],
          },
        },
        services: {
          'sandboxed-default-abc-3000': { loadBalancer: { servers: [{ url: 'http://172.18.0.5:3000' }] } },
          'sandboxed-default-abc-5173': { loadBalancer: { servers: [{ url: 'http://172.18.0.5:5173' }] } },
        },
      },
    });
  });

  it('adds TLS and the cert resolver when PREVIEW_TLS is on, on PREVIEW_ENTRYPOINT', () => {
    const tls = { ...cfg, previewTls: true, previewCertResolver: 'le', previewEntrypoint: 'websecure', instance: 'prod.eu_1' };
    const r = traefikRoutes(running([8080]), tls).http.routers['sandboxed-prod-eu-1-abc-8080'];
    expect(r).toMatchObject({ entryPoints: ['websecure'], tls: { certResolver: 'le' } });
    expect(r.middlewares).toEqual(['sandboxed-prod-eu-1-preview-auth@file', 'sandboxed-prod-eu-1-preview-headers@file']);
    expect(traefikRoutes(running([8080]), { ...tls, previewCertResolver: '' }).http.routers['sandboxed-prod-eu-1-abc-8080'].tls).toEqual({});
  });

  it('no running sandbox, no route: their hosts reach the catch-all', () => {
    expect(traefikRoutes([], cfg)).toEqual({ http: { routers: {}, services: {} } });
  });

  it('router names are valid Traefik names (no "." or "@")', () => {
    const { routers } = traefikRoutes(running([1, 65535]), { ...cfg, instance: 'a.b_c' }).http;
    for (const name of Object.keys(routers)) expect(name).toMatch(/^[a-z0-9-]+$/);
  });

  it('containers carry our labels only: routing never depends on them', () => {
    const spec = buildContainerSpec({ id: 'abc', spec: { ports: [3000], memoryMb: 512, cpus: 1, idlePolicy: 'sleep', visibility: 'public', services: [] } }, { dataDir: '/d', image: 'i', network: 'n', instance: 'default', pidsLimit: 1, nofile: 1, tmpfsMb: 1, extraCaCerts: '', stopGraceS: 1, sandboxUid: 1000, sandboxGid: 1000, gvisorRuntime: 'runsc', gvisorPidsLimit: 2048 });
    expect(spec.labels).toEqual({ 'sandboxed.managed': 'true', 'sandboxed.id': 'abc', 'sandboxed.instance': 'default' });
  });
});

describe('traefik/ YAML', () => {
  const staticCfg = parse(readFileSync(path.join(ROOT, 'traefik.yml'), 'utf8'));

  it('static config: routes from sandboxd over HTTP (no Docker provider, no socket), every second; file provider on a directory', () => {
    expect(staticCfg.providers.docker).toBeUndefined();
    expect(staticCfg.providers.http.endpoint).toBe(`http://127.0.0.1:8081${TRAEFIK_ROUTES_PATH}`);
    expect(staticCfg.providers.http.pollInterval).toBe('1s');
    expect(staticCfg.providers.file.directory).toMatch(/\/dynamic$/);
    expect(staticCfg.providers.file.filename).toBeUndefined();
    expect(staticCfg.providers.file.watch).toBe(true);
    const compose = parse(readFileSync(path.join(ROOT, '..', 'docker-compose.yml'), 'utf8'));
    expect(JSON.stringify(compose.services.traefik.volumes)).not.toContain('docker.sock');
  });

  const ENVS: Record<string, string>[] = [
    {},
    { PREVIEW_ENTRYPOINT: 'websecure', SANDBOXED_INSTANCE: 'prod.eu_1', SANDBOXED_EDGE_INTERNAL_PORT: '9181' },
  ];
  const instanceOf = (env: Record<string, string>) => (env.SANDBOXED_INSTANCE ?? 'default').replace(/[._]/g, '-');

  for (const env of ENVS) {
    it(`dynamic files parse, carry the instance in every name, and every reference resolves (env ${JSON.stringify(env)})`, () => {
      const { routers, services, middlewares } = dynamicConfig(env);
      const i = instanceOf(env);
      for (const name of [...Object.keys(routers), ...Object.keys(services), ...Object.keys(middlewares)]) {
        expect(name, 'a valid Traefik name that names this instance').toMatch(new RegExp(`^sandboxed-${i}-[a-z0-9-]+$`));
      }
      const entrypoints = Object.keys(staticCfg.entryPoints);
      const local = (ref: string, pool: Record<string, unknown>): boolean => (ref.endsWith('@file') ? ref.slice(0, -5) : ref) in pool;
      for (const [name, r] of Object.entries<any>(routers)) {
        expect(local(r.service, services), `router ${name} → service ${r.service}`).toBe(true);
        for (const m of r.middlewares ?? []) expect(local(m, middlewares), `router ${name} → middleware ${m}`).toBe(true);
        for (const e of r.entryPoints) expect(entrypoints, `router ${name} → entrypoint ${e}`).toContain(e);
      }
      const wake = routers[`sandboxed-${i}-wake`];
      expect(wake.priority).toBe(1);
      expect(wake.entryPoints).toEqual([env.PREVIEW_ENTRYPOINT ?? 'web']);
      expect(wake.service).toBe(`sandboxed-${i}-edge`);
      const port = env.SANDBOXED_EDGE_INTERNAL_PORT ?? '8081';
      expect(services[`sandboxed-${i}-edge`].loadBalancer).toEqual({ passHostHeader: true, servers: [{ url: `http://127.0.0.1:${port}` }] });
      expect(middlewares[`sandboxed-${i}-preview-auth`].forwardAuth.address).toBe(`http://127.0.0.1:${port}${FORWARD_AUTH_PATH}`);
    });
  }

  it('the catch-all wake router lets the token cookie reach sandboxd: no middleware of it replaces Cookie', () => {
    const { routers, middlewares } = dynamicConfig();
    for (const m of routers['sandboxed-default-wake'].middlewares ?? []) {
      const replaced: string[] = middlewares[m.replace(/@file$/, '')].forwardAuth?.authResponseHeaders ?? [];
      expect(replaced.map((h) => h.toLowerCase())).not.toContain('cookie');
    }
  });

  it('the catch-all matches preview hosts and nothing else', () => {
    const re = new RegExp(/HostRegexp\(`(.+)`\)/.exec(dynamicConfig().routers['sandboxed-default-wake'].rule)![1]);
    expect(re.test('s-abc-3000.preview.example.com')).toBe(true);
    expect(re.test('s-my-app-2-5173.preview.localhost')).toBe(true);
    expect(re.test('api.preview.example.com')).toBe(false);
    expect(re.test('example.com')).toBe(false);
    expect(re.test('s-abc-3000.previewXexample.com')).toBe(false);
  });

  it('forward-auth never trusts client X-Forwarded-* and strips our credentials before the app; Forwarded is removed', () => {
    const { middlewares } = dynamicConfig();
    const auth = middlewares['sandboxed-default-preview-auth'].forwardAuth;
    expect(auth.trustForwardHeader).toBe(false);
    expect(auth.authResponseHeaders.map((h: string) => h.toLowerCase())).toEqual([TOKEN_HEADER, 'cookie']);
    expect(middlewares['sandboxed-default-preview-headers'].headers.customRequestHeaders).toEqual({ Forwarded: '' });
  });

  it('the routes sandboxd serves name their own services and this instance\'s file-provider middlewares, which the rendered template defines', () => {
    const entrypoints = Object.keys(staticCfg.entryPoints);
    for (const env of ENVS) {
      const { middlewares } = dynamicConfig(env);
      const instance = env.SANDBOXED_INSTANCE ?? 'default';
      for (const c of [{ ...cfg, instance }, { ...cfg, instance, previewEntrypoint: 'websecure', previewTls: true }]) {
        const { routers, services } = traefikRoutes(running([3000, 5173, 8080]), c).http;
        expect(Object.keys(routers)).toHaveLength(3);
        for (const [name, r] of Object.entries(routers)) {
          expect(services, `router ${name} → its service`).toHaveProperty([r.service]);
          expect(r.middlewares).toEqual(previewMiddlewares(instance));
          for (const m of r.middlewares) {
            expect(m, 'a route naming a file-provider middleware needs @file').toMatch(/@file$/);
            expect(middlewares, `router ${name} → middleware ${m}`).toHaveProperty([m.slice(0, -5)]);
          }
          expect(entrypoints).toContain(r.entryPoints[0]);
        }
      }
    }
  });

  it('another instance\'s routes name middlewares this instance\'s file does not define', () => {
    const { middlewares } = dynamicConfig({ SANDBOXED_INSTANCE: 'one' });
    for (const m of previewMiddlewares('two')) expect(middlewares).not.toHaveProperty([m.slice(0, -5)]);
  });

  it('docker-compose gives Traefik every variable the template reads', () => {
    const compose = parse(readFileSync(path.join(ROOT, '..', 'docker-compose.yml'), 'utf8'));
    const env = compose.services.traefik.environment as Record<string, string>;
    const read = readdirSync(TEMPLATE_DIR).flatMap((f) => [...readFileSync(path.join(TEMPLATE_DIR, f), 'utf8').matchAll(/env "([A-Z_]+)"/g)].map((m) => m[1]));
    // The same defaults as the template's and .env.example's.
    const defaults: Record<string, string> = { PREVIEW_ENTRYPOINT: 'web', SANDBOXED_INSTANCE: 'default', SANDBOXED_EDGE_INTERNAL_PORT: '8081' };
    expect(new Set(read)).toEqual(new Set(Object.keys(defaults)));
    for (const v of read) expect(env[v], v).toBe(`\${${v}:-${defaults[v]}}`);
  });
});
