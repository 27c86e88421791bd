/**
 * Migrations merged from branches land out of order: a database may already
 * have run a higher number (0008, metadata and lifetimes) when a lower one
 * (0007, images and events) arrives. The migrator applies every version not
 * yet recorded, so such a database gets 0007 on its next open, its rows kept.
 */
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrate, openDb } from '../../src/store/db.js';
import { SandboxStore } from '../../src/store/sandboxes.js';

const DIR = path.join(import.meta.dirname, '../../src/store/migrations');
const file = () => path.join(mkdtempSync(path.join(os.tmpdir(), 'sandboxed-migrate-')), 'db.sqlite');

/** A database as the migrator left it before `missing` existed: every other file applied, in order. */
function databaseWithout(missing: number, at: string): void {
  const db = new Database(at);
  db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  for (const f of readdirSync(DIR).filter((n) => /^\d{4}_.+\.sql$/.test(n)).sort()) {
    if (Number(f.slice(0, 4)) === missing) continue;
    db.exec(readFileSync(path.join(DIR, f), 'utf8'));
    db.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(Number(f.slice(0, 4)), f, 0);
  }
  db.prepare("INSERT INTO sandboxes (id, desired_state, observed_state, spec_json, env_json, created_at, updated_at, last_active_at) VALUES ('old', 'running', 'none', '{}', '{}', 1, 1, 1)").run();
  db.prepare("INSERT INTO sandbox_metadata VALUES ('old', 'user', '42')").run();
  db.close();
}

describe('migrations', () => {
  it('apply every file once on a new database', () => {
    const db = openDb(file());
    const versions = db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all();
    expect(versions).toEqual(readdirSync(DIR).filter((n) => /^\d{4}_/.test(n)).map((n) => Number(n.slice(0, 4))).sort((a, b) => a - b));
    expect(versions).toEqual(expect.arrayContaining([7, 8]));
    expect(migrate(db)).toEqual([]);
    db.close();
  });

  it('give a database that ran 0008 first the 0007 it lacks, keeping its rows', () => {
    const at = file();
    databaseWithout(7, at);
    const db = new Database(at);
    expect(migrate(db)).toEqual([7]);
    const sb = new SandboxStore(db, randomBytes(32)).get('old')!;
    expect(sb).toMatchObject({ image: 'default', imageId: null, metadata: { user: '42' } });
    expect(db.prepare('SELECT count(*) FROM events').pluck().get()).toBe(0);
    db.close();
  });
});
