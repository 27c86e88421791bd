-- Desired state (what the API asked for) is kept apart from observed state
-- (what Docker last reported); the reconciler converges the second to the first.
CREATE TABLE sandboxes (
  id              TEXT PRIMARY KEY,
  desired_state   TEXT NOT NULL CHECK (desired_state IN ('running', 'stopped', 'destroyed', 'purged')),
  observed_state  TEXT NOT NULL DEFAULT 'none' CHECK (observed_state IN ('none', 'stopped', 'running', 'unknown')),
  container_id    TEXT,
  spec_json       TEXT NOT NULL,
  -- Injected env values. Never returned by the API or logged; the file is 0600.
  env_json        TEXT NOT NULL DEFAULT '{}',
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  last_active_at  INTEGER NOT NULL,
  last_error      TEXT
);

CREATE INDEX sandboxes_desired ON sandboxes (desired_state);
