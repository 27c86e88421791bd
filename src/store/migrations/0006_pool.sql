-- The warm pool: running generic containers waiting for a create. A row is
-- written before its container exists (filling), marked ready once its init
-- runs, and taken (claiming, claimed_by) in the same transaction that inserts
-- the sandbox's row; it is deleted in the transaction that marks the sandbox
-- running. At boot every row that is not ready is undone, so a kill -9 at any
-- step converges. pool_key fingerprints the container spec: entries made
-- under other settings are replaced, never handed out.
CREATE TABLE pool (
  id            TEXT PRIMARY KEY,
  runtime       TEXT NOT NULL,
  pool_key      TEXT NOT NULL,
  state         TEXT NOT NULL CHECK (state IN ('filling', 'ready', 'claiming')),
  container_id  TEXT,
  claimed_by    TEXT,
  created_at    INTEGER NOT NULL
);
CREATE INDEX pool_ready ON pool (runtime, state, created_at);
