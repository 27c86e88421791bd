/**
 * First streamed byte of an exec: request sent → the first stdout bytes of
 * `echo first` arrive. Ours: POST …/exec with `stream: true`, read as SSE
 * until the first stdout event. Raw: what our exec does on the Engine API
 * (exec create, exec start attached), until the first output frame.
 */
import { bothSides, type BenchGroup } from '../lib/context.js';
import { Series } from '../lib/result.js';

const WARMUP = 3;
const KILL_AFTER_S = 2;

async function oursFirstByte(url: string): Promise<void> {
  const ac = new AbortController();
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ cmd: ['echo', 'first'], stream: true }),
    signal: ac.signal,
  });
  if (!res.ok || !res.body) throw new Error(`exec: ${res.status}`);
  const decoder = new TextDecoder();
  let text = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    text += decoder.decode(chunk, { stream: true });
    if (text.includes('event: stdout')) break;
    if (text.includes('event: exit')) throw new Error('exit before any output');
  }
  if (!text.includes('event: stdout')) throw new Error('stream ended without output');
  ac.abort();
}

export const execStream: BenchGroup = {
  name: 'exec-stream',
  async run(ctx) {
    const oursId = `b${ctx.tag}-xstream`;
    const rawId = `braw-${ctx.tag}-xstream`;
    ctx.progress('exec first byte: creating one sandbox each');
    await ctx.ours.create({ id: oursId });
    const c = await ctx.raw.createAndStart(await ctx.raw.prepare(rawId));
    const ours = new Series();
    const raw = new Series();
    const url = `${ctx.daemon.url}/v1/sandboxes/${oursId}/exec`;
    const rawFirstByte = async (): Promise<void> => {
      const exec = await c.exec({
        Cmd: ['timeout', '-k', String(KILL_AFTER_S), String(ctx.execTimeoutS), 'echo', 'first'],
        AttachStdout: true,
        AttachStderr: true,
        Tty: false,
      });
      const stream = await exec.start({ hijack: true, stdin: false });
      await new Promise<void>((resolve, reject) => {
        stream.once('data', () => resolve());
        stream.once('end', () => reject(new Error('stream ended without output')));
        stream.once('error', reject);
      });
      stream.destroy();
    };
    try {
      for (let i = 0; i < WARMUP; i++) await bothSides(i, () => oursFirstByte(url), rawFirstByte);
      for (let i = 0; i < ctx.settings.execN; i++) {
        ctx.progress(`exec first byte: ${i + 1}/${ctx.settings.execN}`);
        await bothSides(
          i,
          async () => void (await ours.time(() => oursFirstByte(url))),
          async () => void (await raw.time(rawFirstByte)),
        );
      }
    } finally {
      await ctx.ours.purge(oursId).catch(() => undefined);
      await ctx.raw.remove(rawId).catch(() => undefined);
    }
    return [{ kind: 'latency', op: 'exec first streamed byte (`echo first`)', ours, raw, note: `${WARMUP} untimed warm-up execs each; ours: POST …/exec stream:true (SSE)` }];
  },
};
