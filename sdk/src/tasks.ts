/**
 * Coding agents in a sandbox. `tasks.run(input)` starts one and returns its
 * handle at once (the start goes on in the background; a refusal surfaces at
 * the handle's first use): `for await (const ev of sb.tasks.run({...}).events())`.
 */
import type { Http } from './http.js';
import { followSse, type FollowOptions } from './sse.js';
import type { CreateTaskInput, TaskEvent, TaskInfo, TaskUndone } from './types.js';

const TERMINAL = new Set<TaskEvent['type']>(['task.completed', 'task.failed']);

export class Task {
  /** The task as it was started (202), or as it was when the handle was made from it. */
  readonly started: Promise<TaskInfo>;

  constructor(
    private readonly http: Http,
    private readonly sandboxId: string,
    started: Promise<TaskInfo> | { id: string },
  ) {
    this.started = Promise.resolve(started) as Promise<TaskInfo>;
    // A refused start is thrown where the handle is used; never as an unhandled rejection.
    this.started.catch(() => undefined);
  }

  private async path() {
    return { id: this.sandboxId, taskId: (await this.started).id };
  }

  /** The task's id (once started). */
  async id(): Promise<string> {
    return (await this.started).id;
  }

  /** The task now: status, result, error. */
  async info(): Promise<TaskInfo> {
    return this.http.call('get', '/v1/sandboxes/{id}/tasks/{taskId}', { path: await this.path() });
  }

  /**
   * Its events, replayed from the start (or after `after`), then live, until
   * the terminal event (`task.completed` or `task.failed`). A dropped
   * connection is resumed with `Last-Event-ID`: no event is lost or repeated.
   */
  async *events(opts: FollowOptions & { after?: number } = {}): AsyncGenerator<TaskEvent> {
    const path = await this.path();
    const open = (lastId: string | undefined) =>
      this.http.send('get', '/v1/sandboxes/{id}/tasks/{taskId}/events', {
        path,
        headers: { accept: 'text/event-stream', ...(lastId === undefined ? {} : { 'last-event-id': lastId }) },
        signal: opts.signal,
      });
    for await (const m of followSse(open, opts.after === undefined ? undefined : String(opts.after), opts)) {
      const event = JSON.parse(m.data) as TaskEvent;
      yield event;
      if (TERMINAL.has(event.type)) return;
    }
  }

  /** Waits for the task to end (following its events) and answers its final state. */
  async wait(opts: FollowOptions = {}): Promise<TaskInfo> {
    for await (const _ of this.events(opts)) {
      /* the loop ends after the terminal event */
    }
    return this.info();
  }

  /** Stops the agent (its processes are signalled; the task ends `cancelled`). */
  async cancel(): Promise<TaskInfo> {
    return this.http.call('post', '/v1/sandboxes/{id}/tasks/{taskId}/cancel', { path: await this.path() });
  }

  /** Puts the workspace back as it was before the agent started (`force`: even after a later task). */
  async undo(opts: { force?: boolean } = {}): Promise<TaskUndone> {
    return this.http.call('post', '/v1/sandboxes/{id}/tasks/{taskId}/undo', { path: await this.path(), body: opts });
  }
}

export class Tasks {
  constructor(
    private readonly http: Http,
    private readonly sandboxId: string,
  ) {}

  /** Starts an agent (one task runs per sandbox at a time: a second is refused with 409). */
  run(input: CreateTaskInput): Task {
    const started = this.http.call('post', '/v1/sandboxes/{id}/tasks', { path: { id: this.sandboxId }, body: input });
    return new Task(this.http, this.sandboxId, started);
  }

  /** A handle on an existing task (no request is made). */
  get(taskId: string): Task {
    return new Task(this.http, this.sandboxId, { id: taskId });
  }

  /** The sandbox's tasks, oldest first. */
  async list(): Promise<TaskInfo[]> {
    return (await this.http.call('get', '/v1/sandboxes/{id}/tasks', { path: { id: this.sandboxId } })).tasks;
  }
}
