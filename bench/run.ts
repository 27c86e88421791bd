/**
 * `npm run bench`: our API beside the raw Docker Engine API, same container
 * spec, same run. Boots a throwaway daemon, runs the operation groups in
 * order, prints one table and writes the same figures to
 * bench/results/latest.json. Everything it creates carries the instance label
 * `bench-<tag>` (raw containers `bench-<tag>-raw`) and is removed at the end,
 * also after a failure or Ctrl-C. Figures only: nothing here asserts on time.
 */
import Docker from 'dockerode';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { removeLabelled } from './lib/cleanup.js';
import type { BenchContext, BenchGroup } from './lib/context.js';
import { sleep, startBenchDaemon, type BenchDaemon } from './lib/daemon.js';
import { OursApi } from './lib/ours.js';
import { RawEngine } from './lib/raw.js';
import { rowToJson, type ResultRow } from './lib/result.js';
import { readSettings } from './lib/settings.js';
import { renderTable } from './lib/table.js';
import { edgeScale } from './ops/edge-scale.js';
import { edgeThroughput } from './ops/edge-throughput.js';
import { egressGroup } from './ops/egress.js';
import { startEgressServers, type EgressServers } from './lib/egress-servers.js';
import { execRoundTrip } from './ops/exec-round-trip.js';
import { execStream } from './ops/exec-stream.js';
import { ptyKeystroke } from './ops/pty-keystroke.js';
import { idleOverhead } from './ops/idle-overhead.js';
import { listRows } from './ops/list.js';
import { previewWakeBurst } from './ops/preview-wake-burst.js';
import { previewWake } from './ops/preview-wake.js';
import { runtimeComparison } from './ops/runtimes.js';
import { stopStart } from './ops/stop-start.js';
import { snapshotGroup } from './ops/snapshot.js';
import { taskFirstEvent } from './ops/task-first-event.js';
import { releaseDisks } from '../test/helpers/disks.js';
import { startModelServer, type ModelServer } from '../test/helpers/model-server.js';
import { timeToInteractive } from './ops/time-to-interactive.js';
import { warmPool } from './ops/pool.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const RESULTS = path.join(ROOT, 'bench', 'results', 'latest.json');

/** In order. `edge-scale` and `list` restart the daemon with many rows, so they come last. */
const GROUPS: BenchGroup[] = [
  timeToInteractive,
  warmPool,
  execRoundTrip,
  execStream,
  ptyKeystroke,
  stopStart,
  previewWake,
  previewWakeBurst,
  edgeThroughput,
  idleOverhead,
  taskFirstEvent,
  egressGroup,
  snapshotGroup,
  edgeScale,
  runtimeComparison,
  listRows,
];

/** Measurements the issue asks for that have no bench/ops file yet, and the source dir of the feature each waits for. */
const PENDING: { what: string; needs: string }[] = [];

function hasSource(dir: string): boolean {
  const abs = path.join(ROOT, dir);
  return existsSync(abs) && readdirSync(abs).some((f) => f.endsWith('.ts'));
}

function progressPrinter(): (msg: string) => void {
  if (process.stderr.isTTY) return (msg) => process.stderr.write(`\r\x1b[K${msg}`);
  let last = 0;
  return (msg) => {
    if (Date.now() - last < 5000) return;
    last = Date.now();
    process.stderr.write(`${msg}\n`);
  };
}

async function hostInfo(docker: Docker, image: string, prefix: string): Promise<Record<string, unknown>> {
  const version = await docker.version();
  const img = await docker.getImage(image).inspect();
  const running = await docker.listContainers();
  const others = running.filter((c) => !(c.Labels['sandboxed.instance'] ?? '').startsWith(prefix)).length;
  return {
    cpus: os.availableParallelism(),
    memory_gib: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    docker: version.Version,
    image,
    image_id: img.Id,
    other_running_containers: others,
  };
}

async function main(): Promise<number> {
  const settings = readSettings();
  const tag = Math.random().toString(36).slice(2, 8).padEnd(6, '0');
  const instance = `bench-${tag}`;
  const docker = new Docker({ socketPath: process.env.DOCKER_SOCKET || '/var/run/docker.sock' });
  const image = process.env.SANDBOXD_IMAGE || 'sandboxed/sandbox:latest';
  try {
    await docker.getImage(image).inspect();
  } catch {
    process.stderr.write(`bench: image ${image} is missing; build it with images/build.sh\n`);
    return 2;
  }

  const tmp = await mkdtemp(path.join(os.tmpdir(), 'sandboxed-bench-'));
  const progress = progressPrinter();
  let daemon: BenchDaemon | undefined;
  let model: ModelServer | undefined;
  let egress: EgressServers | undefined;
  let raw: RawEngine | undefined;
  let cleaning: Promise<void> | undefined;
  const cleanup = (): Promise<void> =>
    (cleaning ??= (async () => {
      if (raw) raw.aborted = true;
      await daemon?.stop();
      await model?.close();
      await egress?.close();
      // A create still in flight when cleanup began may land after the first pass.
      const first = await removeLabelled(docker, instance);
      await sleep(1000);
      const second = await removeLabelled(docker, instance);
      // Workspace disks (mounts, loop devices) before the tree goes.
      releaseDisks((p) => p === tmp || p.startsWith(`${tmp}/`));
      await rm(tmp, { recursive: true, force: true });
      process.stderr.write(
        `bench: removed ${first.containers + second.containers} containers, ${first.networks + second.networks} networks labelled ${instance}*\n`,
      );
    })());
  let interrupts = 0;
  const onSignal = (signal: string): void => {
    if (++interrupts > 1) {
      process.stderr.write(`\nbench: ${signal} again; exiting without finishing cleanup (instance label ${instance})\n`);
      process.exit(130);
    }
    process.stderr.write(`\nbench: ${signal}; cleaning up\n`);
    void cleanup().finally(() => process.exit(130));
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));

  try {
    const host = await hostInfo(docker, image, instance);
    process.stderr.write(`bench: instance ${instance}, data in ${tmp}\n`);
    model = await startModelServer();
    egress = await startEgressServers();
    daemon = await startBenchDaemon({
      dataDir: path.join(tmp, 'daemon'),
      instance,
      network: `sbx-${instance}`,
      stopGraceS: settings.stopGraceS,
      nodeArgs: settings.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(settings.cpuProfDir)}`] : [],
      // Sandboxes reach the scripted model server on the host only through an allowed port.
      extraEnv: {
        // The egress group's host servers: reached directly on their ports, and by name through the proxy.
        SANDBOXD_EGRESS_ALLOW_HOST_PORTS: [model.port, egress.tlsPort, egress.httpPort].join(','),
        ...egress.env,
        // The warm pool is off but in its own group: every other group measures the cold path.
        SANDBOXD_POOL_SIZE: '0',
        // edge-scale opens all its connections from 127.0.0.1; the cap's bookkeeping runs either way.
        SANDBOXED_EDGE_MAX_CONNECTIONS_PER_CLIENT: String(Math.max(256, settings.scaleConnections + 64)),
      },
    });
    raw = new RawEngine(docker, Object.freeze({ ...daemon.config, dataDir: path.join(tmp, 'raw'), instance: `${instance}-raw` }));
    await raw.init();
    const ctx: BenchContext = {
      settings,
      daemon,
      ours: new OursApi(daemon),
      raw,
      docker,
      tag,
      execTimeoutS: daemon.config.execDefaultTimeoutS,
      progress,
      model,
      egress,
    };

    const startedAt = new Date();
    const rows: ResultRow[] = [];
    const notMeasured: string[] = [];
    let failures = 0;
    for (const group of GROUPS) {
      if (settings.only.length > 0 && !settings.only.includes(group.name)) continue;
      const why = (await group.unavailable?.(ctx)) ?? null;
      if (why) {
        notMeasured.push(`${group.name}: ${why}`);
        continue;
      }
      try {
        rows.push(...(await group.run(ctx)));
      } catch (err) {
        failures++;
        notMeasured.push(`${group.name}: failed: ${(err as Error).message.split('\n')[0]}`);
        process.stderr.write(`\nbench: group ${group.name} failed: ${(err as Error).stack}\ndaemon log tail:\n${daemon.logTail(20)}\n`);
      }
    }
    for (const p of PENDING) {
      notMeasured.push(`${p.what}: no bench/ops file yet (${p.needs}/ ${hasSource(p.needs) ? 'has code now' : 'is empty'})`);
    }
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');

    const header =
      `sandboxed bench: ours = REST API of sandboxd, raw = Docker Engine API with the same container spec\n` +
      `${String(host.cpus)} CPUs, ${String(host.memory_gib)} GiB, Docker ${String(host.docker)}, Node ${String(host.node)}, image ${image} (${String(host.image_id).slice(7, 19)})\n` +
      `N=${settings.n}, bursts ${settings.bursts}×${settings.burstSize}, exec N=${settings.execN}, stop/start cycles ${settings.cycles}, ` +
      `stop grace ${settings.stopGraceS} s; ${String(host.other_running_containers)} other containers were running on the engine at start\n` +
      `the warm pool is off (cold creates) except in the pool rows, which run with the default SANDBOXD_POOL_SIZE=2\n` +
      `percentiles are nearest-rank; ratio = ours / raw (above 1: ours is slower or larger)`;
    process.stdout.write(`\n${header}\n\n${renderTable(rows, notMeasured)}\n\n`);

    await mkdir(path.dirname(RESULTS), { recursive: true });
    const json = {
      started_at: startedAt.toISOString(),
      finished_at: new Date().toISOString(),
      host,
      settings: {
        n: settings.n,
        bursts: settings.bursts,
        burst_size: settings.burstSize,
        exec_n: settings.execN,
        cycles: settings.cycles,
        list_rows: settings.listRows,
        list_calls: settings.listCalls,
        wake_concurrency: settings.wakeConcurrency,
        throughput_seconds: settings.throughputSeconds,
        throughput_connections: settings.throughputConnections,
        edge_rounds: settings.edgeRounds,
        ws_round_trips: settings.wsRoundTrips,
        downloads: settings.downloads,
        scale_routes: settings.scaleRoutes,
        scale_running: settings.scaleRunning,
        scale_connections: settings.scaleConnections,
        stop_grace_s: settings.stopGraceS,
        exec_timeout_s: ctx.execTimeoutS,
      },
      rows: rows.map(rowToJson),
      not_measured: notMeasured,
    };
    await writeFile(RESULTS, JSON.stringify(json, null, 2) + '\n');
    process.stdout.write(`results: ${path.relative(process.cwd(), RESULTS) || RESULTS}\n`);
    // Figures are never judged; a group that could not run at all is.
    return failures > 0 ? 1 : 0;
  } catch (err) {
    process.stderr.write(`\nbench: failed: ${(err as Error).stack ?? String(err)}\n`);
    if (daemon) process.stderr.write(`daemon log tail:\n${daemon.logTail(30)}\n`);
    return 1;
  } finally {
    await cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
