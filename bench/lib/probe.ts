/** Waiting for "ready": retry until a check passes, or TCP accepts. */
import { connect } from 'node:net';
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

export function tcpAccepts(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    const done = (ok: boolean): void => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}
