/**
 * The dashboard's weight, from the build the daemon serves (dist/ui, made by
 * the global set-up as by the image build): the JavaScript a first visit
 * loads stays under 250 kB gzipped, and the terminal (xterm.js) and the editor
 * (CodeMirror) are chunks of their own that only a dynamic import reaches.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const DIST = path.resolve(import.meta.dirname, '..', '..', 'dist', 'ui');
const BUDGET = 250 * 1000;

interface Chunk {
  file: string;
  isEntry?: boolean;
  isDynamicEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
}

const manifest = JSON.parse(readFileSync(path.join(DIST, '.vite', 'manifest.json'), 'utf8')) as Record<string, Chunk>;
const gzipped = (file: string) => gzipSync(readFileSync(path.join(DIST, file)), { level: 9 }).length;

/** Every chunk a key loads without a dynamic import: itself and its static imports, transitively. */
function staticClosure(key: string, seen = new Set<string>()): Set<string> {
  if (seen.has(key)) return seen;
  seen.add(key);
  for (const k of manifest[key]?.imports ?? []) staticClosure(k, seen);
  return seen;
}

describe('dashboard bundle', () => {
  it('loads under 250 kB of gzipped JavaScript on a first visit; the terminal and the editor load on demand', () => {
    const entries = Object.keys(manifest).filter((k) => manifest[k].isEntry);
    expect(entries).toEqual(['index.html']);
    const first = staticClosure('index.html');
    const firstBytes = [...first].reduce((n, k) => n + gzipped(manifest[k].file), 0);
    console.log(`dashboard JS, first visit: ${(firstBytes / 1000).toFixed(1)} kB gzipped (${[...first].map((k) => manifest[k].file).join(', ')})`);
    expect(firstBytes).toBeLessThan(BUDGET);

    for (const lazy of ['src/lazy/terminal.ts', 'src/lazy/editor.ts']) {
      expect(manifest[lazy]?.isDynamicEntry, lazy).toBe(true);
      expect(first.has(lazy), `${lazy} is loaded on a first visit`).toBe(false);
      console.log(`  on demand: ${manifest[lazy].file} ${(gzipped(manifest[lazy].file) / 1000).toFixed(1)} kB gzipped`);
    }
    // Big libraries live in their chunks, not in the first load.
    const firstText = [...first].map((k) => readFileSync(path.join(DIST, manifest[k].file), 'utf8')).join('\n');
    expect(firstText).not.toContain('xterm-helper-textarea');
    expect(firstText).not.toContain('cm-content');
  });
});
