/** Whether an agent task may be undone, decided purely; a reason when not. */
import { isTerminal, type Task } from '../domain/task.js';

export function decideUndo(task: Task, all: Task[], force: boolean): string | null {
  if (!task.checkpointId) return `task ${task.id} has no checkpoint to go back to (it ran with checkpoint: false)`;
  if (!isTerminal(task.status)) return `task ${task.id} is still running; cancel it first`;
  const later = all.filter((t) => t.createdAt > task.createdAt || (t.createdAt === task.createdAt && t.id > task.id));
  const running = later.find((t) => !isTerminal(t.status));
  if (running) return `task ${running.id}, started after it, is running; cancel it first`;
  if (later.length > 0 && !force) {
    return `tasks ${later.map((t) => t.id).join(', ')} ran after it and their changes would be undone too; pass force: true to undo anyway`;
  }
  return null;
}
