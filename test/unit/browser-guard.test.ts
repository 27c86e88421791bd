/** The browser guard's decisions, one request at a time (the real daemon and browser: test/security/api-browser.test.ts). */
import { describe, expect, it } from 'vitest';
import { checkBody, checkHost, checkOrigin, hostOf, type RequestView } from '../../src/http/browser-guard.js';

const policy = { allowedOrigins: ['https://app.example.com'], hostnames: ['localhost', '127.0.0.1', '::1'] };

function view(headers: Record<string, string>, method = 'POST', route: string | undefined = '/v1/sandboxes/:id/stop'): RequestView {
  return { method, route, headers };
}

describe('Host', () => {
  it.each([
    ['localhost:9090', 'localhost'],
    ['127.0.0.1', '127.0.0.1'],
    ['[::1]:9090', '::1'],
    ['LocalHost:1', 'localhost'],
    ['evil.example:9090', 'evil.example'],
    ['evil@127.0.0.1', null],
    ['127.0.0.1:9090/x', null],
    ['::1', null],
  ])('reads %j as %j', (h, want) => {
    expect(hostOf(h)).toBe(want);
  });

  it.each(['localhost:9090', '127.0.0.1:1234', '[::1]:9090'])('passes %j', (host) => {
    expect(checkHost(view({ host }), policy)).toBeNull();
  });

  it.each(['evil.example:9090', 'localhost.', 'evil@127.0.0.1', '', '127.0.0.2'])('refuses %j with 421 naming the setting', (host) => {
    expect(checkHost(view({ host }), policy)).toMatchObject({ status: 421, error: expect.stringContaining('SANDBOXD_API_HOSTNAMES') });
  });

  it('refuses a request without Host (HTTP/1.0)', () => {
    expect(checkHost(view({}), policy)?.status).toBe(421);
  });
});

describe('Origin and Sec-Fetch-Site', () => {
  it.each<Record<string, string>>([{}, { 'sec-fetch-site': 'none' }, { 'sec-fetch-site': 'same-origin' }, { origin: 'https://app.example.com', 'sec-fetch-site': 'cross-site' }])(
    'passes %j',
    (headers) => {
      expect(checkOrigin(view(headers), policy)).toBeNull();
    },
  );

  it.each([
    [{ origin: 'http://s-x-3000.preview.localhost:8080' }, 'http://s-x-3000.preview.localhost:8080'],
    [{ origin: 'null' }, '"null"'],
    [{ origin: 'https://app.example.com.evil.example' }, 'app.example.com.evil.example'],
    [{ 'sec-fetch-site': 'cross-site' }, 'cross-site'],
    [{ 'sec-fetch-site': 'same-site' }, 'same-site'],
  ])('refuses %j with 403 naming it and the setting', (headers, named) => {
    const r = checkOrigin(view(headers), policy);
    expect(r?.status).toBe(403);
    expect(r?.error).toContain(named);
    expect(r?.error).toContain('SANDBOXD_API_ALLOWED_ORIGINS');
  });
});

describe('request bodies', () => {
  it.each([
    ['a bodiless POST', view({})],
    ['a bodiless POST with content-length 0', view({ 'content-length': '0' })],
    ['JSON', view({ 'content-type': 'application/json', 'content-length': '2' })],
    ['JSON with a charset', view({ 'content-type': 'Application/JSON; charset=utf-8', 'content-length': '2' })],
    ['an empty JSON POST', view({ 'content-type': 'application/json' })],
    ['bytes on a raw upload', view({ 'content-type': 'application/octet-stream', 'content-length': '5' }, 'PUT', '/v1/sandboxes/:id/files/raw')],
    ['bytes on the files PUT', view({ 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' }, 'PUT', '/sandbox/:id/files')],
    ['untyped bytes on a raw upload', view({ 'content-length': '5' }, 'PUT', '/sandbox/:id/files/raw')],
    ['a GET with any type', view({ 'content-type': 'text/plain', 'content-length': '5' }, 'GET')],
  ])('passes %s', (_name, v) => {
    expect(checkBody(v)).toBeNull();
  });

  it.each([
    ['a form', view({ 'content-type': 'application/x-www-form-urlencoded', 'content-length': '3' }), 'application/x-www-form-urlencoded'],
    ['a multipart form', view({ 'content-type': 'multipart/form-data; boundary=x', 'content-length': '9' }), 'multipart/form-data'],
    ['text/plain', view({ 'content-type': 'text/plain;charset=UTF-8', 'content-length': '9' }), 'text/plain'],
    ['text/plain without a body', view({ 'content-type': 'text/plain' }), 'text/plain'],
    ['text/plain on a raw upload', view({ 'content-type': 'text/plain', 'content-length': '1' }, 'PUT', '/v1/sandboxes/:id/files/raw'), 'text/plain'],
    ['an untyped body', view({ 'content-length': '9' }), 'application/json'],
    ['bytes outside the uploads', view({ 'content-type': 'application/octet-stream', 'content-length': '9' }), 'application/octet-stream'],
    ['bytes on a POST to a files path', view({ 'content-type': 'application/octet-stream', 'content-length': '9' }, 'POST', '/sandbox/:id/files'), 'application/octet-stream'],
    ['an image on a raw upload', view({ 'content-type': 'image/png', 'content-length': '9' }, 'PUT', '/sandbox/:id/files/raw'), 'image/png'],
  ])('refuses %s with 415 naming the type', (_name, v, named) => {
    const r = checkBody(v);
    expect(r?.status).toBe(415);
    expect(r?.error).toContain(named);
  });
});
