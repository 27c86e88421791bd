/**
 * The last pass over the generated document: components hold only the
 * schemas the paths reach (zod's registry has every schema that has an id,
 * in an input and an output form), without zod's `$id`/`$schema` (its
 * fragment ids are not valid JSON Schema 2020-12); each error answer is one
 * shared response referenced by name; an optional body is marked so.
 */
import { createJsonSchemaTransformObject } from 'fastify-type-provider-zod';

type Json = Record<string, unknown>;
interface Operation {
  requestBody?: { required?: boolean };
  responses: Record<string, Json>;
  'x-body-optional'?: boolean;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas?: Record<string, Json>; responses?: Record<string, Json> };
}

const zodTransformObject = createJsonSchemaTransformObject({});

const ERROR_NAMES: Record<string, string> = {
  '400': 'BadRequest',
  '401': 'Unauthorized',
  '403': 'Forbidden',
  '404': 'NotFound',
  '409': 'Conflict',
  '413': 'PayloadTooLarge',
  '415': 'UnsupportedMediaType',
  '421': 'MisdirectedRequest',
  '429': 'TooManyRequests',
  '500': 'InternalError',
  '502': 'BadGateway',
  '503': 'ServiceUnavailable',
};

/** Error answers are the same on every route: one shared response each. */
function shareErrorResponses(responses: Record<string, Json>, shared: Record<string, Json>): void {
  for (const [status, response] of Object.entries(responses)) {
    const name = ERROR_NAMES[status];
    if (name === undefined) continue;
    shared[name] ??= response;
    responses[status] = { $ref: `#/components/responses/${name}` };
  }
}

/** Every schema name a `$ref` reaches from `node`, following the schemas themselves. */
function collectRefs(node: unknown, schemas: Record<string, Json>, seen: Set<string>): void {
  if (Array.isArray(node)) return node.forEach((n) => collectRefs(n, schemas, seen));
  if (node === null || typeof node !== 'object') return;
  for (const [k, v] of Object.entries(node)) {
    if (k === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/')) {
      const name = v.slice('#/components/schemas/'.length);
      if (!seen.has(name)) {
        seen.add(name);
        collectRefs(schemas[name], schemas, seen);
      }
    } else collectRefs(v, schemas, seen);
  }
}

export function transformObject(input: Parameters<typeof zodTransformObject>[0]): ReturnType<typeof zodTransformObject> {
  const doc = zodTransformObject(input) as unknown as Document;
  const schemas = doc.components.schemas ?? {};
  const used = new Set<string>();
  collectRefs(doc.paths, schemas, used);
  doc.components.schemas = Object.fromEntries(
    [...used].sort().map((name) => {
      const { $id: _id, $schema: _schema, ...s } = schemas[name];
      return [name, s];
    }),
  );
  const shared: Record<string, Json> = {};
  for (const methods of Object.values(doc.paths)) {
    for (const op of Object.values(methods)) {
      if (op['x-body-optional'] && op.requestBody) op.requestBody.required = false;
      delete op['x-body-optional'];
      shareErrorResponses(op.responses, shared);
    }
  }
  doc.components.responses = Object.fromEntries(Object.entries(shared).sort(([a], [b]) => a.localeCompare(b)));
  return doc;
}
