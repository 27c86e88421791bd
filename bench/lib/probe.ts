/** Waiting for "ready": retry until a check passes, or TCP accepts. */
import { tcpProbe } from '../../src/edge/upstreams.js';
import { sleep } from './daemon.js';

/** Calls check until it returns true; throws with the last reason after deadlineMs. */
export async function until(what: string, check: () => Promise<boolean>, deadlineMs: number, intervalMs = 20): Promise<void> {
  const end = performance.now() + deadlineMs;
  let last = 'never passed';
  for (;;) {
    try {
      if (await check()) return;
    } catch (err) {
      last = (err as Error).message;
    }
    if (performance.now() >= end) throw new Error(`${what}: not within ${deadlineMs} ms (${last})`);
    await sleep(intervalMs);
  }
}

/** The edge's own readiness check, so bench and daemon wait for the same thing. */
export function tcpAccepts(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return tcpProbe(timeoutMs)({ containerId: '', ip: host }, port);
}
