/**
 * Composition root: builds every component from the config, then starts and
 * stops them in a fixed order. Tests pass overrides (a logger, an engine).
 */
import type { FastifyInstance } from 'fastify';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { DockerodeEngine } from './docker/dockerode-engine.js';
import type { ContainerEngine } from './docker/engine.js';
import { LABEL_INSTANCE, LABEL_KIND, LABEL_MANAGED } from './docker/labels.js';
import { createEdge, labelsForEdge, type Edge } from './edge/index.js';
import { loadPreviewKey, PreviewTokens } from './edge/tokens.js';
import { buildApi } from './http/app.js';
import { createLogger } from './log.js';
import { startLoop, type Loop } from './loops/loop.js';
import { IdleReaper } from './loops/idle.js';
import { applyIsolation, readResolvers, sweepIsolation } from './network/isolation.js';
import { readMemory } from './loops/memory.js';
import { PressureReaper } from './loops/pressure.js';
import { Reconciler } from './loops/reconciler.js';
import { ActivityTracker } from './sandboxes/activity.js';
import { ExecService } from './sandboxes/exec.js';
import { SandboxService } from './sandboxes/service.js';
import { openDb, type Db } from './store/db.js';
import { PreviewEpochStore } from './store/preview.js';
import { SandboxStore } from './store/sandboxes.js';
import { TaskStore } from './store/tasks.js';
import { DEFAULT_TASK_CONFIG, TaskService } from './tasks/service.js';
import { FilesService } from './workspaces/files.js';
import { stateDir, workspacesDir } from './workspaces/paths.js';

export interface DaemonOverrides {
  log?: Logger;
  engine?: ContainerEngine;
}

export interface Daemon {
  config: Readonly<Config>;
  api: FastifyInstance;
  db: Db;
  engine: ContainerEngine;
  sandboxes: SandboxService;
  reconciler: Reconciler;
  edge: Edge;
  /** Reconcile once, then listen and start the loops. Returns the API and edge addresses. */
  start(): Promise<{ apiUrl: string; edgeUrl: string | null }>;
  stop(): Promise<void>;
}

export async function buildDaemon(config: Readonly<Config>, overrides: DaemonOverrides = {}): Promise<Daemon> {
  const log = overrides.log ?? createLogger(config.logLevel);
  mkdirSync(workspacesDir(config.dataDir), { recursive: true, mode: 0o755 });
  mkdirSync(path.join(config.dataDir, 'runtime'), { recursive: true, mode: 0o711 });
  const db = openDb(path.join(stateDir(config.dataDir), 'sandboxd.db'));
  const store = new SandboxStore(db);
  const engine = overrides.engine ?? new DockerodeEngine(config.dockerSocket);
  const activity = new ActivityTracker((id, at) => store.touch(id, at));
  const sandboxes = new SandboxService(config, store, engine, activity, log.child({ component: 'sandboxes' }), labelsForEdge(config));
  const exec = new ExecService(config, sandboxes, store, engine, log.child({ component: 'exec' }));
  const files = new FilesService({ dataDir: config.dataDir, maxFileBytes: config.maxFileBytes });
  const tasks = new TaskService(
    {
      ...DEFAULT_TASK_CONFIG,
      defaultTimeoutS: config.taskDefaultTimeoutS,
      maxTimeoutS: config.taskMaxTimeoutS,
      dataDir: config.dataDir,
    },
    new TaskStore(db),
    store,
    sandboxes,
    engine,
    log.child({ component: 'tasks' }),
  );

  const ensureNetwork = async (): Promise<void> => {
    const outcome = await engine.ensureNetwork({
      name: config.network,
      labels: { [LABEL_MANAGED]: 'true', [LABEL_INSTANCE]: config.instance, [LABEL_KIND]: 'sandbox-network' },
      icc: false,
    });
    if (outcome === 'created') log.info({ network: config.network }, 'sandbox network created');
    if (!config.networkIsolation) return;
    const net = await engine.inspectNetwork(config.network);
    await applyIsolation(net.id, net.bridge, {
      mode: config.egressMode,
      allow: config.egressAllow,
      deny: config.egressDeny,
      allowHostPorts: config.egressAllowHostPorts,
      resolvers: readResolvers(),
    });
    const swept = await sweepIsolation(() => engine.listNetworkIds());
    if (swept.length > 0) log.info({ networks: swept }, 'removed isolation chains of networks that are gone');
  };
  const reconciler = new Reconciler(config.instance, store, engine, sandboxes, log.child({ component: 'reconciler' }), ensureNetwork);

  const idle = new IdleReaper(sandboxes, config.idleThresholdMs, log.child({ component: 'idle-reaper' }));
  const pressure = new PressureReaper(
    { floorMb: config.memoryFloorMb, wakeReserveMb: config.wakeReserveMb },
    sandboxes,
    () => readMemory(config.meminfoPath, config.cgroupRoot),
    log.child({ component: 'pressure-reaper' }),
  );
  sandboxes.setAdmission((id) => pressure.admit(id));

  const checkReady = async (): Promise<void> => {
    try {
      db.prepare('SELECT 1').get();
    } catch (err) {
      throw new Error(`sqlite: ${(err as Error).message}`);
    }
    await engine.ping().catch((err: Error) => {
      throw new Error(`docker: ${err.message}`);
    });
  };

  const previews = new PreviewTokens(loadPreviewKey(config.dataDir), new PreviewEpochStore(db), sandboxes, config);
  const edge = createEdge({ config, sandboxes, engine, tokens: previews, log: log.child({ component: 'edge' }) });
  const api = await buildApi({ config, sandboxes, exec, files, reconciler, checkReady, previews, tasks }, log);
  const loops: Loop[] = [];

  return {
    config,
    api,
    db,
    engine,
    sandboxes,
    reconciler,
    edge,
    async start() {
      // Docker may be down at boot: say so, serve /readyz as 503, and let the loop retry.
      try {
        const boot = await reconciler.reconcileOnce();
        log.info({ ...boot, errors: boot.errors.length }, 'boot reconcile done');
      } catch (err) {
        log.error({ err }, 'boot reconcile failed; retrying in the background');
      }
      // After the reconcile: a task whose sandbox did not survive is failed, the others followed again.
      await tasks.resume();
      loops.push(
        startLoop({
          name: 'reconciler',
          intervalMs: config.reconcileIntervalMs,
          tick: () => reconciler.reconcileOnce(),
          log,
          delayFirst: true,
        }),
      );
      loops.push(startLoop({ name: 'idle-reaper', intervalMs: config.idleCheckIntervalMs, tick: () => idle.reapOnce(), log }));
      loops.push(startLoop({ name: 'pressure-reaper', intervalMs: config.pressureCheckIntervalMs, tick: () => pressure.reapOnce(), log }));
      const apiUrl = await api.listen({ host: config.apiHost, port: config.apiPort });
      log.info({ apiUrl }, 'api listening');
      const edgeUrl = await edge.listen();
      return { apiUrl, edgeUrl };
    },
    async stop() {
      await edge.close();
      await api.close();
      await Promise.all(loops.map((l) => l.stop()));
      await tasks.stop();
      db.close();
      log.info('stopped');
    },
  };
}
