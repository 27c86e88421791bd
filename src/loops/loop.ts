/**
 * The one loop primitive: the first tick runs at once, ticks never overlap,
 * a failed tick is logged and the loop goes on, and stop() waits for the tick
 * in flight.
 */
import type { Logger } from 'pino';
import { noteStoreError } from '../telemetry/metrics.js';

export interface Loop {
  /** Runs one tick now (after the one in flight, if any) and resolves with its result. */
  trigger(): Promise<void>;
  stop(): Promise<void>;
}

export interface LoopOptions {
  name: string;
  intervalMs: number;
  tick: () => Promise<unknown>;
  log: Logger;
  /** Skip the immediate first tick (when the caller already ran one at boot). */
  delayFirst?: boolean;
}

export function startLoop(opts: LoopOptions): Loop {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();

  const runTick = (): Promise<void> => {
    const next = inFlight.then(async () => {
      if (stopped) return;
      try {
        await opts.tick();
      } catch (err) {
        noteStoreError(err);
        opts.log.error({ loop: opts.name, err }, 'loop tick failed');
      }
    });
    inFlight = next;
    return next;
  };

  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      void runTick().then(schedule);
    }, opts.intervalMs);
    timer.unref();
  };

  if (opts.delayFirst) schedule();
  else void runTick().then(schedule);

  return {
    trigger: runTick,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await inFlight;
    },
  };
}
