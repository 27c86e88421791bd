/**
 * Which container runtimes Docker has. Asked at start and on every /readyz, so
 * a runtime registered or removed since (a daemon.json change and a reload) is
 * noticed without restarting sandboxd. A create naming a runtime Docker lacks
 * is refused before anything is written; a default runtime Docker lacks makes
 * /readyz 503 naming it.
 */
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { ContainerEngine } from '../docker/engine.js';
import { dockerRuntime } from '../docker/spec.js';
import type { Runtime } from '../domain/sandbox.js';
import { InvalidError } from '../errors.js';

export type RuntimesConfig = Pick<Config, 'defaultRuntime' | 'gvisorRuntime'>;

/** What the lifecycle asks before a create. */
export type RuntimeCheck = Pick<RuntimeCatalog, 'require'>;

const REGISTER_HINT = 'register it with ./install.sh --runtime gvisor (README, "Runtimes")';

export class RuntimeCatalog {
  /** Docker's answer last time it was asked; null before the first answer. */
  private known: readonly string[] | null = null;

  constructor(
    private readonly cfg: RuntimesConfig,
    private readonly engine: Pick<ContainerEngine, 'runtimes'>,
    private readonly log: Logger,
  ) {}

  /** Asks Docker again; logs when the answer changed. */
  async refresh(): Promise<readonly string[]> {
    const names = await this.engine.runtimes();
    if (this.known === null || this.known.join() !== names.join()) this.log.info({ runtimes: names }, 'docker runtimes');
    this.known = names;
    return names;
  }

  /**
   * Resolves when Docker has the runtime; otherwise InvalidError (400). A
   * runtime missing from the last answer is asked for again first: it may have
   * been registered since.
   */
  async require(runtime: Runtime): Promise<void> {
    const name = dockerRuntime(runtime, this.cfg);
    if (this.known?.includes(name)) return;
    const names = await this.refresh();
    if (!names.includes(name)) {
      throw new InvalidError(`runtime: "${runtime}" needs the Docker runtime "${name}", which this engine does not have (it has ${names.join(', ')}); ${REGISTER_HINT}`);
    }
  }

  /** /readyz: throws naming the default runtime when Docker does not have it. */
  async checkDefault(): Promise<void> {
    const { defaultRuntime } = this.cfg;
    const name = dockerRuntime(defaultRuntime, this.cfg);
    const names = await this.refresh();
    if (!names.includes(name)) {
      throw new Error(
        `runtime: the default runtime "${defaultRuntime}" (SANDBOXD_DEFAULT_RUNTIME) needs the Docker runtime "${name}", which Docker does not have (it has ${names.join(', ')}); ${REGISTER_HINT}`,
      );
    }
  }
}
