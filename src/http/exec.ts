/** POST …/exec: foreground with a deadline and capped output, or background with a log file. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { HttpDeps } from './deps.js';
import { op, replies } from './replies.js';
import { backgroundExecSchema, execResultSchema } from './responses.js';
import { execBody, idParams } from './schemas.js';

const DESCRIPTION = `Runs as the sandbox user in /home/sandbox/workspace/app unless cwd says otherwise; a stopped sandbox is started first.
Foreground: waits up to timeout_s (the whole process group is killed then) and returns the output, each stream capped at SANDBOXD_EXEC_OUTPUT_LIMIT_BYTES.
background: true returns 202 at once with the log file's path.`;

export async function execRoutes(fastify: FastifyInstance, deps: HttpDeps): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  for (const path of ['/sandbox/:id/exec', '/v1/sandboxes/:id/exec']) {
    const schema = {
      ...op(path, 'execCommand', 'exec', 'Run a command', DESCRIPTION),
      params: idParams,
      body: execBody,
      response: replies({ 200: execResultSchema, 202: backgroundExecSchema }, 404, 502, 503),
    };
    app.post(path, { schema }, async (req, reply) => {
      const { cmd, env, cwd, timeout_s, background } = req.body;
      if (background) {
        const bg = await deps.exec.background(req.params.id, { cmd, env, cwd });
        return reply.code(202).send({ id: bg.id, background: true as const, log_path: bg.logPath });
      }
      const r = await deps.exec.run(req.params.id, { cmd, env, cwd, timeoutS: timeout_s });
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
