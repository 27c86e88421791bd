/**
 * Composition root: builds every component from the config, then starts and
 * stops them in a fixed order. Tests pass overrides (a logger, an engine).
 */
import type { FastifyInstance } from 'fastify';
import { chmodSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { DockerodeEngine } from './docker/dockerode-engine.js';
import type { ContainerEngine } from './docker/engine.js';
import { disksDir, runtimesDir, snapshotsDir, stateDir, workspacesDir } from './domain/layout.js';
import { statusOf } from './domain/sandbox.js';
import { createEdge, type Edge } from './edge/index.js';
import { loadPreviewKey, PreviewTokens } from './edge/tokens.js';
import { EventBus } from './events/bus.js';
import { WebhookDispatcher } from './events/webhooks.js';
import { buildApi } from './http/app.js';
import { deriveSessionKey } from './http/session-cookie.js';
import { createLogger } from './log.js';
import { ExpiryReaper } from './loops/expiry.js';
import { IdleReaper } from './loops/idle.js';
import { startLoop, type Loop } from './loops/loop.js';
import { Reconciler } from './loops/reconciler.js';
import { ActivityTracker } from './sandboxes/activity.js';
import { ExecService } from './sandboxes/exec.js';
import { Images } from './sandboxes/images.js';
import { readMemory } from './sandboxes/memory.js';
import { SandboxNetwork } from './sandboxes/network.js';
import { RuntimeCatalog } from './sandboxes/runtimes.js';
import { SandboxService } from './sandboxes/service.js';
import { UsageMeter } from './sandboxes/usage.js';
import { SandboxView } from './sandboxes/view.js';
import { openDb, pingDb, type Db } from './store/db.js';
import { PreviewEpochStore } from './store/preview.js';
import { DeliveryStore } from './store/deliveries.js';
import { EventStore } from './store/events.js';
import { PoolStore } from './store/pool.js';
import { SandboxStore } from './store/sandboxes.js';
import { TaskStore } from './store/tasks.js';
import { TaskService } from './tasks/service.js';
import { SnapshotService } from './snapshots/service.js';
import { SnapshotStore } from './store/snapshots.js';
import { collectProcessMetrics, countPoolFrom, countSandboxesFrom } from './telemetry/metrics.js';
import { createMetricsServer } from './telemetry/metrics-server.js';
import { LogService } from './terminals/logs.js';
import { TerminalService } from './terminals/service.js';
import { FilesService } from './workspaces/files.js';
import { Workspaces } from './workspaces/workspaces.js';
import { buildGateway } from './daemon-gateway.js';
import { loadSecretKey } from './store/sealed.js';

/** How often the event store and the finished deliveries are pruned to their bounds. */
const EVENT_PRUNE_MS = 60_000;

/** src/ and dist/ both sit one level below the package root. */
function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

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
  const child = (component: string): Logger => log.child({ component });
  // Only root walks the data dir: tenants' trees are reached through mounts Docker makes as root.
  for (const dir of [workspacesDir(config.dataDir), runtimesDir(config.dataDir), disksDir(config.dataDir), snapshotsDir(config.dataDir)]) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
  }
  const db = openDb(path.join(stateDir(config.dataDir), 'sandboxd.db'));
  // Env values and task keys are sealed at rest under a key beside the database.
  const secretKey = loadSecretKey(config.dataDir);
  // The edge's in-memory view of every row: filled once, then told of every change by the store.
  const view = new SandboxView();
  const epochs = new PreviewEpochStore(db);
  const store = new SandboxStore(db, secretKey, (id, row) => {
    view.changed(id, row);
    if (!row) epochs.forget(id);
  });
  view.fill(store.listAll());
  const engine = overrides.engine ?? new DockerodeEngine(config.dockerSocket);
  const activity = new ActivityTracker((batch) => store.touchMany(batch), {
    onError: (err) => log.warn({ err }, 'activity batch not written'),
  });
  const workspaces = new Workspaces(config, child('workspaces'));

  // The model gateway and the egress proxy (daemon-gateway.ts); the task service is made below.
  const taskStore = new TaskStore(db);
  const { gateway, egress, grants, forTasks, listeners } = buildGateway(config, { db, secretKey, engine, store, view, taskStore, tasks: () => tasks, child });

  // Isolation fails closed: the lifecycle asks it before every container start, /readyz reports it.
  const network = new SandboxNetwork(config, engine, child('network'), listeners);
  // Which runtimes Docker has: a create naming one it lacks is a 400, a default it lacks a /readyz reason.
  const runtimes = new RuntimeCatalog(config, engine, child('runtimes'));
  // Lifecycle events: one bus, handed to every owner of a change; webhooks are sent from its store.
  const eventStore = new EventStore(db);
  const deliveryStore = new DeliveryStore(db);
  const events = new EventBus({ store: eventStore, lookup: (id) => store.get(id), webhooks: config.webhooks, maxPending: config.webhookMaxPending, log: child('events') });
  const webhooks = new WebhookDispatcher(config, deliveryStore, child('webhooks'), packageVersion());
  events.onQueued((names) => webhooks.wake(names));
  const images = new Images(config, engine);
  const sandboxes = new SandboxService({
    config,
    store,
    engine,
    activity,
    workspaces,
    readMemory: () => readMemory(config.meminfoPath, config.cgroupRoot),
    log: child('sandboxes'),
    network,
    poolStore: new PoolStore(db, store),
    events,
    view,
    runtimes,
  });
  const exec = new ExecService(config, sandboxes, activity, engine, child('exec'));
  const files = new FilesService(workspaces, { maxFileBytes: config.maxFileBytes });
  const snapshots = new SnapshotService(config, new SnapshotStore(db), sandboxes, workspaces, child('snapshots'));
  const checkpoint = async (sandboxId: string, taskId: string): Promise<string> => (await snapshots.take(sandboxId, { kind: 'checkpoint', taskId })).id;
  const tasks = new TaskService(
    config,
    taskStore,
    sandboxes,
    activity,
    engine,
    checkpoint,
    child('tasks'),
    forTasks,
    events,
  );
  const terminals = new TerminalService(config, sandboxes, activity, engine, child('terminals'));
  const logs = new LogService(sandboxes, workspaces);
  const reconciler = new Reconciler(sandboxes, child('reconciler'), async () => {
    await network.ensure();
    await sandboxes.remountWorkspaces();
  });
  const idle = new IdleReaper(sandboxes, activity, config.idleThresholdMs, child('idle-reaper'));
  // Lifetimes: a purge on expiry takes the sandbox's snapshots with it, as POST …/purge does.
  const expiry = new ExpiryReaper(sandboxes, activity, (id) => snapshots.purgeFor(id), child('expiry'));

  const checkReady = async (): Promise<void> => {
    try {
      pingDb(db);
    } catch (err) {
      throw new Error(`sqlite: ${(err as Error).message}`, { cause: err });
    }
    await engine.ping().catch((err: Error) => {
      throw new Error(`docker: ${err.message}`, { cause: err });
    });
    const disks = workspaces.failure();
    if (disks) throw new Error(disks);
    if ((await engine.imageId(config.image)) === null) throw new Error(`image ${config.image} (SANDBOXD_IMAGE) is not on this host; build it with images/build.sh`);
    await runtimes.checkDefault();
    await network.guard();
  };

  const previewKey = loadPreviewKey(config.dataDir);
  const previews = new PreviewTokens(previewKey, epochs, sandboxes, config);
  const edge = createEdge({ config, sandboxes, activity, engine, tokens: previews, log: child('edge'), events });
  // The dashboard's extras: usage samples, host memory, and its session key (derived: kept with the preview key).
  const usage = new UsageMeter({ engine, config, list: () => sandboxes.list(), get: (id) => sandboxes.get(id) });
  const dashboard = { usage, readMemory: () => readMemory(config.meminfoPath, config.cgroupRoot), sessionKey: deriveSessionKey(previewKey) };
  const api = await buildApi({ config, sandboxes, exec, files, reconciler, checkReady, previews, tasks, snapshots, terminals, logs, events, webhooks, images, ...dashboard }, log);
  const loops: Loop[] = [];
  const pruneEvents = (): void => {
    eventStore.prune(config.eventsMaxCount, config.eventsMaxAgeMs);
    deliveryStore.prune(config.eventsMaxCount * Math.max(1, config.webhooks.length), config.eventsMaxAgeMs);
  };

  // Metrics: Node's own, live sandboxes counted from SQLite at scrape time, and their own listener when set.
  collectProcessMetrics();
  countSandboxesFrom(() => sandboxes.list().map(statusOf));
  countPoolFrom(() => sandboxes.pool.entries());
  const metricsServer = config.metricsBind ? createMetricsServer(config.metricsBind, config.apiHostnames) : null;

  return {
    config,
    api,
    db,
    engine,
    sandboxes,
    reconciler,
    edge,
    async start() {
      await workspaces.selfTest();
      await runtimes.checkDefault().catch((err: Error) => log.error({ err }, 'the default runtime is not available; /readyz says why'));
      // A snapshot or restore the last daemon died in: thaw every disk, end restores fully old or new.
      await workspaces.thawAll();
      await snapshots.recover();
      await snapshots.sweep((id) => sandboxes.lookup(id));
      // Docker may be down at boot: say so, serve /readyz as 503, and let the loop retry.
      try {
        // A claim or fill the last daemon died in is undone before the reconciler looks at the rows.
        await sandboxes.pool.recover();
        const boot = await reconciler.reconcileOnce();
        log.info({ ...boot, errors: boot.errors.length }, 'boot reconcile done');
      } catch (err) {
        log.error({ err }, 'boot reconcile failed; retrying in the background');
      }
      // After the reconcile: a task whose sandbox did not survive is failed, the others followed again.
      grants.sweep();
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
      loops.push(startLoop({ name: 'pressure-reaper', intervalMs: config.pressureCheckIntervalMs, tick: () => sandboxes.relieve(), log }));
      // Events and finished deliveries are kept bounded; pending deliveries are sent from the store (a restart resumes them).
      webhooks.start();
      loops.push(startLoop({ name: 'event-prune', intervalMs: EVENT_PRUNE_MS, tick: async () => pruneEvents(), log }));
      loops.push(startLoop({ name: 'expiry', intervalMs: config.expiryCheckIntervalMs, tick: () => expiry.expireOnce(), log }));

      const apiUrl = await api.listen({ host: config.apiHost, port: config.apiPort });
      log.info({ apiUrl }, 'api listening');
      const edgeUrl = await edge.listen();
      // The warm pool fills once the API listens: the first creates need not wait for it.
      const pool = startLoop({ name: 'pool', intervalMs: config.poolCheckIntervalMs, tick: () => sandboxes.pool.tick(), log });
      sandboxes.pool.onTaken(() => void pool.trigger());
      loops.push(pool);
      if (metricsServer) log.info({ url: await metricsServer.listen() }, 'metrics listening');
      return { apiUrl, edgeUrl };
    },
    async stop() {
      // Sessions live in this process: their processes are killed and their viewers told (1001).
      await terminals.closeAll();
      await metricsServer?.close();
      await edge.close();
      await api.close();
      await webhooks.stop();
      await Promise.all(loops.map((l) => l.stop()));
      await tasks.stop();
      activity.flush();
      await gateway.close();
      await egress.close();
      db.close();
      log.info('stopped');
    },
  };
}
