-- Preview-token epoch per sandbox: tokens carry the epoch they were issued in,
-- and rotating bumps it, which revokes every token issued before. No row = 0.
CREATE TABLE preview_epochs (
  sandbox_id  TEXT PRIMARY KEY REFERENCES sandboxes (id) ON DELETE CASCADE,
  epoch       INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);
