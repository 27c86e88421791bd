/**
 * The capability an agent holds instead of a provider key:
 * `sbx-cap-<task id>-<mac>`, mac = HMAC-SHA256 over the task and its sandbox
 * under DATA_DIR/state/gateway.key. It is worthless outside the gateway, and
 * inside it only from that sandbox's address while the task's grant exists
 * (the grant is deleted when the task ends). Stateless: a restarted daemon
 * honours the capabilities of tasks still running.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { TASK_ID_PATTERN } from '../domain/task.js';

const PREFIX = 'sbx-cap-';

function mac(key: Buffer, taskId: string, sandboxId: string): Buffer {
  return createHmac('sha256', key).update(`sandboxed-gateway:v1:${taskId}:${sandboxId}`).digest();
}

export function issueCapability(key: Buffer, taskId: string, sandboxId: string): string {
  return `${PREFIX}${taskId}-${mac(key, taskId, sandboxId).toString('base64url')}`;
}

/** The task id a capability claims, or null when it is not shaped like one (nothing is verified yet). */
export function claimedTask(token: string): string | null {
  if (!token.startsWith(PREFIX) || token.length > 120) return null;
  const taskId = token.slice(PREFIX.length, PREFIX.length + 26);
  return TASK_ID_PATTERN.test(taskId) && token[PREFIX.length + 26] === '-' ? taskId : null;
}

export function verifyCapability(key: Buffer, token: string, taskId: string, sandboxId: string): boolean {
  const given = Buffer.from(token.slice(PREFIX.length + 27), 'base64url');
  const want = mac(key, taskId, sandboxId);
  return given.length === want.length && timingSafeEqual(given, want);
}
