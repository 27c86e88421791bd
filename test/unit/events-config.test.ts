/** The image allowlist and webhook settings, event type filters, retry timing and signatures: pure decisions, table-tested. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { parseImages, parseWebhooks } from '../../src/config-events.js';
import { EVENT_TYPES, matchesTypes, parseTypeFilter } from '../../src/domain/event.js';
import { decideRetry, MAX_BACKOFF_MS } from '../../src/events/retry.js';
import { sign } from '../../src/events/signature.js';
import { allowedImage } from '../../src/sandboxes/images.js';
import { canServe, pooledSpec } from '../../src/sandboxes/pool.js';

describe('SANDBOXD_IMAGES', () => {
  it('maps names to references, the default first, aliases allowed', () => {
    expect(parseImages(undefined, 'sandboxed/sandbox:latest')).toEqual({ default: 'sandboxed/sandbox:latest' });
    expect(parseImages(' node=sandboxed/sandbox:latest , python=my/python:1,pinned=my/x@sha256:abc ', 'sandboxed/sandbox:latest')).toEqual({
      default: 'sandboxed/sandbox:latest',
      node: 'sandboxed/sandbox:latest',
      python: 'my/python:1',
      pinned: 'my/x@sha256:abc',
    });
  });

  it.each([
    ['python', /must be name=image/],
    ['default=other:1', /SANDBOXD_IMAGE; set that instead/],
    ['Py=my/python:1', /lowercase letters/],
    ['py=my python:1', /not an image reference/],
    ['py=', /not an image reference/],
    ['py=a:1,py=b:1', /appears twice/],
  ])('refuses %s', (value, message) => {
    expect(() => parseImages(value, 'base:1')).toThrowError(message);
    expect(() => loadConfig({ SANDBOXD_IMAGES: value })).toThrowError(/^SANDBOXD_IMAGES/);
  });

  it('lets a create name only what is on the list (400 otherwise)', () => {
    const cfg = { images: { default: 'a:1', python: 'b:1' } };
    expect(allowedImage(undefined, cfg)).toBe('default');
    expect(allowedImage('python', cfg)).toBe('python');
    expect(() => allowedImage('ruby', cfg)).toThrowError('image: "ruby" is not one of default, python (SANDBOXD_IMAGES)');
    expect(() => allowedImage('toString', cfg)).toThrowError(/not one of/);
  });
});

describe('the warm pool and images', () => {
  it('serves only the default image (its containers are made from it)', () => {
    const cfg = { defaultDiskMb: 5120, defaultMemoryMb: 512, defaultCpus: 1, defaultRuntime: 'runc' as const };
    const spec = pooledSpec(cfg);
    expect(canServe(spec, cfg, false)).toBe(true);
    expect(canServe(spec, cfg, false, 'default')).toBe(true);
    expect(canServe(spec, cfg, false, 'python')).toBe(false);
  });
});

describe('SANDBOXD_WEBHOOKS', () => {
  const secret = 'whsec-0123456789abcdef';

  it('reads entries of key=value fields, separated by ; or new lines', () => {
    const hooks = parseWebhooks(`name=billing url=https://billing.example.com/h?x=1 events=sandbox.*,task.failed secret=${secret};\n name=ops  url=http://10.0.0.5:8080/e secret=${secret}x\n`);
    expect(hooks).toEqual([
      { name: 'billing', url: 'https://billing.example.com/h?x=1', events: ['sandbox.*', 'task.failed'], secret },
      { name: 'ops', url: 'http://10.0.0.5:8080/e', events: [], secret: `${secret}x` },
    ]);
    expect(loadConfig({ SANDBOXD_WEBHOOKS: `name=a url=http://h/ secret=${secret}` }).webhooks).toHaveLength(1);
    expect(parseWebhooks('  ')).toEqual([]);
  });

  it.each([
    [`url=http://h/ secret=${secret}`, /entry 1: name must be/],
    [`name=a secret=${secret}`, /a: url is missing/],
    [`name=a url=ftp://h/ secret=${secret}`, /url must be http or https/],
    [`name=a url=nota-url secret=${secret}`, /url is not a URL/],
    ['name=a url=http://h/ secret=short', /secret must be at least 16 characters/],
    [`name=a url=http://h/ events=sandbox.nope secret=${secret}`, /"sandbox.nope" is not an event type/],
    [`name=a url=http://h/ token=x secret=${secret}`, /unknown field "token"/],
    [`name=a url=http://h/ secret=${secret} secret=${secret}`, /secret appears twice/],
    [`name=a url=http://h/ secret=${secret}; name=a url=http://g/ secret=${secret}`, /name "a" appears twice/],
  ])('refuses %s without repeating the secret', (value, message) => {
    let error = '';
    try {
      loadConfig({ SANDBOXD_WEBHOOKS: value });
    } catch (err) {
      error = (err as Error).message;
    }
    expect(error).toMatch(/^SANDBOXD_WEBHOOKS: /);
    expect(error).toMatch(message);
    expect(error).not.toContain(secret);
  });
});

describe('event type filters', () => {
  it.each([
    ['sandbox.created', 'sandbox.created'],
    ['sandbox.*', 'sandbox.*'],
    [' task.* ', 'task.*'],
    ['wake.*', 'wake.*'],
    ['*', '*'],
    ['sandbox.nope', null],
    ['nope.*', null],
    ['sandbox', null],
    ['', null],
  ])('%j parses to %j', (text, parsed) => {
    expect(parseTypeFilter(text)).toBe(parsed);
  });

  it.each([
    [[], 'task.failed', true],
    [['*'], 'wake.refused', true],
    [['sandbox.*'], 'sandbox.purged', true],
    [['sandbox.*'], 'task.started', false],
    [['task.failed', 'sandbox.created'], 'sandbox.created', true],
    [['task.failed'], 'task.succeeded', false],
  ] as const)('%j lets %s through: %s', (filters, type, passes) => {
    expect(matchesTypes(filters, type)).toBe(passes);
  });

  it('knows every type the issue names', () => {
    expect(EVENT_TYPES).toEqual([
      'sandbox.created', 'sandbox.started', 'sandbox.stopped', 'sandbox.deleted', 'sandbox.purged', 'sandbox.expired', 'sandbox.failed',
      'task.started', 'task.succeeded', 'task.failed', 'wake.refused',
    ]);
  });
});

describe('decideRetry', () => {
  const created = 1_000_000;
  const hour = 3600_000;
  it.each([
    // attempts made, now, jitter → next attempt at
    [1, created, 0.5, created + 1000],
    [2, created + 1000, 0.5, created + 1000 + 2000],
    [3, created + 3000, 0, created + 3000 + 3200],
    [3, created + 3000, 0.999, created + 3000 + 4798],
    [20, created + 1000, 0.5, created + 1000 + MAX_BACKOFF_MS],
    [500, created + 1000, 0.5, created + 1000 + MAX_BACKOFF_MS],
  ])('after %i attempts at %i (jitter %d): again at %i', (attempts, now, jitter, at) => {
    expect(decideRetry(attempts, created, now, hour, jitter)).toEqual({ kind: 'retry', at });
  });

  it('tries once more at the deadline, then gives up', () => {
    expect(decideRetry(12, created, created + hour - 5000, hour, 0.5)).toEqual({ kind: 'retry', at: created + hour });
    expect(decideRetry(13, created, created + hour, hour, 0.5)).toEqual({ kind: 'give-up' });
    expect(decideRetry(1, created, created + 2 * hour, hour, 0.5)).toEqual({ kind: 'give-up' });
  });
});

describe('webhook signatures', () => {
  it('are HMAC-SHA256 over "<timestamp>.<body>", hex, as v1=', () => {
    // Computed independently (Python's hmac module) for this secret, timestamp and body.
    expect(sign('whsec-test-0123456789', 1700000000, '{"id":1,"type":"sandbox.created"}')).toBe('v1=8c90cc4efe8c750ff48f06740f06c77cc2658daa89b678cb4e06b20be97e1c43');
  });
});
