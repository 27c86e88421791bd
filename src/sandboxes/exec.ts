/**
 * Running commands in a sandbox. The sandbox is started first when stopped;
 * the exec itself runs outside the per-id lock (a long exec must not block a
 * stop), and counts as activity for as long as it runs.
 */
import { ulid } from 'ulid';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { ContainerEngine, ExecResult } from '../docker/engine.js';
import { InvalidError } from '../errors.js';
import { SANDBOX_APP_DIR, SANDBOX_LOG_DIR, execExitName, execLogName } from '../domain/layout.js';
import { metrics } from '../telemetry/metrics.js';
import type { ActivityTracker } from './activity.js';
import type { SandboxService } from './service.js';

export interface ExecInput {
  cmd: string[];
  env?: Record<string, string>;
  cwd?: string;
  timeoutS?: number;
}

export interface BackgroundExec {
  id: string;
  logPath: string;
}

/** A streamed exec: told when the command is about to start, then given its output as it comes. */
export interface ExecStream {
  started(): void;
  output(stream: 'stdout' | 'stderr', chunk: Buffer): void;
}

export type ExecConfig = Pick<Config, 'execDefaultTimeoutS' | 'execMaxTimeoutS' | 'execOutputLimitBytes'>;

function envList(...maps: Record<string, string>[]): string[] {
  return Object.entries(Object.assign({}, ...maps) as Record<string, string>).map(([k, v]) => `${k}=${v}`);
}

export class ExecService {
  constructor(
    private readonly cfg: ExecConfig,
    private readonly sandboxes: Pick<SandboxService, 'ensureRunning' | 'env' | 'touch'>,
    private readonly activity: Pick<ActivityTracker, 'begin'>,
    private readonly engine: ContainerEngine,
    private readonly log: Logger,
  ) {}

  private timeout(t: number | undefined): number {
    const s = t ?? this.cfg.execDefaultTimeoutS;
    if (s > this.cfg.execMaxTimeoutS) throw new InvalidError(`timeout_s: at most ${this.cfg.execMaxTimeoutS}`);
    return s;
  }

  /** With `stream`, the output goes there as it comes instead of into the result (whose stdout and stderr are then empty). */
  async run(id: string, input: ExecInput, stream?: ExecStream): Promise<ExecResult> {
    const timeoutS = this.timeout(input.timeoutS);
    const sb = await this.sandboxes.ensureRunning(id);
    const end = this.activity.begin(id);
    const observe = metrics.exec.startTimer();
    try {
      stream?.started();
      const result = await this.engine.exec(sb.containerId!, {
        cmd: input.cmd,
        env: envList(this.sandboxes.env(id), input.env ?? {}),
        cwd: input.cwd ?? SANDBOX_APP_DIR,
        timeoutS,
        outputLimitBytes: this.cfg.execOutputLimitBytes,
        onOutput: stream && ((s, chunk) => stream.output(s, chunk)),
      });
      this.log.info(
        { sandboxId: id, exitCode: result.exitCode, timedOut: result.timedOut, durationMs: result.durationMs },
        'exec finished',
      );
      observe({ outcome: result.timedOut ? 'timeout' : 'ok' });
      return result;
    } catch (err) {
      observe({ outcome: 'error' });
      throw err;
    } finally {
      end();
    }
  }

  /**
   * Starts the command detached, output to a log file in the workspace; returns
   * at once. Its exit code is written next to the log when it ends, which ends
   * a follow of that log.
   */
  async background(id: string, input: ExecInput): Promise<BackgroundExec> {
    const sb = await this.sandboxes.ensureRunning(id);
    const execId = ulid().toLowerCase();
    const logPath = `${SANDBOX_LOG_DIR}/${execLogName(execId)}`;
    await this.engine.execDetached(sb.containerId!, {
      cmd: ['sh', '-c', 'mkdir -p "${SBX_LOG%/*}" && { "$@" >>"$SBX_LOG" 2>&1 </dev/null; echo $? >"$SBX_EXIT"; }', 'sh', ...input.cmd],
      env: envList(this.sandboxes.env(id), input.env ?? {}, { SBX_LOG: logPath, SBX_EXIT: `${SANDBOX_LOG_DIR}/${execExitName(execId)}` }),
      cwd: input.cwd ?? SANDBOX_APP_DIR,
    });
    this.sandboxes.touch(id);
    this.log.info({ sandboxId: id, execId }, 'background exec started');
    return { id: execId, logPath };
  }
}
