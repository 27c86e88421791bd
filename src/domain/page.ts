/**
 * Keyset pagination, as every list's store query takes it: rows come ordered
 * by (created_at, id) and a page starts after the last row of the previous
 * one, so rows inserted meanwhile never shift a page (they sort after every
 * row that existed when the walk began: created_at is the insert time).
 */
export interface Keyset {
  createdAt: number;
  id: string;
}

export interface PageRequest {
  /** Rows strictly after this one. */
  after?: Keyset;
  /** At most this many rows; absent: all of them. */
  limit?: number;
}

export const PAGE_DEFAULT_LIMIT = 100;
export const PAGE_MAX_LIMIT = 1000;
