/**
 * Commands in a sandbox: `exec(cmd)` waits for the result, `exec.stream(cmd)`
 * yields stdout and stderr as they come and then the exit, `exec.background(cmd)`
 * starts a long-running process whose log `logs` follows. A command given as
 * one string runs under `sh -c`; an array is the argv itself.
 */
import { SandboxedError } from './errors.js';
import type { components } from './generated/api.js';
import type { Http } from './http.js';
import { readSse } from './sse.js';
import type { BackgroundExec, ExecExit, ExecInput, ExecResult } from './types.js';

type Schemas = components['schemas'];

export type Command = string | string[];

export interface ExecOptions {
  env?: Record<string, string>;
  /** Absolute; default /home/sandbox/workspace/app. */
  cwd?: string;
  /** Seconds; the whole process group is killed after it. */
  timeout_s?: number;
  signal?: AbortSignal;
}

/** What a streamed exec yields: output as it comes (UTF-8 text), then the exit. */
export type ExecChunk = { type: 'stdout'; text: string } | { type: 'stderr'; text: string } | ({ type: 'exit' } & ExecExit);

export interface Exec {
  /** Runs the command and answers when it ends (output capped at 1 MiB per stream). A stopped sandbox is started first. */
  (cmd: Command, opts?: ExecOptions): Promise<ExecResult>;
  /** Runs the command and yields its output as it comes, then its exit. The command runs on if the caller stops reading. */
  stream(cmd: Command, opts?: ExecOptions): AsyncGenerator<ExecChunk>;
  /** Starts the command in the background; its output goes to a log (see `Sandbox.logs`). */
  background(cmd: Command, opts?: Omit<ExecOptions, 'timeout_s'>): Promise<BackgroundExec>;
}

export function argv(cmd: Command): string[] {
  return typeof cmd === 'string' ? ['sh', '-c', cmd] : cmd;
}

function body(cmd: Command, opts: ExecOptions): ExecInput {
  return { cmd: argv(cmd), env: opts.env, cwd: opts.cwd, timeout_s: opts.timeout_s };
}

async function* stream(http: Http, id: string, cmd: Command, opts: ExecOptions): AsyncGenerator<ExecChunk> {
  const res = await http.send('post', '/v1/sandboxes/{id}/exec', {
    path: { id },
    body: JSON.stringify({ ...body(cmd, opts), stream: true } satisfies ExecInput),
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    signal: opts.signal,
  });
  const requestId = res.headers.get('x-request-id') ?? undefined;
  if (!res.body) throw new SandboxedError(0, 'the exec stream has no body', { requestId });
  try {
    for await (const m of readSse(res.body)) {
      if (m.event === 'stdout' || m.event === 'stderr') yield { type: m.event, text: (JSON.parse(m.data) as Schemas['ExecOutputEvent']).text };
      else if (m.event === 'exit') {
        yield { type: 'exit', ...(JSON.parse(m.data) as ExecExit) };
        return;
      } else if (m.event === 'error') throw new SandboxedError(500, (JSON.parse(m.data) as Schemas['StreamErrorEvent']).error, { requestId });
    }
  } catch (err) {
    throw SandboxedError.noAnswer('exec stream', err);
  }
  throw new SandboxedError(0, 'the exec stream ended before the command’s exit', { requestId });
}

export function makeExec(http: Http, id: string): Exec {
  const run = async (cmd: Command, opts: ExecOptions = {}): Promise<ExecResult> => {
    const r = await http.call('post', '/v1/sandboxes/{id}/exec', { path: { id }, body: body(cmd, opts), signal: opts.signal });
    return r as ExecResult;
  };
  return Object.assign(run, {
    stream: (cmd: Command, opts: ExecOptions = {}) => stream(http, id, cmd, opts),
    background: async (cmd: Command, opts: Omit<ExecOptions, 'timeout_s'> = {}): Promise<BackgroundExec> => {
      const r = await http.call('post', '/v1/sandboxes/{id}/exec', { path: { id }, body: { ...body(cmd, opts), background: true }, signal: opts.signal });
      return r as BackgroundExec;
    },
  });
}
