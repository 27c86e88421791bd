-- The image a sandbox runs: a name of SANDBOXD_IMAGES ('default' is
-- SANDBOXD_IMAGE), and the id of the image its current container was made
-- from (NULL before its first container), so an old build can be told apart.
ALTER TABLE sandboxes ADD COLUMN image TEXT NOT NULL DEFAULT 'default';
ALTER TABLE sandboxes ADD COLUMN image_id TEXT;

-- Lifecycle events, bounded by count and age (SANDBOXD_EVENTS_MAX_*).
-- AUTOINCREMENT: an id is never reused, even after every row was pruned, so a
-- client's Last-Event-ID never points at a different event.
CREATE TABLE events (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  type        TEXT NOT NULL,
  sandbox_id  TEXT NOT NULL,
  time        INTEGER NOT NULL,
  -- {metadata, details}, as sent.
  body_json   TEXT NOT NULL
);
CREATE INDEX events_by_time ON events (time);

-- Webhook deliveries: one per webhook and event, written in the event's own
-- transaction. Per webhook and sandbox they are sent oldest first, one at a
-- time, so a restart resumes where it stopped and order holds per sandbox.
-- `body` is the exact JSON posted (the signature covers it), so a retry sends
-- the same bytes even after the event itself was pruned.
CREATE TABLE webhook_deliveries (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  webhook          TEXT NOT NULL,
  sandbox_id       TEXT NOT NULL,
  event_id         INTEGER NOT NULL,
  event_type       TEXT NOT NULL,
  body             TEXT NOT NULL,
  status           TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  INTEGER NOT NULL,
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL,
  last_status      INTEGER,
  last_error       TEXT
);
CREATE INDEX webhook_deliveries_queue ON webhook_deliveries (webhook, sandbox_id, id) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (webhook, next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_done ON webhook_deliveries (updated_at) WHERE status <> 'pending';
