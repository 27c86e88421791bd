/** Copies of a sandbox's workspace: take, list, restore (what a restore replaces is kept), mark as a template, delete. */
import type { Http } from './http.js';
import type { Snapshot, SnapshotDeleted, SnapshotRestored, TakeSnapshotInput } from './types.js';

export class Snapshots {
  constructor(
    private readonly http: Http,
    private readonly id: string,
  ) {}

  /** Takes a snapshot now (the sandbox may run or sleep; its filesystem is frozen for the copy). */
  async take(input: TakeSnapshotInput = {}): Promise<Snapshot> {
    return this.http.call('post', '/v1/sandboxes/{id}/snapshots', { path: { id: this.id }, body: input });
  }

  /** The sandbox's snapshots, oldest first. */
  async list(): Promise<Snapshot[]> {
    return (await this.http.call('get', '/v1/sandboxes/{id}/snapshots', { path: { id: this.id } })).snapshots;
  }

  async get(snap: string): Promise<Snapshot> {
    return this.http.call('get', '/v1/sandboxes/{id}/snapshots/{snap}', { path: { id: this.id, snap } });
  }

  /** Puts the workspace back as the snapshot has it (the sandbox restarts if it ran). */
  async restore(snap: string): Promise<SnapshotRestored> {
    return this.http.call('post', '/v1/sandboxes/{id}/snapshots/{snap}/restore', { path: { id: this.id, snap } });
  }

  /** A template outlives its sandbox; `from_snapshot` at create forks one. */
  async setTemplate(snap: string, template: boolean): Promise<Snapshot> {
    return this.http.call('patch', '/v1/sandboxes/{id}/snapshots/{snap}', { path: { id: this.id, snap }, body: { template } });
  }

  async remove(snap: string): Promise<SnapshotDeleted> {
    return this.http.call('delete', '/v1/sandboxes/{id}/snapshots/{snap}', { path: { id: this.id, snap } });
  }
}
