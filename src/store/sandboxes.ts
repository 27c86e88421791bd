/**
 * Rows ↔ domain for the sandboxes table and their metadata. snake_case stays
 * in here. Injected env values are sealed at rest (src/store/sealed.ts); rows
 * written before sealing are sealed when the store opens.
 */
import { DEFAULT_IMAGE } from '../config-events.js';
import type { Metadata } from '../domain/metadata.js';
import { OWNER_KEY } from '../domain/metadata.js';
import type { PageRequest } from '../domain/page.js';
import type { DesiredState, ObservedState, Sandbox, SandboxSpec, SandboxStatus } from '../domain/sandbox.js';
import type { Db } from './db.js';
import { isSealed, seal, unseal } from './sealed.js';

interface Row {
  id: string;
  desired_state: DesiredState;
  observed_state: ObservedState;
  container_id: string | null;
  spec_json: string;
  env_json: string;
  created_at: number;
  updated_at: number;
  last_active_at: number;
  last_error: string | null;
  image: string;
  image_id: string | null;
  stopped_at: number | null;
  metadata_json: string;
}

function sortedMetadata(json: string): Metadata {
  const md = JSON.parse(json) as Metadata;
  return Object.fromEntries(Object.keys(md).sort().map((k) => [k, md[k]]));
}

function toSandbox(row: Row, env: (row: Row) => Record<string, string>): Sandbox {
  return {
    id: row.id,
    spec: JSON.parse(row.spec_json) as SandboxSpec,
    desiredState: row.desired_state,
    observedState: row.observed_state,
    containerId: row.container_id,
    envNames: Object.keys(env(row)).sort(),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastActiveAt: row.last_active_at,
    lastError: row.last_error,
    image: row.image,
    imageId: row.image_id,
    metadata: sortedMetadata(row.metadata_json),
    stoppedAt: row.stopped_at,
  };
}

/** Every read carries the row's metadata as one JSON object (an index lookup per row). */
const SELECT = `SELECT s.*, (SELECT json_group_object(m.key, m.value) FROM sandbox_metadata m WHERE m.sandbox_id = s.id) AS metadata_json FROM sandboxes s`;
const LIVE = "s.desired_state IN ('running','stopped')";
/** Ownership and filters: one indexed (key, value) lookup each. */
const HAS_LABEL = 's.id IN (SELECT sandbox_id FROM sandbox_metadata WHERE key = ? AND value = ?)';

/** statusOf() (domain/sandbox.ts) as SQL over live rows; a unit test holds the two together. */
export const STATUS_SQL: Record<SandboxStatus, string> = {
  running: "s.desired_state = 'running' AND s.observed_state = 'running'",
  starting: "s.desired_state = 'running' AND s.observed_state <> 'running' AND (s.last_error IS NULL OR s.last_error = '')",
  error: "s.desired_state = 'running' AND s.observed_state <> 'running' AND s.last_error <> ''",
  stopping: "s.desired_state = 'stopped' AND s.observed_state = 'running'",
  stopped: "s.desired_state = 'stopped' AND s.observed_state <> 'running'",
};

/** A page of live sandboxes, oldest first. */
export interface SandboxQuery extends PageRequest {
  status?: SandboxStatus;
  /** Metadata equalities, all of which must hold. */
  labels?: readonly (readonly [string, string])[];
}

export interface NewSandbox {
  id: string;
  spec: SandboxSpec;
  env: Record<string, string>;
  metadata?: Metadata;
  now: number;
  /** A name of SANDBOXD_IMAGES; absent: the default. */
  image?: string;
}

/**
 * Told after every write that changes a row's state (not after activity
 * touches), with the row as it now stands (undefined once removed): the
 * edge's in-memory view (src/sandboxes/view.ts) stays in step through it.
 */
export type RowChanged = (id: string, row: Sandbox | undefined) => void;

export class SandboxStore {
  private readonly stmts;
  /** Prepared list queries by shape (status, filter count, cursor, limit): a few hundred at most. */
  private readonly listShapes = new Map<string, ReturnType<Db['prepare']>>();

  constructor(
    private readonly db: Db,
    private readonly key: Buffer,
    private readonly onChange: RowChanged = () => undefined,
  ) {
    this.stmts = {
      get: db.prepare<[string], Row>(`${SELECT} WHERE s.id = ?`),
      listLive: db.prepare<[], Row>(`${SELECT} WHERE ${LIVE} ORDER BY s.created_at, s.id`),
      listAll: db.prepare<[], Row>(`${SELECT} ORDER BY s.created_at, s.id`),
      upsert: db.prepare(
        `INSERT INTO sandboxes (id, desired_state, observed_state, container_id, spec_json, env_json, created_at, updated_at, last_active_at, last_error, stopped_at, image)
         VALUES (@id, 'running', 'none', NULL, @spec, @env, @now, @now, @now, NULL, NULL, @image)
         ON CONFLICT(id) DO UPDATE SET desired_state='running', observed_state='none', container_id=NULL, spec_json=@spec,
           env_json=@env, created_at=@now, updated_at=@now, last_active_at=@now, last_error=NULL, stopped_at=NULL, image=@image, image_id=NULL
         WHERE desired_state IN ('destroyed','purged')`,
      ),
      env: db.prepare<[string], { env_json: string }>('SELECT env_json FROM sandboxes WHERE id = ?'),
      // stopped_at keeps the first moment of a stop: asking a stopped sandbox to stop again does not postpone its expiry.
      setDesired: db.prepare(
        "UPDATE sandboxes SET desired_state = @state, updated_at = @now, stopped_at = CASE WHEN @state = 'stopped' THEN COALESCE(stopped_at, @now) ELSE NULL END WHERE id = @id",
      ),
      setObserved: db.prepare('UPDATE sandboxes SET observed_state = ?, container_id = ?, last_error = ?, updated_at = ? WHERE id = ?'),
      setError: db.prepare('UPDATE sandboxes SET last_error = ?, updated_at = ? WHERE id = ?'),
      setSpec: db.prepare('UPDATE sandboxes SET spec_json = ?, updated_at = ? WHERE id = ?'),
      touch: db.prepare<[number, string, number]>('UPDATE sandboxes SET last_active_at = ? WHERE id = ? AND last_active_at < ?'),
      tombstone: db.prepare("UPDATE sandboxes SET desired_state = ?, env_json = '{}', updated_at = ? WHERE id = ?"),
      remove: db.prepare('DELETE FROM sandboxes WHERE id = ?'),
      setImageId: db.prepare('UPDATE sandboxes SET image_id = ? WHERE id = ?'),
      clearLabels: db.prepare('DELETE FROM sandbox_metadata WHERE sandbox_id = ?'),
      addLabel: db.prepare('INSERT INTO sandbox_metadata (sandbox_id, key, value) VALUES (?, ?, ?)'),
      usage: db.prepare<[string], { n: number; memory_mb: number }>(
        `SELECT count(*) AS n, coalesce(sum(json_extract(s.spec_json, '$.memoryMb')), 0) AS memory_mb FROM sandboxes s
         WHERE ${LIVE} AND s.id IN (SELECT sandbox_id FROM sandbox_metadata WHERE key = '${OWNER_KEY}' AND value = ?)`,
      ),
      plaintextEnv: db.prepare<[], { id: string; env_json: string }>("SELECT id, env_json FROM sandboxes WHERE env_json NOT LIKE 's1:%'"),
      setEnv: db.prepare('UPDATE sandboxes SET env_json = ? WHERE id = ?'),
      generation: db.prepare<[], number | null>('SELECT MAX(updated_at) FROM sandboxes').pluck(),
    };
    this.sealPlaintextEnv(db);
  }

  /** The migration to sealed env: rows from before it hold plaintext JSON. */
  private sealPlaintextEnv(db: Db): void {
    db.transaction(() => {
      for (const r of this.stmts.plaintextEnv.all()) this.stmts.setEnv.run(seal(this.key, r.env_json), r.id);
    })();
  }

  private readonly envOf = (row: Pick<Row, 'env_json'>): Record<string, string> =>
    JSON.parse(isSealed(row.env_json) ? unseal(this.key, row.env_json) : row.env_json) as Record<string, string>;

  private map = (row: Row): Sandbox => toSandbox(row, this.envOf);

  /** Changes whenever any row's state changes (a container started or stopped): address caches refresh on it. */
  generation(): number {
    return this.stmts.generation.get() ?? 0;
  }

  get(id: string): Sandbox | undefined {
    const row = this.stmts.get.get(id);
    return row ? this.map(row) : undefined;
  }

  /** Sandboxes that exist for the user (not destroyed or purged). */
  listLive(): Sandbox[] {
    return this.stmts.listLive.all().map(this.map);
  }

  /** Live sandboxes matching the query, oldest first, from the cursor on, at most `limit`. */
  list(q: SandboxQuery): Sandbox[] {
    const labels = q.labels ?? [];
    const shape = `${q.status ?? ''}|${labels.length}|${q.after ? 1 : 0}|${q.limit === undefined ? 0 : 1}`;
    let stmt = this.listShapes.get(shape);
    if (!stmt) {
      const where = [LIVE, ...(q.status ? [STATUS_SQL[q.status]] : []), ...labels.map(() => HAS_LABEL), ...(q.after ? ['(s.created_at, s.id) > (?, ?)'] : [])];
      stmt = this.db.prepare(`${SELECT} WHERE ${where.join(' AND ')} ORDER BY s.created_at, s.id${q.limit === undefined ? '' : ' LIMIT ?'}`);
      this.listShapes.set(shape, stmt);
    }
    const args: (string | number)[] = [...labels.flat(), ...(q.after ? [q.after.createdAt, q.after.id] : []), ...(q.limit === undefined ? [] : [q.limit])];
    return (stmt.all(args) as Row[]).map(this.map);
  }

  /** Every row, tombstones included: the reconciler needs them. */
  listAll(): Sandbox[] {
    return this.stmts.listAll.all().map(this.map);
  }

  /** What an owner's live sandboxes take: their count and their memory_mb added up (quotas). */
  usageOf(owner: string): { sandboxes: number; memoryMb: number } {
    const r = this.stmts.usage.get(owner)!;
    return { sandboxes: r.n, memoryMb: r.memory_mb };
  }

  /** Inserts, or revives a tombstone of the same id (its metadata replaced); false when a live one exists. */
  insert(s: NewSandbox): boolean {
    const ok = this.db.transaction(() => {
      const info = this.stmts.upsert.run({ id: s.id, spec: JSON.stringify(s.spec), env: seal(this.key, JSON.stringify(s.env)), now: s.now, image: s.image ?? DEFAULT_IMAGE });
      if (info.changes !== 1) return false;
      this.writeLabels(s.id, s.metadata ?? {});
      return true;
    })();
    // After the commit: the view never holds a row a rolled-back transaction wrote.
    if (ok) this.changed(s.id);
    return ok;
  }

  /** Replaces the sandbox's metadata, reserved keys included: callers pass the whole map. */
  private writeLabels(id: string, md: Metadata): void {
    this.stmts.clearLabels.run(id);
    for (const [k, v] of Object.entries(md)) this.stmts.addLabel.run(id, k, v);
  }

  env(id: string): Record<string, string> {
    const row = this.stmts.env.get(id);
    return row ? this.envOf(row) : {};
  }

  setDesired(id: string, state: DesiredState, now = Date.now()): void {
    this.stmts.setDesired.run({ state, now, id });
    this.changed(id);
  }

  setObserved(id: string, state: ObservedState, containerId: string | null, lastError: string | null = null, now = Date.now()): void {
    this.stmts.setObserved.run(state, containerId, lastError, now, id);
    this.changed(id);
  }

  setError(id: string, message: string | null, now = Date.now()): void {
    this.stmts.setError.run(message, now, id);
    this.changed(id);
  }

  /** A PATCH: the spec, and the whole metadata map when it changed, in one transaction. */
  setSpec(id: string, spec: SandboxSpec, metadata: Metadata | null = null, now = Date.now()): void {
    this.db.transaction(() => {
      this.stmts.setSpec.run(JSON.stringify(spec), now, id);
      if (metadata) this.writeLabels(id, metadata);
    })();
    this.changed(id);
  }

  /** Moves last_active_at forward only; returns whether it changed. */
  touch(id: string, at: number): boolean {
    return this.stmts.touch.run(at, id, at).changes === 1;
  }

  /** Activity of many sandboxes in one transaction (ActivityTracker's batches). */
  touchMany(entries: Iterable<[string, number]>): void {
    this.db.transaction(() => {
      for (const [id, at] of entries) this.stmts.touch.run(at, id, at);
    })();
  }

  /** Tells the view a row changed. Called after a transaction commits, never inside one. */
  changed(id: string): void {
    this.onChange(id, this.get(id));
  }

  /** Marks a sandbox deleted; its secrets are dropped, the row (and its owner) stays so the edge can answer 410. */
  tombstone(id: string, state: 'destroyed' | 'purged', now = Date.now()): void {
    this.stmts.tombstone.run(state, now, id);
    this.changed(id);
  }

  remove(id: string): void {
    this.stmts.remove.run(id);
    this.changed(id);
  }

  /** The image the sandbox's current container was made from. */
  setImageId(id: string, imageId: string | null): void {
    this.stmts.setImageId.run(imageId, id);
    this.changed(id);
  }
}
