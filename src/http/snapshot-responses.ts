/** The wire shapes of snapshots, for the OpenAPI document and the serializer. */
import { z } from 'zod';
import { sandboxSchema } from './responses.js';

const SNAPSHOT_EXAMPLE = {
  id: '01jh6x0q2b3c4d5e6f7g8h9j0k',
  sandbox_id: 'demo',
  name: 'before upgrade',
  kind: 'manual',
  template: false,
  task_id: null,
  size_bytes: 367001600,
  disk_mb: 5120,
  created_at: '2025-01-01T12:00:00.000Z',
};

export const snapshotSchema = z
  .object({
    id: z.string(),
    sandbox_id: z.string(),
    name: z.string().nullable(),
    kind: z.enum(['manual', 'checkpoint', 'pre-restore']).meta({ description: 'checkpoint: before an agent task; pre-restore: what a restore replaced' }),
    template: z.boolean().meta({ description: 'Kept when its sandbox is purged; new sandboxes start from it with from_snapshot' }),
    task_id: z.string().nullable(),
    size_bytes: z.number().int().meta({ description: 'What the copy takes on the data disk' }),
    disk_mb: z.number().int(),
    created_at: z.string(),
  })
  .meta({ id: 'Snapshot', description: 'A copy of a workspace', examples: [SNAPSHOT_EXAMPLE] });

export const snapshotListSchema = z
  .object({
    snapshots: z.array(snapshotSchema),
    count: z.number().int(),
    size_bytes: z.number().int().optional().meta({ description: 'A sandbox’s list: what all its snapshots take, every page included' }),
    next_cursor: z.string().nullable().meta({ description: 'Pass as ?cursor= for the next page; null: this was the last' }),
  })
  .meta({ id: 'SnapshotList', examples: [{ snapshots: [SNAPSHOT_EXAMPLE], count: 1, size_bytes: 367001600, next_cursor: null }] });

export const snapshotDeletedSchema = z.object({ id: z.string(), deleted: z.literal(true) }).meta({ id: 'SnapshotDeleted' });

export const restoredSchema = z
  .object({ sandbox: sandboxSchema, restored: z.string(), saved_as: snapshotSchema.meta({ description: 'What the restore replaced, kept as a pre-restore snapshot' }) })
  .meta({ id: 'SnapshotRestored' });

export const undoneSchema = z.object({ sandbox: sandboxSchema, task_id: z.string(), saved_as: snapshotSchema }).meta({ id: 'TaskUndone' });
