/**
 * The SDK's types from the OpenAPI document (`npm run sdk:types`): writes
 * sdk/src/generated/api.ts with openapi-typescript. The original paths are left
 * out (they are the /v1 routes again under another name). A unit test
 * (test/unit/sdk-types.test.ts) fails when the committed file is stale.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import { openApiDocument } from './lib/openapi-document.js';

export const SDK_TYPES_FILE = path.resolve(import.meta.dirname, '../sdk/src/generated/api.ts');

const HEADER = `/**
 * Generated from the daemon's OpenAPI document by \`npm run sdk:types\`
 * (openapi-typescript). Do not edit: change the routes, then regenerate.
 */
`;

type Doc = Record<string, unknown> & { paths: Record<string, Record<string, { tags?: string[] }>> };

/** The document without its legacy operations. */
function withoutLegacy(doc: Doc): Doc {
  const paths: Doc['paths'] = {};
  for (const [p, item] of Object.entries(doc.paths)) {
    const kept = Object.entries(item).filter(([, op]) => !(op.tags ?? []).includes('legacy'));
    if (kept.length > 0) paths[p] = Object.fromEntries(kept);
  }
  return { ...doc, paths };
}

export async function sdkTypes(doc: Record<string, unknown>): Promise<string> {
  // A default makes a field optional to send, not required (openapi-typescript assumes the answer side).
  const ast = await openapiTS(withoutLegacy(doc as Doc) as unknown as Parameters<typeof openapiTS>[0], { defaultNonNullable: false });
  return HEADER + astToString(ast);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  writeFileSync(SDK_TYPES_FILE, await sdkTypes(await openApiDocument()));
  process.stdout.write(`wrote ${path.relative(process.cwd(), SDK_TYPES_FILE)}\n`, () => process.exit(0));
}
