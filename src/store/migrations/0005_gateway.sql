-- The model gateway. A running task's grant names where its model calls go and
-- holds its provider key, sealed (AES-256-GCM, src/store/sealed.ts); the row is
-- deleted in the same transaction that ends the task, which revokes the
-- capability the agent holds.
CREATE TABLE task_grants (
  task_id     TEXT PRIMARY KEY REFERENCES tasks (id) ON DELETE CASCADE,
  sandbox_id  TEXT NOT NULL,
  api         TEXT NOT NULL CHECK (api IN ('anthropic', 'openai')),
  upstream    TEXT NOT NULL,
  auth        TEXT NOT NULL CHECK (auth IN ('x-api-key', 'bearer', 'none')),
  key_sealed  TEXT,
  created_at  INTEGER NOT NULL
);

-- Where the task's usage comes from: the gateway (the source of truth) or, for
-- key_in_sandbox tasks, the agent's own output.
ALTER TABLE tasks ADD COLUMN usage_source TEXT NOT NULL DEFAULT 'agent' CHECK (usage_source IN ('agent', 'gateway'));
ALTER TABLE tasks ADD COLUMN gateway_usage_json TEXT NOT NULL DEFAULT '{"input_tokens":0,"output_tokens":0,"cost_usd":0}';
ALTER TABLE tasks ADD COLUMN max_tokens_total INTEGER;
ALTER TABLE tasks ADD COLUMN max_cost_usd REAL;
-- The API token (its name) that started the task: budgets per token. '' with auth off.
ALTER TABLE tasks ADD COLUMN api_token TEXT NOT NULL DEFAULT '';

-- Spend per UTC day and API token, for the per-token and global budgets.
CREATE TABLE usage_days (
  day        TEXT NOT NULL,
  api_token  TEXT NOT NULL,
  tokens     INTEGER NOT NULL DEFAULT 0,
  cost_usd   REAL NOT NULL DEFAULT 0,
  PRIMARY KEY (day, api_token)
) WITHOUT ROWID;
