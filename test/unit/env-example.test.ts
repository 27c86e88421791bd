/** .env.example stays true: every variable config.ts (and its sections) reads is documented there, with its default. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const example = readFileSync(path.join(ROOT, '.env.example'), 'utf8');
const documented = new Map(
  [...example.matchAll(/^([A-Z][A-Z0-9_]+)=(.*)$/gm)].map((m) => [m[1], m[2]] as const),
);
const source = ['src/config.ts', 'src/config-sections.ts', 'src/config-events.ts'].map((f) => readFileSync(path.join(ROOT, f), 'utf8')).join('\n');
const read = new Set([...source.matchAll(/\(env, '([A-Z][A-Z0-9_]+)'/g)].map((m) => m[1]));

describe('.env.example', () => {
  it('documents every variable the daemon reads', () => {
    const missing = [...read].filter((v) => !documented.has(v) && v !== 'SANDBOXED_API_BIND');
    expect(missing).toEqual([]);
    expect(documented.has('SANDBOXED_API_BIND')).toBe(true);
  });

  it('lists no variable the daemon ignores', () => {
    const unknown = [...documented.keys()].filter((v) => !read.has(v) && v !== 'SANDBOXED_API_BIND');
    expect(unknown).toEqual([]);
  });

  it('gives the same defaults as the code: loading it as-is changes nothing', () => {
    const fromFile = loadConfig(Object.fromEntries(documented));
    const fromNothing = loadConfig({});
    expect(fromFile).toEqual(fromNothing);
  });
});
