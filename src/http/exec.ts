/**
 * POST …/exec: foreground with a deadline and capped output, streamed as SSE
 * (`Accept: text/event-stream` or `stream: true`), or background with a log file.
 */
import { StringDecoder } from 'node:string_decoder';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { InvalidError } from '../errors.js';
import type { ExecInput } from '../sandboxes/exec.js';
import type { HttpDeps } from './deps.js';
import { op, replies } from './replies.js';
import { backgroundExecSchema, execResultSchema } from './responses.js';
import { execBody, idParams } from './schemas.js';
import { SseStreams, type SseMessage } from './sse.js';
import { execReply } from './stream-responses.js';

/** An explicit `text/event-stream` in Accept (a browser's or curl's default does not stream). */
function wantsEvents(req: FastifyRequest): boolean {
  return /(^|,)\s*text\/event-stream\s*(;|,|$)/i.test(req.headers.accept ?? '');
}

/**
 * The stream opens once the sandbox runs and the command starts (a missing or
 * sleeping-and-refused sandbox is still a plain 4xx/5xx), then stdout/stderr
 * chunks as UTF-8 text (a character cut between chunks waits for the rest),
 * then the exit event.
 */
async function streamExec(deps: HttpDeps, id: string, input: ExecInput, push: (m: SseMessage) => void, open: () => void): Promise<void> {
  const decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
  const emit = (stream: 'stdout' | 'stderr', text: string): void => {
    if (text !== '') push({ event: stream, data: { text } });
  };
  const r = await deps.exec.run(id, input, { started: open, output: (stream, chunk) => emit(stream, decoders[stream].write(chunk)) });
  emit('stdout', decoders.stdout.end());
  emit('stderr', decoders.stderr.end());
  push({ event: 'exit', data: { exit_code: r.exitCode, timed_out: r.timedOut, truncated: r.truncated, duration_ms: r.durationMs } });
}

const DESCRIPTION = `Runs as the sandbox user in /home/sandbox/workspace/app unless cwd says otherwise; a stopped sandbox is started first.
Foreground: waits up to timeout_s (the whole process group is killed then) and returns the output, each stream capped at SANDBOXD_EXEC_OUTPUT_LIMIT_BYTES.
Streamed (stream: true or Accept: text/event-stream): the output comes as SSE while the command runs, then an exit event; the stream opens once the command starts, so a missing sandbox or a refused wake is still a plain error.
background: true returns 202 at once with the log file's path and logs_url, where its log is read or followed.`;

export async function execRoutes(fastify: FastifyInstance, deps: HttpDeps): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const streams = new SseStreams();
  app.addHook('preClose', async () => streams.closeAll());
  for (const path of ['/sandbox/:id/exec', '/v1/sandboxes/:id/exec']) {
    const schema = {
      ...op(path, 'execCommand', 'exec', 'Run a command', DESCRIPTION),
      params: idParams,
      body: execBody,
      response: replies({ 200: execReply(execResultSchema), 202: backgroundExecSchema }, 404, 502, 503),
    };
    app.post(path, { sse: 'manual', schema }, async (req, reply) => {
      const { cmd, env, cwd, timeout_s, background, stream } = req.body;
      if (background) {
        if (stream) throw new InvalidError('stream: a background exec does not stream; follow its log instead');
        const bg = await deps.exec.background(req.params.id, { cmd, env, cwd });
        return reply.code(202).send({ id: bg.id, background: true as const, log_path: bg.logPath, logs_url: `/v1/sandboxes/${req.params.id}/exec/${bg.id}/logs` });
      }
      const input = { cmd, env, cwd, timeoutS: timeout_s };
      if (stream || wantsEvents(req)) {
        return streams.push(reply, (push, open) => streamExec(deps, req.params.id, input, push, open));
      }
      const r = await deps.exec.run(req.params.id, input);
      return {
        exit_code: r.exitCode,
        stdout: r.stdout,
        stderr: r.stderr,
        timed_out: r.timedOut,
        truncated: r.truncated,
        duration_ms: r.durationMs,
      };
    });
  }
}
