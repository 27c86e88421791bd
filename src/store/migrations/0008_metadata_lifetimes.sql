-- Metadata: a sandbox's string labels, for filtering lists
-- (GET /v1/sandboxes?metadata.user=42). One row per key, so a filter is an
-- index lookup on (key, value), never a scan of JSON. sandboxed.owner (the
-- creating token's name) is one of them. Kept on tombstones: a deleted id
-- stays its owner's.
CREATE TABLE sandbox_metadata (
  sandbox_id  TEXT NOT NULL REFERENCES sandboxes (id) ON DELETE CASCADE,
  key         TEXT NOT NULL,
  value       TEXT NOT NULL,
  PRIMARY KEY (sandbox_id, key)
) WITHOUT ROWID;
CREATE INDEX sandbox_metadata_by_value ON sandbox_metadata (key, value);

-- Keyset pagination: a page is the rows after (created_at, id) of the cursor.
CREATE INDEX sandboxes_by_created ON sandboxes (created_at, id);

-- When the sandbox was last asked to stop: auto_delete_after_idle_s counts from it.
ALTER TABLE sandboxes ADD COLUMN stopped_at INTEGER;
UPDATE sandboxes SET stopped_at = updated_at WHERE desired_state = 'stopped';
