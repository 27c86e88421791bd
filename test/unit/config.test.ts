import { describe, expect, it } from 'vitest';
import { ConfigError, hostNofileHardLimit, isLoopbackHost, loadConfig, parseTokens } from '../../src/config.js';

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const c = loadConfig({});
    expect(c.apiHost).toBe('127.0.0.1');
    expect(c.apiPort).toBe(9090);
    expect(c.dataDir).toBe('/var/lib/sandboxed');
    expect(c.authEnabled).toBe(false);
    expect(c.idleThresholdMs).toBe(2100 * 1000);
    expect(c.previewDomain).toBe('localhost');
    expect(c.httpPort).toBe(80);
    expect(c.edge).toBe('builtin');
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('treats an empty value as unset', () => {
    expect(loadConfig({ HTTP_PORT: '', SANDBOXD_API_TOKENS: '  ' }).httpPort).toBe(80);
  });

  it.each([
    ['SANDBOXD_API_AUTH_DISABLED', 'flase'],
    ['SANDBOXD_API_AUTH_DISABLED', 'off-ish'],
    ['HTTP_PORT', '70000'],
    ['HTTP_PORT', 'eighty'],
    ['SANDBOXED_EDGE', 'nginx'],
    ['SANDBOXED_API_BIND', 'nohost'],
    ['SANDBOXD_IDLE_THRESHOLD_SECONDS', '-5'],
    ['PREVIEW_DOMAIN', 'bad domain'],
    ['SANDBOXED_INSTANCE', 'Has/Slash'],
    ['SANDBOXED_EXTRA_CA_CERTS', '/nonexistent/ca.pem'],
  ])('stops the start on %s=%s and names the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrowError(new RegExp(`^${name}`));
  });

  it('turns auth on when tokens are set and auth is not explicitly disabled', () => {
    const c = loadConfig({ SANDBOXD_API_TOKENS: 'ci:s3cr3t' });
    expect(c.authEnabled).toBe(true);
    expect(c.tokens).toEqual([{ name: 'ci', secret: 's3cr3t', admin: true, limits: {} }]);
  });

  it('refuses auth on without tokens, and the contradiction of disabled auth with tokens', () => {
    expect(() => loadConfig({ SANDBOXD_API_AUTH_DISABLED: 'false' })).toThrow(ConfigError);
    expect(() => loadConfig({ SANDBOXD_API_AUTH_DISABLED: 'true', SANDBOXD_API_TOKENS: 'a:b' })).toThrow(/SANDBOXD_API_AUTH_DISABLED/);
  });

  it('refuses a nofile limit above the host hard limit', () => {
    const hard = hostNofileHardLimit();
    expect(() => loadConfig({ SANDBOXD_NOFILE: String(hard + 1) })).toThrow(/SANDBOXD_NOFILE/);
    expect(loadConfig({}).nofile).toBeLessThanOrEqual(hard);
  });
});

describe('parseTokens', () => {
  it('splits on the first colon so secrets keep ":" and "=" (base64 padding)', () => {
    expect(parseTokens('app:YWJj:ZA==, ops:x=y=')).toEqual([
      { name: 'app', secret: 'YWJj:ZA==', admin: true, limits: {} },
      { name: 'ops', secret: 'x=y=', admin: true, limits: {} },
    ]);
  });

  it.each(['app:', ':secret', 'app', 'a:b,a:c', 'app=secret'])('rejects %j', (raw) => {
    expect(() => parseTokens(raw)).toThrow(/SANDBOXD_API_TOKENS/);
  });

  it('reads options after the name: limits, and admin only when it says so', () => {
    expect(parseTokens('team-a;max_sandboxes=20;max_memory_mb=16384;max_running_tasks=4:s=c:r;e;t, ops;admin:x, lead;admin=true;max_sandboxes=0:y, b;admin=false:z')).toEqual([
      { name: 'team-a', secret: 's=c:r;e;t', admin: false, limits: { maxSandboxes: 20, maxMemoryMb: 16384, maxRunningTasks: 4 } },
      { name: 'ops', secret: 'x', admin: true, limits: {} },
      { name: 'lead', secret: 'y', admin: true, limits: { maxSandboxes: 0 } },
      { name: 'b', secret: 'z', admin: false, limits: {} },
    ]);
  });

  it.each([
    ['a;max_sandboxes=-1:s', /max_sandboxes must be a whole number/],
    ['a;max_sandboxes=1.5:s', /max_sandboxes must be a whole number/],
    ['a;max_sandboxes:s', /max_sandboxes must be a whole number/],
    ['a;max_memory_mb=lots:s', /max_memory_mb must be a whole number/],
    ['a;admin=yes:s', /admin is admin, admin=true or admin=false/],
    ['a;quota=1:s', /unknown option "quota"/],
    ['a;admin;admin:s', /appears twice/],
    [';admin:s', /empty name/],
    [`${'n'.repeat(65)}:s`, /at most 64 characters/],
    ['a\u0007b:s', /control characters/],
  ])('refuses the entry %j, naming the token and the problem', (raw, problem) => {
    expect(() => parseTokens(raw)).toThrowError(problem);
    expect(() => loadConfig({ SANDBOXD_API_TOKENS: raw })).toThrowError(/^SANDBOXD_API_TOKENS: /);
  });
});

describe('lifetimes', () => {
  it('are off by default, with no maximum', () => {
    expect(loadConfig({})).toMatchObject({ defaultTtlS: 0, maxTtlS: 0, defaultIdleDeleteS: 0, maxIdleDeleteS: 0, expiryCheckIntervalMs: 30_000 });
  });

  it('take a default within the maximum', () => {
    const c = loadConfig({ SANDBOXD_DEFAULT_TTL_SECONDS: '3600', SANDBOXD_MAX_TTL_SECONDS: '86400', SANDBOXD_DEFAULT_AUTO_DELETE_AFTER_IDLE_SECONDS: '600' });
    expect(c).toMatchObject({ defaultTtlS: 3600, maxTtlS: 86400, defaultIdleDeleteS: 600, maxIdleDeleteS: 0 });
  });

  it.each([
    [{ SANDBOXD_MAX_TTL_SECONDS: '86400' }, /^SANDBOXD_DEFAULT_TTL_SECONDS: must be 1 to SANDBOXD_MAX_TTL_SECONDS \(86400\)/],
    [{ SANDBOXD_MAX_TTL_SECONDS: '60', SANDBOXD_DEFAULT_TTL_SECONDS: '61' }, /^SANDBOXD_DEFAULT_TTL_SECONDS/],
    [{ SANDBOXD_MAX_AUTO_DELETE_AFTER_IDLE_SECONDS: '60' }, /^SANDBOXD_DEFAULT_AUTO_DELETE_AFTER_IDLE_SECONDS/],
    [{ SANDBOXD_DEFAULT_TTL_SECONDS: '-1' }, /^SANDBOXD_DEFAULT_TTL_SECONDS/],
    [{ SANDBOXD_EXPIRY_CHECK_INTERVAL_SECONDS: '0' }, /^SANDBOXD_EXPIRY_CHECK_INTERVAL_SECONDS/],
  ])('refuse %j', (env, problem) => {
    expect(() => loadConfig(env)).toThrowError(problem);
  });
});

describe('hostNofileHardLimit', () => {
  it('reads the hard column of "Max open files"', () => {
    const text = 'Limit Soft Limit Hard Limit Units\nMax open files            1024                 20000                files\n';
    expect(hostNofileHardLimit(text)).toBe(20000);
  });
});

describe('the API may be open only on loopback', () => {
  it.each(['127.0.0.1:9090', '127.3.4.5:9090', '[::1]:9090', 'localhost:9090', 'LOCALHOST:9090'])('starts with auth off on %s', (bind) => {
    expect(loadConfig({ SANDBOXED_API_BIND: bind }).authEnabled).toBe(false);
  });

  it.each(['0.0.0.0:9090', '[::]:9090', '10.0.0.5:9090', '192.168.1.2:9090', 'api.example.com:9090', '128.0.0.1:9090', '[::ffff:127.0.0.1]:9090'])(
    'refuses auth off on %s, naming the bind and the token setting',
    (bind) => {
      expect(() => loadConfig({ SANDBOXED_API_BIND: bind })).toThrowError(
        /^SANDBOXED_API_BIND: .*auth is off, so the API may only listen on loopback; set SANDBOXD_API_TOKENS$/,
      );
      expect(() => loadConfig({ SANDBOXED_API_BIND: bind, SANDBOXD_API_AUTH_DISABLED: 'true' })).toThrow(/^SANDBOXED_API_BIND/);
    },
  );

  it('starts on any address once tokens are set', () => {
    const c = loadConfig({ SANDBOXED_API_BIND: '0.0.0.0:9090', SANDBOXD_API_TOKENS: 'backend:s3cr3t' });
    expect(c).toMatchObject({ apiHost: '0.0.0.0', authEnabled: true });
  });

  it('knows loopback from everything else', () => {
    expect(['127.0.0.1', '127.255.255.254', '::1', 'localhost'].every(isLoopbackHost)).toBe(true);
    expect(['0.0.0.0', '::', '127.0.0.1.example.com', '1127.0.0.1', '', 'localhost.'].some(isLoopbackHost)).toBe(false);
  });
});

describe('browser settings of the API', () => {
  it('allows no browser origin and answers to loopback names by default', () => {
    const c = loadConfig({});
    expect(c.apiAllowedOrigins).toEqual([]);
    expect(c.apiHostnames).toEqual(['localhost', '127.0.0.1', '::1']);
  });

  it('adds a specific bind address to the default names, but not a wildcard one', () => {
    const tokens = { SANDBOXD_API_TOKENS: 'backend:s3cr3t' };
    expect(loadConfig({ ...tokens, SANDBOXED_API_BIND: '10.0.0.5:9090' }).apiHostnames).toEqual(['localhost', '127.0.0.1', '::1', '10.0.0.5']);
    expect(loadConfig({ ...tokens, SANDBOXED_API_BIND: '[fd00::5]:9090' }).apiHostnames).toContain('fd00::5');
    expect(loadConfig({ ...tokens, SANDBOXED_API_BIND: '0.0.0.0:9090' }).apiHostnames).toEqual(['localhost', '127.0.0.1', '::1']);
    expect(loadConfig({ ...tokens, SANDBOXED_API_BIND: '[::]:9090' }).apiHostnames).toEqual(['localhost', '127.0.0.1', '::1']);
    expect(loadConfig({ SANDBOXED_API_BIND: '127.0.0.2:9090' }).apiHostnames).toContain('127.0.0.2');
  });

  it('takes the host names given instead of the default, lowercased, IPv6 without brackets', () => {
    const c = loadConfig({ SANDBOXD_API_HOSTNAMES: 'API.example.com, 127.0.0.1,[::1]' });
    expect(c.apiHostnames).toEqual(['api.example.com', '127.0.0.1', '::1']);
  });

  it.each(['api.example.com:9090', 'http://api.example.com', 'a b', '*.example.com'])('refuses the host name %j', (h) => {
    expect(() => loadConfig({ SANDBOXD_API_HOSTNAMES: h })).toThrowError(/^SANDBOXD_API_HOSTNAMES: /);
  });

  it('takes exact origins', () => {
    const c = loadConfig({ SANDBOXD_API_ALLOWED_ORIGINS: 'https://app.example.com, http://localhost:5173,http://[::1]:3000' });
    expect(c.apiAllowedOrigins).toEqual(['https://app.example.com', 'http://localhost:5173', 'http://[::1]:3000']);
  });

  it.each(['*', 'null', 'app.example.com', 'https://app.example.com/', 'https://app.example.com/admin', 'https://App.example.com', 'https://app.example.com:443', 'file:///x', 'ftp://x.example'])(
    'refuses the origin %j, naming the setting',
    (o) => {
      expect(() => loadConfig({ SANDBOXD_API_ALLOWED_ORIGINS: o })).toThrowError(/^SANDBOXD_API_ALLOWED_ORIGINS: /);
    },
  );
});

describe('the metrics listener', () => {
  it('is off by default and takes host:port', () => {
    expect(loadConfig({}).metricsBind).toBeNull();
    expect(loadConfig({ SANDBOXD_METRICS_BIND: '10.0.0.5:9464' }).metricsBind).toEqual({ host: '10.0.0.5', port: 9464 });
    expect(loadConfig({ SANDBOXD_METRICS_BIND: '[::1]:9464' }).metricsBind).toEqual({ host: '::1', port: 9464 });
  });

  it.each(['9464', ':9464', 'host:port', 'host:70000'])('refuses %s', (bind) => {
    expect(() => loadConfig({ SANDBOXD_METRICS_BIND: bind })).toThrow(/^SANDBOXD_METRICS_BIND: .* must be host:port$/);
  });
});
