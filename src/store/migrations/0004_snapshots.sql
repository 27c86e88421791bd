-- Snapshots of workspaces: each one a copy of the sandbox's disk image at
-- DATA_DIR/snapshots/<id>.ext4. sandbox_created_at ties it to one life of the
-- sandbox id (a purged and recreated id starts with none but templates).
CREATE TABLE snapshots (
  id                  TEXT PRIMARY KEY,
  sandbox_id          TEXT NOT NULL,
  sandbox_created_at  INTEGER NOT NULL,
  name                TEXT,
  -- manual: asked for; checkpoint: before an agent task; pre-restore: what a restore replaced.
  kind                TEXT NOT NULL CHECK (kind IN ('manual', 'checkpoint', 'pre-restore')),
  template            INTEGER NOT NULL DEFAULT 0,
  task_id             TEXT,
  size_bytes          INTEGER NOT NULL,
  disk_mb             INTEGER NOT NULL,
  created_at          INTEGER NOT NULL
);
CREATE INDEX snapshots_by_sandbox ON snapshots (sandbox_id, created_at);
CREATE UNIQUE INDEX snapshots_unique_name ON snapshots (sandbox_id, sandbox_created_at, name) WHERE name IS NOT NULL;

-- A restore in flight. Written before the first file moves, removed after the
-- last: at boot one that is still here is finished (or undone) before any
-- container of the sandbox starts, so a kill -9 leaves it fully old or fully new.
CREATE TABLE restores (
  sandbox_id   TEXT PRIMARY KEY,
  snapshot_id  TEXT NOT NULL,
  saved_id     TEXT NOT NULL,
  was_running  INTEGER NOT NULL,
  started_at   INTEGER NOT NULL
);

ALTER TABLE tasks ADD COLUMN checkpoint_id TEXT;
