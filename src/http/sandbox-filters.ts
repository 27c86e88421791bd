/**
 * The sandbox list's query: `status`, `metadata.<key>=<value>` filters (exact
 * match, several ANDed) and the page (limit, cursor). Any other parameter is a
 * 400: a misspelt filter must not silently answer every sandbox.
 */
import { z } from 'zod';
import { METADATA_MAX_FILTERS, METADATA_VALUE_MAX_BYTES } from '../domain/metadata.js';
import type { SandboxStatus } from '../domain/sandbox.js';
import { pageQueryFields } from './pagination.js';
import { filterKeyProblem } from './schemas.js';

const STATUSES = ['running', 'starting', 'stopping', 'stopped', 'error'] as const satisfies readonly SandboxStatus[];
const PREFIX = 'metadata.';
const KNOWN = new Set(['status', 'limit', 'cursor']);

export const LIST_DESCRIPTION = `Oldest first. Filters: status, and metadata.<key>=<value> (exact match; several are ANDed, at most ${METADATA_MAX_FILTERS}), e.g. ?metadata.user=42&status=running.
Pages: limit (and then cursor=<next_cursor>); without limit and cursor every matching sandbox comes back, with next_cursor null. A token without admin sees only its own sandboxes.`;

export const listQuery = z
  .looseObject({
    status: z.enum(STATUSES).optional().meta({ description: 'Only sandboxes with this status' }),
    ...pageQueryFields,
  })
  .superRefine((q, ctx) => {
    let filters = 0;
    for (const [k, v] of Object.entries(q)) {
      if (KNOWN.has(k)) continue;
      if (!k.startsWith(PREFIX)) {
        ctx.addIssue({ code: 'custom', path: [k.slice(0, 80)], message: 'unknown parameter; filter on metadata with metadata.<key>=<value>' });
        continue;
      }
      filters++;
      const problem = filterKeyProblem(k.slice(PREFIX.length));
      if (problem) ctx.addIssue({ code: 'custom', path: [k.slice(0, 80)], message: problem });
      else if (typeof v !== 'string') ctx.addIssue({ code: 'custom', path: [k], message: 'give each metadata filter once' });
      else if (Buffer.byteLength(v) > METADATA_VALUE_MAX_BYTES) ctx.addIssue({ code: 'custom', path: [k], message: `values are at most ${METADATA_VALUE_MAX_BYTES} bytes` });
    }
    if (filters > METADATA_MAX_FILTERS) ctx.addIssue({ code: 'custom', message: `at most ${METADATA_MAX_FILTERS} metadata filters` });
  });

/** The status and the metadata equalities a (validated) query asks for. */
export function listFilters(q: z.infer<typeof listQuery>): { status?: SandboxStatus; labels: [string, string][] } {
  const labels = Object.entries(q)
    .filter(([k]) => k.startsWith(PREFIX))
    .map(([k, v]) => [k.slice(PREFIX.length), v as string] as [string, string]);
  return { status: q.status, labels };
}
