/** The import rules of ARCHITECTURE.md, checked on the source itself. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../../src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*import\s[^'"]*['"]([^'"]+)['"]/gm)].map((m) => m[1]);
}

const all = files(SRC).map((f) => ({ rel: path.relative(SRC, f), imports: importsOf(f) }));

describe('import rules', () => {
  it.each([
    ['better-sqlite3', 'store/'],
    ['dockerode', 'docker/'],
  ])('only src/%s\'s owner imports %s', (pkg, owner) => {
    const offenders = all.filter((f) => f.imports.includes(pkg) && !f.rel.startsWith(owner)).map((f) => f.rel);
    expect(offenders).toEqual([]);
  });

  it('services, loops, store, docker and workspaces never import Fastify', () => {
    const offenders = all
      .filter((f) => /^(sandboxes|loops|store|docker|workspaces|tasks)\//.test(f.rel))
      .filter((f) => f.imports.some((i) => i === 'fastify' || i.startsWith('@fastify/') || i.includes('/http/')))
      .map((f) => f.rel);
    expect(offenders).toEqual([]);
  });

  it('only config.ts reads process.env', () => {
    const offenders = files(SRC)
      .filter((f) => !f.endsWith('config.ts') && !f.endsWith('main.ts'))
      .filter((f) => /process\.env\b/.test(readFileSync(f, 'utf8')))
      .map((f) => path.relative(SRC, f));
    expect(offenders).toEqual([]);
  });

  it('the daemon never runs the docker CLI', () => {
    const offenders = files(SRC)
      .filter((f) => /(execFile|spawn|exec)(Sync)?\(\s*['"]docker['"]/.test(readFileSync(f, 'utf8')))
      .map((f) => path.relative(SRC, f));
    expect(offenders).toEqual([]);
  });
});
