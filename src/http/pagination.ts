/**
 * Pagination of every list (sandboxes, tasks, snapshots, templates): `limit`
 * and an opaque `cursor`, the `next_cursor` of the page before. The cursor is
 * base64url of the last row's (created_at, id) and the list's kind; the store
 * answers the rows after it (keyset, domain/page.ts), so a walk is stable
 * under concurrent inserts. Without limit and cursor a list answers every row,
 * as before pagination existed, with next_cursor null.
 */
import { z } from 'zod';
import { PAGE_DEFAULT_LIMIT, PAGE_MAX_LIMIT, type Keyset, type PageRequest } from '../domain/page.js';
import { InvalidError } from '../errors.js';

export type ListKind = 'sandboxes' | 'tasks' | 'snapshots' | 'templates';

export const pageQueryFields = {
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(PAGE_MAX_LIMIT)
    .optional()
    .meta({ description: `At most this many items (1-${PAGE_MAX_LIMIT}; ${PAGE_DEFAULT_LIMIT} when only a cursor is given). Without limit and cursor: every item` }),
  cursor: z.string().max(512).optional().meta({ description: 'The next_cursor of the previous page' }),
};

export const nextCursorSchema = z.string().nullable().meta({ description: 'Pass as ?cursor= for the next page; null: this was the last' });

export interface Paging {
  /** What the store is asked: one row more than the page, to know whether another page follows. */
  query: PageRequest;
  /** The page's size; null: the whole list. */
  size: number | null;
}

export function encodeCursor(kind: ListKind, row: Keyset): string {
  return Buffer.from(JSON.stringify([kind, row.createdAt, row.id])).toString('base64url');
}

export function decodeCursor(kind: ListKind, cursor: string): Keyset {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = null;
  }
  if (Array.isArray(parsed) && parsed.length === 3 && parsed[0] === kind && Number.isSafeInteger(parsed[1]) && typeof parsed[2] === 'string' && parsed[2].length <= 64) {
    return { createdAt: parsed[1] as number, id: parsed[2] };
  }
  throw new InvalidError(`querystring.cursor: not a cursor of this list of ${kind} (pass the next_cursor it answered)`);
}

export function paging(kind: ListKind, q: { limit?: number; cursor?: string }): Paging {
  if (q.limit === undefined && q.cursor === undefined) return { query: {}, size: null };
  const size = q.limit ?? PAGE_DEFAULT_LIMIT;
  return { query: { after: q.cursor === undefined ? undefined : decodeCursor(kind, q.cursor), limit: size + 1 }, size };
}

/** The page's rows and the cursor of the next page. */
export function pageOf<T extends Keyset>(kind: ListKind, rows: T[], p: Paging): { items: T[]; next_cursor: string | null } {
  if (p.size === null || rows.length <= p.size) return { items: rows, next_cursor: null };
  const items = rows.slice(0, p.size);
  return { items, next_cursor: encodeCursor(kind, items[items.length - 1]) };
}
