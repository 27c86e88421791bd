/**
 * Attack: hostile metadata and filters from a client. Huge keys and values,
 * many keys, a body full of them, the reserved `sandboxed.` prefix (any
 * case, at create and PATCH, set or removed), control characters and NUL,
 * lone surrogates, `__proto__`, and SQL in filter keys and values. Each is
 * refused with a 400 naming the field (or stored harmlessly, for `__proto__`,
 * which the schema layer drops), nothing is written, a neighbour sandbox and
 * its metadata are untouched, and the daemon keeps answering.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, uniqueId, type TestDaemon } from '../helpers/daemon.js';

let d: TestDaemon;
const NEIGHBOUR = uniqueId('nb');
const TARGET = uniqueId('tg');

beforeAll(async () => {
  d = await startTestDaemon();
  expect((await d.api('POST', '/v1/sandboxes', { id: NEIGHBOUR, metadata: { user: '42', name: 'ünïcödé 😀' } })).status).toBe(201);
  expect((await d.api('POST', '/v1/sandboxes', { id: TARGET, metadata: { user: '43' } })).status).toBe(201);
});

afterAll(async () => {
  await d?.dispose();
});

const many = (n: number, value = 'v') => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, value]));

describe('hostile metadata at create', () => {
  it.each([
    ['a huge key', { ['k'.repeat(10_000)]: 'v' }, /^body.metadata.k{64}: key "k{64}" must be 1-64/],
    ['a key of 65', { ['k'.repeat(65)]: 'v' }, /must be 1-64/],
    ['an empty key', { '': 'v' }, /must be 1-64/],
    ['a key with NUL', { 'a\0b': 'v' }, /must be 1-64/],
    ['a key with a space', { 'a b': 'v' }, /must be 1-64/],
    ['a unicode key', { ключ: 'v' }, /must be 1-64/],
    ['a key with SQL', { "a'--": 'v' }, /must be 1-64/],
    ['a dot first', { '.x': 'v' }, /starting with a letter or digit/],
    ['the owner key', { 'sandboxed.owner': 'admin' }, /reserved/],
    ['the owner key in capitals', { 'SANDBOXED.OWNER': 'admin' }, /reserved/],
    ['any reserved key', { 'sandboxed.anything': 'x' }, /reserved/],
    ['a huge value', { k: 'v'.repeat(900_000) }, /^body.metadata.k: /],
    ['a value of 513 bytes', { k: 'é'.repeat(257) }, /at most 512 bytes/],
    ['NUL in a value', { k: 'a\0b' }, /control characters/],
    ['an escape sequence', { k: '\u001b[31mred' }, /control characters/],
    ['a newline', { k: 'a\nb' }, /control characters/],
    ['a lone surrogate', { k: '\ud83d' }, /lone surrogates/],
    ['65 keys', many(65), /at most 64 keys/],
    ['10,000 keys', many(10_000), /at most 64 keys/],
    ['17 KiB in all', many(34, 'v'.repeat(500)), /at most 16384 bytes/],
    ['a number for a value', { k: 42 }, /^body.metadata.k/],
    ['an object for a value', { k: { nested: 'x' } }, /^body.metadata.k/],
    ['an array for metadata', ['a'], /^body.metadata/],
  ])('refuses %s with a 400 and writes nothing', async (_what, metadata, problem) => {
    const id = uniqueId('hx');
    const r = await d.api('POST', '/v1/sandboxes', { id, metadata });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(problem);
    expect(r.body.error.length).toBeLessThan(2000);
    expect((await d.api('GET', `/v1/sandboxes/${id}`)).status).toBe(404);
  });

  it('drops __proto__ without touching any object, and keeps a plain "constructor" key', async () => {
    const id = uniqueId('pr');
    const r = await d.api('POST', '/v1/sandboxes', `{"id":"${id}","metadata":{"__proto__":{"polluted":"yes"},"constructor":"c","a":"b"}}`);
    expect(r.status).toBe(201);
    expect(r.body.metadata).toEqual({ a: 'b', constructor: 'c' });
    const other = await d.api('POST', '/v1/sandboxes', { id: uniqueId('pr') });
    expect(other.body.metadata).toEqual({});
    expect(other.body).not.toHaveProperty('polluted');
    expect((await d.api('GET', '/v1/sandboxes?metadata.polluted=yes')).body.count).toBe(0);
    for (const x of [id, other.body.id]) expect((await d.api('DELETE', `/v1/sandboxes/${x}`)).status).toBe(200);
  });
});

describe('hostile metadata in a PATCH', () => {
  it.each([
    ['removing the owner', { 'sandboxed.owner': null }, /reserved/],
    ['setting the owner', { 'Sandboxed.owner': 'x' }, /reserved/],
    ['NUL', { user: '\0' }, /control characters/],
    ['65 keys in the result', many(64), /at most 64 keys/],
    ['129 keys in one change', Object.fromEntries(Array.from({ length: 129 }, (_, i) => [`k${i}`, null])), /at most 128 keys in one change/],
  ])('refuses %s and leaves the metadata as it was', async (_what, metadata, problem) => {
    const r = await d.api('PATCH', `/v1/sandboxes/${TARGET}`, { metadata });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(problem);
    expect((await d.api('GET', `/v1/sandboxes/${TARGET}`)).body.metadata).toEqual({ user: '43' });
  });
});

describe('hostile list filters', () => {
  it('matches SQL in a value literally, finding nothing', async () => {
    for (const v of ["' OR '1'='1", '42\' --', '%', '_', '*']) {
      const r = await d.api('GET', `/v1/sandboxes?metadata.user=${encodeURIComponent(v)}`);
      expect(r.status).toBe(200);
      expect(r.body.count).toBe(0);
    }
  });

  it('finds a unicode value exactly', async () => {
    const r = await d.api('GET', `/v1/sandboxes?metadata.name=${encodeURIComponent('ünïcödé 😀')}`);
    expect(r.body.sandboxes.map((s: any) => s.id)).toEqual([NEIGHBOUR]);
    expect((await d.api('GET', `/v1/sandboxes?metadata.name=${encodeURIComponent('ünïcödé')}`)).body.count).toBe(0);
  });

  it.each([
    ["metadata.user'--=1", /querystring.metadata.user'--: key/],
    ['metadata.a%00b=1', /^querystring.metadata.a.b: key "a.b" must be 1-64/],
    [`metadata.${'k'.repeat(65)}=1`, /must be 1-64/],
    [`metadata.user=${'v'.repeat(513)}`, /values are at most 512 bytes/],
    ['metadata.user[]=1', /querystring.metadata.user\[\]: key/],
  ])('refuses ?%s with a 400', async (query, problem) => {
    const r = await d.api('GET', `/v1/sandboxes?${query}`);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(problem);
  });
});

describe('after all of it', () => {
  it('the neighbour and its metadata are untouched, and the daemon answers', async () => {
    const nb = await d.api('GET', `/v1/sandboxes/${NEIGHBOUR}`);
    expect(nb.body).toMatchObject({ status: 'running', metadata: { user: '42', name: 'ünïcödé 😀' } });
    expect((await d.api('GET', '/v1/sandboxes?metadata.user=42')).body.sandboxes.map((s: any) => s.id)).toEqual([NEIGHBOUR]);
    expect((await d.api('GET', '/readyz')).status).toBe(200);
  });
});
