/** A task's lifecycle events, said where its row changes (launch, resume, end). */
import type { EventSink } from '../domain/event.js';
import type { Task, TaskStatus } from '../domain/task.js';

type TaskRef = Pick<Task, 'id' | 'sandboxId' | 'agent'>;

export function taskStarted(events: EventSink, t: TaskRef): void {
  events.emit(t.sandboxId, 'task.started', { task_id: t.id, agent: t.agent });
}

/** `reason` is the task's error (null when it succeeded). */
export function taskEnded(events: EventSink, t: TaskRef, status: TaskStatus, reason: string | null): void {
  if (status === 'succeeded') events.emit(t.sandboxId, 'task.succeeded', { task_id: t.id, agent: t.agent, status });
  else events.emit(t.sandboxId, 'task.failed', { task_id: t.id, agent: t.agent, status, reason });
}
