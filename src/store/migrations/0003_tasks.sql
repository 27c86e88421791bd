-- Agent tasks. Task env values are never stored (env_names_json holds names);
-- the agent's progress is folded into events and agent_state_json together
-- with out_offset, the bytes of out.jsonl already consumed, in one
-- transaction, so a restarted daemon resumes exactly where it stopped.
CREATE TABLE tasks (
  id                TEXT PRIMARY KEY,
  sandbox_id        TEXT NOT NULL,
  agent             TEXT NOT NULL CHECK (agent IN ('opencode', 'claude-code')),
  status            TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'timed_out')),
  prompt            TEXT NOT NULL,
  model             TEXT,
  base_url          TEXT,
  env_names_json    TEXT NOT NULL DEFAULT '[]',
  timeout_s         INTEGER NOT NULL,
  continue_from     TEXT,
  session_id        TEXT,
  container_id      TEXT,
  result_json       TEXT,
  error             TEXT,
  -- A stop we asked for (cancel, abort, deadline), applied when the agent has exited.
  stop_status       TEXT CHECK (stop_status IN ('failed', 'cancelled', 'timed_out')),
  stop_reason       TEXT,
  out_offset        INTEGER NOT NULL DEFAULT 0,
  -- Inside an over-long line of out.jsonl being skipped up to its newline.
  out_discarding    INTEGER NOT NULL DEFAULT 0,
  next_seq          INTEGER NOT NULL DEFAULT 1,
  agent_state_json  TEXT NOT NULL DEFAULT '{}',
  created_at        INTEGER NOT NULL,
  started_at        INTEGER,
  ended_at          INTEGER
);

-- At most one task queued or running per sandbox.
CREATE UNIQUE INDEX tasks_one_active ON tasks (sandbox_id) WHERE status IN ('queued', 'running');
CREATE INDEX tasks_by_sandbox ON tasks (sandbox_id, created_at);

CREATE TABLE task_events (
  task_id    TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  seq        INTEGER NOT NULL,
  ts         INTEGER NOT NULL,
  type       TEXT NOT NULL,
  body_json  TEXT NOT NULL,
  PRIMARY KEY (task_id, seq)
) WITHOUT ROWID;
