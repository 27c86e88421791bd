/** POST …/exec: foreground with a deadline and capped output, or background with a log file. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { HttpDeps } from './deps.js';
import { execBody, idParams } from './schemas.js';

export async function execRoutes(fastify: FastifyInstance, deps: HttpDeps): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  for (const path of ['/sandbox/:id/exec', '/v1/sandboxes/:id/exec']) {
    app.post(path, { schema: { params: idParams, body: execBody } }, async (req, reply) => {
      const { cmd, env, cwd, timeout_s, background } = req.body;
      if (background) {
        const bg = await deps.exec.background(req.params.id, { cmd, env, cwd });
        return reply.code(202).send({ id: bg.id, background: true, log_path: bg.logPath });
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
