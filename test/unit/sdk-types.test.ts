/**
 * The SDK's types are the routes' own: sdk/src/generated/api.ts is what
 * `npm run sdk:types` makes from the OpenAPI document of the source tree, so a
 * route changed without regenerating fails here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../scripts/lib/openapi-document.js';
import { SDK_TYPES_FILE, sdkTypes } from '../../scripts/sdk-types.js';

describe('sdk/src/generated/api.ts', () => {
  it('is what npm run sdk:types generates from the routes now (run it after changing a route)', async () => {
    const fresh = await sdkTypes(await openApiDocument());
    expect(readFileSync(SDK_TYPES_FILE, 'utf8') === fresh, 'sdk/src/generated/api.ts is stale: run `npm run sdk:types`').toBe(true);
  });

  it('covers every /v1 operation of the document and none of the legacy paths', async () => {
    const doc = (await openApiDocument()) as { paths: Record<string, Record<string, { operationId: string; tags: string[] }>> };
    const generated = readFileSync(SDK_TYPES_FILE, 'utf8');
    for (const item of Object.values(doc.paths)) {
      for (const op of Object.values(item)) {
        const listed = generated.includes(`    ${op.operationId}: {`);
        expect(listed, op.operationId).toBe(!op.tags.includes('legacy'));
      }
    }
  });
});
