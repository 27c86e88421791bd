/**
 * Finishing a restore that a kill -9 interrupted. The steps it took were: (1)
 * the intent and the pre-restore row written together, (2) the live image
 * renamed to the pre-restore file, (3) the snapshot copied to a staging file,
 * flushed and renamed to the live image, (4) the intent removed. Each rename is
 * atomic, so what is on disk says how far it got:
 *   live present, saved absent  → before (2): nothing moved; undo (fully old)
 *   live absent,  saved present → between (2) and (3): finish the copy (fully new)
 *   both present                → after (3): done (fully new)
 * A staging file left by (3) is removed either way.
 */
import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { snapshotImage } from '../domain/layout.js';
import type { RestoreIntent, SnapshotStore } from '../store/snapshots.js';
import type { Workspaces } from '../workspaces/workspaces.js';

export type RecoverOutcome = 'rolled back' | 'finished' | 'already done';

export async function recoverRestore(
  intent: RestoreIntent,
  dataDir: string,
  workspaces: Pick<Workspaces, 'copyIn' | 'image'>,
  store: Pick<SnapshotStore, 'remove' | 'endRestore'>,
): Promise<RecoverOutcome> {
  const live = workspaces.image(intent.sandboxId);
  const saved = snapshotImage(dataDir, intent.savedId);
  await rm(`${live}.incoming`, { force: true });
  let outcome: RecoverOutcome;
  if (existsSync(live) && !existsSync(saved)) {
    store.remove(intent.savedId);
    outcome = 'rolled back';
  } else if (!existsSync(live) && existsSync(snapshotImage(dataDir, intent.snapshotId))) {
    await workspaces.copyIn(intent.sandboxId, snapshotImage(dataDir, intent.snapshotId));
    outcome = 'finished';
  } else if (!existsSync(live)) {
    // The source went away meanwhile: put the old disk back.
    await rename(saved, live);
    store.remove(intent.savedId);
    outcome = 'rolled back';
  } else {
    outcome = 'already done';
  }
  store.endRestore(intent.sandboxId);
  return outcome;
}
