/** Metadata bounds, the merge a PATCH does, and the quotas decided from usage: pure functions. */
import { describe, expect, it } from 'vitest';
import {
  clientMetadata,
  mergeMetadata,
  METADATA_MAX_KEYS,
  METADATA_MAX_TOTAL_BYTES,
  METADATA_VALUE_MAX_BYTES,
  metadataKeyProblem,
  metadataProblem,
  metadataValueProblem,
} from '../../src/domain/metadata.js';
import { mayAct, OPERATOR, type Principal } from '../../src/domain/principal.js';
import { sandboxQuotaProblem, taskQuotaProblem } from '../../src/sandboxes/quota.js';

describe('metadata keys', () => {
  it.each(['user', 'user_id', 'a', 'app.example.com/tenant', 'K-9', '0', 'x'.repeat(64)])('takes %j', (k) => {
    expect(metadataKeyProblem(k)).toBeNull();
  });

  it.each([
    ['', /must be 1-64/],
    ['x'.repeat(65), /must be 1-64/],
    ['__proto__', /starting with a letter or digit/],
    ['.hidden', /starting with a letter or digit/],
    ['a b', /must be 1-64/],
    ['ключ', /must be 1-64/],
    ['a\0b', /must be 1-64/],
    ['sandboxed.owner', /reserved/],
    ['Sandboxed.Owner', /reserved/],
    ['sandboxed.anything', /reserved/],
  ])('refuses %j', (k, problem) => {
    expect(metadataKeyProblem(k)).toMatch(problem);
  });
});

describe('metadata values', () => {
  it.each(['', '42', 'ünïcödé ✓', '😀'.repeat(128), 'x'.repeat(METADATA_VALUE_MAX_BYTES)])('takes %j', (v) => {
    expect(metadataValueProblem(v)).toBeNull();
  });

  it.each([
    ['x'.repeat(METADATA_VALUE_MAX_BYTES + 1), /at most 512 bytes/],
    // 129 four-byte characters: 258 UTF-16 units, 516 bytes.
    ['😀'.repeat(129), /at most 512 bytes/],
    ['a\0b', /control characters/],
    ['line\nbreak', /control characters/],
    ['\u007f', /control characters/],
    ['\u0085', /control characters/],
    ['\ud800', /lone surrogates/],
    ['x\udc00y', /lone surrogates/],
  ])('refuses %j', (v, problem) => {
    expect(metadataValueProblem(v)).toMatch(problem);
  });
});

describe('a metadata map', () => {
  const many = (n: number, value = 'v') => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, value]));

  it('holds 64 keys, not 65; reserved keys do not count', () => {
    expect(metadataProblem(many(METADATA_MAX_KEYS))).toBeNull();
    expect(metadataProblem(many(METADATA_MAX_KEYS + 1))).toMatch(/at most 64 keys/);
    expect(metadataProblem({ ...many(METADATA_MAX_KEYS), 'sandboxed.owner': 'a' })).toBeNull();
  });

  it('holds 16 KiB of keys and values together', () => {
    // Keys of 2-3 bytes and 500-byte values: 32 take 16,086 bytes, 33 take 16,589.
    expect(metadataProblem(many(33, 'v'.repeat(500)))).toMatch(new RegExp(`at most ${METADATA_MAX_TOTAL_BYTES} bytes`));
    expect(metadataProblem(many(32, 'v'.repeat(500)))).toBeNull();
  });

  it('merges a PATCH: strings set, null removes, reserved keys stay whatever it says', () => {
    const current = { user: '42', plan: 'free', 'sandboxed.owner': 'a' };
    expect(mergeMetadata(current, { plan: 'pro', user: null, team: 'x', 'sandboxed.owner': 'b' })).toEqual({ plan: 'pro', team: 'x', 'sandboxed.owner': 'a' });
    expect(mergeMetadata(current, { 'sandboxed.owner': null })).toEqual(current);
    expect(clientMetadata(current)).toEqual({ user: '42', plan: 'free' });
  });
});

describe('who may act on a sandbox', () => {
  const a: Principal = { owner: 'a', admin: false, limits: {} };
  it.each([
    [OPERATOR, {}, true],
    [OPERATOR, { 'sandboxed.owner': 'b' }, true],
    [{ ...a, admin: true }, { 'sandboxed.owner': 'b' }, true],
    [a, { 'sandboxed.owner': 'a' }, true],
    [a, { 'sandboxed.owner': 'b' }, false],
    [a, {}, false],
    [a, { owner: 'a' }, false],
  ])('%j on %j: %s', (p, md, want) => {
    expect(mayAct(p, md)).toBe(want);
  });
});

describe('quotas', () => {
  it.each([
    [{}, { sandboxes: 100, memoryMb: 100_000 }, 512, null],
    [{ maxSandboxes: 2 }, { sandboxes: 1, memoryMb: 0 }, 512, null],
    [{ maxSandboxes: 2 }, { sandboxes: 2, memoryMb: 0 }, 512, /^quota max_sandboxes: token "a" may have 2 live sandboxes and has 2/],
    [{ maxSandboxes: 0 }, { sandboxes: 0, memoryMb: 0 }, 512, /^quota max_sandboxes/],
    [{ maxMemoryMb: 1024 }, { sandboxes: 1, memoryMb: 512 }, 512, null],
    [{ maxMemoryMb: 1024 }, { sandboxes: 1, memoryMb: 512 }, 513, /^quota max_memory_mb: token "a" may have 1024 MiB/],
    [{ maxSandboxes: 1, maxMemoryMb: 1 }, { sandboxes: 1, memoryMb: 0 }, 64, /^quota max_sandboxes/],
  ])('limits %j, usage %j, a new sandbox of %i MiB: %s', (limits, usage, memoryMb, want) => {
    const problem = sandboxQuotaProblem('a', limits, usage, memoryMb);
    if (want === null) expect(problem).toBeNull();
    else expect(problem).toMatch(want);
  });

  it('caps tasks queued or running', () => {
    expect(taskQuotaProblem('a', {}, 50)).toBeNull();
    expect(taskQuotaProblem('a', { maxRunningTasks: 2 }, 1)).toBeNull();
    expect(taskQuotaProblem('a', { maxRunningTasks: 2 }, 2)).toMatch(/^quota max_running_tasks: token "a" may have 2 tasks queued or running and has 2/);
  });
});
