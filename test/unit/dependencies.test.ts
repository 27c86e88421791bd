/**
 * package.json says what src/ needs: every runtime dependency is imported by
 * src/ (dependency-cruiser resolves the imports), and src/ imports no
 * devDependency (also a rule in .dependency-cruiser.cjs, run by `npm run lint`).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { cruise, type ICruiseOptions } from 'dependency-cruiser';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };

/** The npm packages src/ imports, by package name. */
async function importedPackages(): Promise<Set<string>> {
  // The same resolution as `npm run lint` (package exports, type imports).
  const { options } = createRequire(import.meta.url)(path.join(ROOT, '.dependency-cruiser.cjs')) as { options: ICruiseOptions };
  const result = await cruise(['src'], { ...options, ruleSet: undefined }, undefined, {
    tsConfig: { fileName: path.join(ROOT, 'tsconfig.json') },
  });
  if (typeof result.output === 'string') throw new Error('unexpected string output from dependency-cruiser');
  const names = new Set<string>();
  for (const mod of result.output.modules) {
    for (const dep of mod.dependencies) {
      if (!dep.dependencyTypes.some((t) => t.startsWith('npm'))) continue;
      const m = /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(dep.resolved);
      if (m) names.add(m[1]);
    }
  }
  return names;
}

describe('package.json', () => {
  it('lists only runtime dependencies that src/ imports', async () => {
    const imported = await importedPackages();
    const unused = Object.keys(pkg.dependencies).filter((name) => !imported.has(name));
    expect(unused).toEqual([]);
  });
});
