import { describe, expect, it } from 'vitest';
import { ConfigError, hostNofileHardLimit, loadConfig, parseTokens } from '../../src/config.js';

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
    expect(c.tokens).toEqual([{ name: 'ci', secret: 's3cr3t' }]);
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
      { name: 'app', secret: 'YWJj:ZA==' },
      { name: 'ops', secret: 'x=y=' },
    ]);
  });

  it.each(['app:', ':secret', 'app', 'a:b,a:c', 'app=secret'])('rejects %j', (raw) => {
    expect(() => parseTokens(raw)).toThrow(/SANDBOXD_API_TOKENS/);
  });
});

describe('hostNofileHardLimit', () => {
  it('reads the hard column of "Max open files"', () => {
    const text = 'Limit Soft Limit Hard Limit Units\nMax open files            1024                 20000                files\n';
    expect(hostNofileHardLimit(text)).toBe(20000);
  });
});
