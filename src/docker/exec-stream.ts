/**
 * One exec, run to completion with a deadline and capped output.
 *
 * The command runs under coreutils `timeout`, which signals its whole process
 * group, so a shell that spawned children is killed too. A process that went
 * to the background still holding stdout would keep Docker's stream open
 * forever; we watch the exec's own state and stop reading once it has exited.
 */
import type Docker from 'dockerode';
import type { ExecOptions, ExecResult } from './engine.js';

const KILL_AFTER_S = 2;
const DEADLINE_SLACK_MS = 5000;
const POLL_MS = 500;
const DRAIN_MS = 200;
/** Every this many polls of the exec, the container's own state is read too. */
const CONTAINER_POLL_EVERY = 4;

/** One stream's output up to the limit: kept for the result, or handed on as it comes (`pass`). */
class CappedBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  truncated = false;

  constructor(
    private readonly limit: number,
    private readonly pass?: (chunk: Buffer) => void,
  ) {}

  push(chunk: Buffer): void {
    const room = this.limit - this.size;
    if (room <= 0) {
      if (chunk.length > 0) this.truncated = true;
      return;
    }
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    if (part.length < chunk.length) this.truncated = true;
    this.size += part.length;
    if (this.pass) this.pass(part);
    else this.chunks.push(part);
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/** Splits Docker's multiplexed stream: 8-byte header (type, 0, 0, 0, uint32 size) then payload. */
export class Demuxer {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly sink: (streamType: number, payload: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= 8) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + size) break;
      this.sink(this.pending[0], this.pending.subarray(8, 8 + size));
      this.pending = this.pending.subarray(8 + size);
    }
  }
}

export async function runExec(container: Docker.Container, opts: ExecOptions): Promise<ExecResult> {
  const started = performance.now();
  const exec = await container.exec({
    Cmd: ['timeout', '-k', String(KILL_AFTER_S), String(opts.timeoutS), ...opts.cmd],
    Env: opts.env,
    WorkingDir: opts.cwd,
    User: opts.user,
    AttachStdin: false,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
  });
  const stream = (await exec.start({ hijack: true, stdin: false }));
  const onOutput = opts.onOutput;
  const stdout = new CappedBuffer(opts.outputLimitBytes, onOutput && ((c) => onOutput('stdout', c)));
  const stderr = new CappedBuffer(opts.outputLimitBytes, onOutput && ((c) => onOutput('stderr', c)));
  const demux = new Demuxer((type, payload) => (type === 2 ? stderr : stdout).push(payload));

  let deadlineHit = false;
  await new Promise<void>((resolve) => {
    let finished = false;
    const timers: NodeJS.Timeout[] = [];
    const finish = (): void => {
      if (finished) return;
      finished = true;
      for (const t of timers) clearTimeout(t);
      clearInterval(poller);
      stream.destroy();
      resolve();
    };
    stream.on('data', (c: Buffer) => demux.push(c));
    stream.on('end', finish);
    stream.on('close', finish);
    stream.on('error', finish);
    timers.push(
      setTimeout(() => {
        deadlineHit = true;
        finish();
      }, opts.timeoutS * 1000 + KILL_AFTER_S * 1000 + DEADLINE_SLACK_MS),
    );
    let polls = 0;
    const poller = setInterval(() => {
      exec.inspect().then(
        (info) => {
          if (!info.Running && !finished) timers.push(setTimeout(finish, DRAIN_MS));
        },
        () => undefined,
      );
      // Under gVisor an exec outlives a sandbox that died under it (memory, pids): Docker keeps it "running".
      if (++polls % CONTAINER_POLL_EVERY === 0) {
        container.inspect().then(
          (info) => {
            if (!info.State.Running && !finished) timers.push(setTimeout(finish, DRAIN_MS));
          },
          () => undefined,
        );
      }
    }, POLL_MS);
  });

  let exitCode: number | null;
  try {
    const info = await exec.inspect();
    exitCode = info.Running ? null : info.ExitCode;
  } catch {
    exitCode = null;
  }
  const durationMs = Math.round(performance.now() - started);
  const timedOut =
    deadlineHit || ((exitCode === 124 || exitCode === 137) && durationMs >= opts.timeoutS * 1000 - 50);
  return {
    exitCode,
    stdout: stdout.text(),
    stderr: stderr.text(),
    timedOut,
    truncated: stdout.truncated || stderr.truncated,
    durationMs,
  };
}
