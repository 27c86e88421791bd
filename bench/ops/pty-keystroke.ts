/**
 * Keystroke round trip through a terminal: one byte typed, until its echo
 * comes back. Ours: a WebSocket to GET …/pty (the daemon's session, ring and
 * viewer fan-out on the way). Raw: what `docker exec -it` does, an exec with
 * Tty attached over the Engine API's hijacked stream. Both run `cat` on a
 * fresh terminal, whose line discipline echoes every byte at once.
 */
import Docker from 'dockerode';
import type { Duplex } from 'node:stream';
import WebSocket from 'ws';
import { bothSides, type BenchGroup } from '../lib/context.js';
import { Series } from '../lib/result.js';

const WARMUP = 20;

/** Sends one byte and resolves when it comes back; one at a time. */
class Echo {
  private waiting: { byte: number; resolve: () => void } | null = null;

  onData(chunk: Buffer): void {
    if (this.waiting && chunk.includes(this.waiting.byte)) {
      const w = this.waiting;
      this.waiting = null;
      w.resolve();
    }
  }

  roundTrip(send: (b: Buffer) => void, byte: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no echo within 5 s')), 5000);
      this.waiting = { byte, resolve: () => (clearTimeout(timer), resolve()) };
      send(Buffer.from([byte]));
    });
  }
}

async function oursTerminal(url: string): Promise<{ echo: Echo; ws: WebSocket }> {
  const ws = new WebSocket(url, ['sandboxed.pty.v1']);
  const echo = new Echo();
  ws.on('message', (data, isBinary) => isBinary && echo.onData(data as Buffer));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { echo, ws };
}

async function rawTerminal(c: Docker.Container): Promise<{ echo: Echo; stream: Duplex }> {
  const exec = await c.exec({ Cmd: ['cat'], AttachStdin: true, AttachStdout: true, AttachStderr: true, Tty: true });
  const stream = await exec.start({ hijack: true, stdin: true, Tty: true });
  await exec.resize({ w: 80, h: 24 });
  const echo = new Echo();
  stream.on('data', (c2: Buffer) => echo.onData(c2));
  return { echo, stream };
}

export const ptyKeystroke: BenchGroup = {
  name: 'pty',
  async run(ctx) {
    const oursId = `b${ctx.tag}-pty`;
    const rawId = `braw-${ctx.tag}-pty`;
    ctx.progress('pty keystroke: creating one sandbox each');
    await ctx.ours.create({ id: oursId });
    const c = await ctx.raw.createAndStart(await ctx.raw.prepare(rawId));
    const ours = new Series();
    const raw = new Series();
    const o = await oursTerminal(`${ctx.daemon.url.replace(/^http/, 'ws')}/v1/sandboxes/${oursId}/pty?cmd=cat`);
    const r = await rawTerminal(c);
    const n = Math.max(100, ctx.settings.execN * 4);
    try {
      // Letters only: the line discipline echoes them as they are.
      const byte = (i: number): number => 97 + (i % 26);
      for (let i = 0; i < WARMUP; i++) {
        await o.echo.roundTrip((b) => o.ws.send(b), byte(i));
        await r.echo.roundTrip((b) => r.stream.write(b), byte(i));
      }
      for (let i = 0; i < n; i++) {
        if (i % 20 === 0) ctx.progress(`pty keystroke: ${i + 1}/${n}`);
        await bothSides(
          i,
          async () => void (await ours.time(() => o.echo.roundTrip((b) => o.ws.send(b), byte(i)))),
          async () => void (await raw.time(() => r.echo.roundTrip((b) => r.stream.write(b), byte(i)))),
        );
      }
    } finally {
      o.ws.close();
      r.stream.destroy();
      await ctx.ours.purge(oursId).catch(() => undefined);
      await ctx.raw.remove(rawId).catch(() => undefined);
    }
    return [
      {
        kind: 'latency',
        op: 'pty keystroke round trip (echo of `cat`)',
        ours,
        raw,
        note: `${WARMUP} untimed warm-up keystrokes each; ours over a WebSocket, raw a Tty exec on the hijacked Engine API stream (docker exec -it)`,
      },
    ];
  },
};
