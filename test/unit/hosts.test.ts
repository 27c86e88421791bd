import { describe, expect, it } from 'vitest';
import { parsePreviewHost, previewHost, previewUrl } from '../../src/edge/hosts.js';

describe('preview hosts', () => {
  it('formats and parses back the same target', () => {
    for (const [id, port] of [['abc', 3000], ['my-app-2', 5173], ['01hz8k', 1], ['a-b-c', 65535]] as const) {
      expect(parsePreviewHost(previewHost(id, port, 'example.com'), 'example.com')).toEqual({ id, port });
    }
  });

  it.each([
    ['browsers lower-case hosts; ids match anyway', 'S-MyApp-3000.Preview.Example.COM', { id: 'myapp', port: 3000 }],
    ['the port of the Host header is ignored', 's-abc-3000.preview.example.com:8080', { id: 'abc', port: 3000 }],
    ['a trailing dot (FQDN) is accepted', 's-abc-3000.preview.example.com.', { id: 'abc', port: 3000 }],
    ['the last dash group is the port', 's-my-app-2-8080.preview.example.com', { id: 'my-app-2', port: 8080 }],
  ])('%s', (_name, host, want) => {
    expect(parsePreviewHost(host, 'example.com')).toEqual(want);
  });

  it.each([
    ['no Host header', undefined],
    ['another domain', 's-abc-3000.preview.other.com'],
    ['the bare preview domain', 'preview.example.com'],
    ['the control-plane-looking host', 'api.preview.example.com'],
    ['no port group', 's-abc.preview.example.com'],
    ['port 0', 's-abc-0.preview.example.com'],
    ['port above 65535', 's-abc-70000.preview.example.com'],
    ['an id with a double dash', 's-a--b-3000.preview.example.com'],
    ['an id with dots (a deeper host)', 's-x.y-3000.preview.example.com'],
    ['a path-looking id', 's-..%2f-3000.preview.example.com'],
    ['an id longer than 40 characters', `s-${'a'.repeat(41)}-3000.preview.example.com`],
    ['a suffix attack', 's-abc-3000.preview.example.com.evil.net'],
  ])('rejects %s', (_name, host) => {
    expect(parsePreviewHost(host, 'example.com')).toBeNull();
  });

  it.each([
    [{ previewDomain: 'localhost', httpPort: 80, previewTls: false }, 'http://s-abc-3000.preview.localhost/'],
    [{ previewDomain: 'localhost', httpPort: 8080, previewTls: false }, 'http://s-abc-3000.preview.localhost:8080/'],
    [{ previewDomain: 'example.com', httpPort: 80, previewTls: true }, 'https://s-abc-3000.preview.example.com/'],
  ])('previewUrl(%o)', (cfg, want) => {
    expect(previewUrl('abc', 3000, cfg)).toBe(want);
  });
});
