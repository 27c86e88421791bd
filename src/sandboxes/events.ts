/**
 * The lifecycle service's events, in its words: each call is made by the
 * owner of the change, under the sandbox's lock, after the row says so.
 */
import type { EventDetails, EventSink } from '../domain/event.js';
import { UnavailableError } from '../errors.js';

export class SandboxEvents {
  constructor(private readonly sink: EventSink) {}

  created(id: string, image: string): void {
    this.sink.emit(id, 'sandbox.created', { image });
  }

  /** `request`: a start, wake, exec or task asked; `reconcile`: the reconciler restarted it; `observed`: Docker said so. */
  started(id: string, reason: 'request' | 'reconcile' | 'observed'): void {
    this.sink.emit(id, 'sandbox.started', { reason });
  }

  stopped(id: string, reason: string): void {
    this.sink.emit(id, 'sandbox.stopped', { reason });
  }

  deleted(id: string): void {
    this.sink.emit(id, 'sandbox.deleted', { workspace: 'kept' });
  }

  purged(id: string): void {
    this.sink.emit(id, 'sandbox.purged', { workspace: 'removed' });
  }

  expired(id: string, details: EventDetails): void {
    this.sink.emit(id, 'sandbox.expired', details);
  }

  /**
   * A start that failed, or a container that died under a sandbox wanted
   * running. A refusal for now (memory, disk: 503) is not a failure of the
   * sandbox; the same error again (every reconcile pass) is said once.
   */
  failed(id: string, err: unknown, previous: string | null = null): void {
    if (err instanceof UnavailableError) return;
    const error = err instanceof Error ? err.message : String(err);
    if (error !== previous) this.sink.emit(id, 'sandbox.failed', { error });
  }
}
