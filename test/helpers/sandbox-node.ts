/** Runs a Node script inside a sandbox (as the sandbox user) and returns what it printed. */
import type { TestDaemon } from './daemon.js';

export async function nodeIn(d: TestDaemon, id: string, script: string, args: string[] = [], timeoutS = 30): Promise<string> {
  const r = await d.api('POST', `/v1/sandboxes/${id}/exec`, { cmd: ['node', '-e', script, ...args], timeout_s: timeoutS });
  if (r.status !== 200) throw new Error(`exec in ${id} answered ${r.status}: ${JSON.stringify(r.body)}`);
  return String(r.body.stdout).trim();
}

export async function shIn(d: TestDaemon, id: string, script: string, timeoutS = 30): Promise<string> {
  const r = await d.api('POST', `/v1/sandboxes/${id}/exec`, { cmd: ['sh', '-c', script], timeout_s: timeoutS });
  if (r.status !== 200) throw new Error(`exec in ${id} answered ${r.status}: ${JSON.stringify(r.body)}`);
  return String(r.body.stdout);
}

/** A POST from inside the sandbox: prints "<status> <body…>" or "error <message>". */
export const POST_SCRIPT =
  "const [url, key, body] = process.argv.slice(1);" +
  "fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': key, 'anthropic-version': '2023-06-01' }, body })" +
  ".then(async (r) => console.log(r.status + ' ' + (await r.text()).slice(0, 300))).catch((e) => console.log('error ' + e.message));";
