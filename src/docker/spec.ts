/**
 * The one place that decides what a sandbox container looks like. Pure: the
 * same sandbox and config always give the same spec (the reconciler recreates
 * containers from it, and bench/ uses it for the raw-Engine comparison).
 */
import { createHash } from 'node:crypto';
import type { Config } from '../config.js';
import { runtimeOf, type Runtime, type Sandbox } from '../domain/sandbox.js';
import { RUNTIME_MOUNT, SANDBOX_HOME, runtimeDir, workspaceDir } from '../domain/layout.js';
import { LABEL_ID, LABEL_INSTANCE, LABEL_KIND, LABEL_MANAGED } from './labels.js';

export type SpecConfig = Pick<
  Config,
  'dataDir' | 'image' | 'network' | 'instance' | 'pidsLimit' | 'nofile' | 'tmpfsMb' | 'extraCaCerts' | 'stopGraceS' | 'sandboxUid' | 'sandboxGid'
> &
  Pick<Config, 'gvisorRuntime' | 'gvisorPidsLimit'>;

export interface ContainerSpec {
  name: string;
  image: string;
  user: string;
  env: string[];
  labels: Record<string, string>;
  hostname: string;
  workingDir: string;
  stopTimeoutS: number;
  /** Docker's name of the OCI runtime (HostConfig.Runtime): runc, or the gVisor runtime's registered name. */
  runtime: string;
  network: string;
  /** Where /home/sandbox comes from: its disk (a volume on the loop device) or, without quotas, a directory. */
  home: HomeMount;
  binds: string[];
  tmpfs: Record<string, string>;
  memoryBytes: number;
  nanoCpus: number;
  pidsLimit: number;
  nofile: number;
  extraHosts: string[];
}

/** Runtime CA bundle the image's init builds (system roots + the extra CA). */
export const CA_BUNDLE_PATH = '/run/sandboxed/ca-bundle.pem';
export const EXTRA_CA_PATH = `${RUNTIME_MOUNT}/extra-ca.pem`;

export type HomeMount = { kind: 'disk'; volume: string; device: string } | { kind: 'dir'; path: string };

/** One volume per sandbox and loop device: a volume's options cannot change, so a new device is a new name. */
export function homeVolumeName(instance: string, id: string, device: string): string {
  return `sbx-${instance}-${id}-${device.replace(/^\/dev\//, '')}`;
}

/** Docker's name for a sandbox's runtime. */
export function dockerRuntime(runtime: Runtime, cfg: Pick<SpecConfig, 'gvisorRuntime'>): string {
  return runtime === 'gvisor' ? cfg.gvisorRuntime : 'runc';
}

/**
 * In the sandbox image (images/base/statx-compat.c): gVisor releases before
 * 2023 (Debian's runsc among them) refuse statx() with AT_NO_AUTOMOUNT, which
 * coreutils passes, so `ls -l` and `stat` would fail with EINVAL. The library
 * retries such a call without the flag (it changes nothing on a filesystem
 * without automounts). Loaded under gVisor only.
 */
export const GVISOR_PRELOAD = '/opt/sandboxed/lib/statx-compat.so';

/**
 * What a runtime changes in the spec. gVisor: the pids limit counts the
 * sentry's and its platform's host threads (about 9 per tenant process, none
 * per extra thread, ~60 for the sandbox itself), never the tenant's processes
 * one by one, so runc's limit would leave room for some 50 processes; and the
 * statx shim above.
 */
function runtimeParts(runtime: Runtime, cfg: SpecConfig): { pidsLimit: number; env: string[] } {
  if (runtime === 'gvisor') return { pidsLimit: cfg.gvisorPidsLimit, env: [`LD_PRELOAD=${GVISOR_PRELOAD}`] };
  return { pidsLimit: cfg.pidsLimit, env: [] };
}

export function containerName(id: string): string {
  return `s-${id}`;
}

export function caEnv(extraCaCerts: string): string[] {
  if (extraCaCerts === '') return [];
  return [
    `NODE_EXTRA_CA_CERTS=${EXTRA_CA_PATH}`,
    `SSL_CERT_FILE=${CA_BUNDLE_PATH}`,
    `GIT_SSL_CAINFO=${CA_BUNDLE_PATH}`,
    `PIP_CERT=${CA_BUNDLE_PATH}`,
    `REQUESTS_CA_BUNDLE=${CA_BUNDLE_PATH}`,
    `CURL_CA_BUNDLE=${CA_BUNDLE_PATH}`,
  ];
}

/**
 * Every container has this hostname: a pooled container is made before it
 * knows its sandbox, and a claimed sandbox must not differ from a cold one.
 */
export const SANDBOX_HOSTNAME = 'sandbox';

/**
 * Secret env values are NOT in the spec: they reach the container through the
 * read-only runtime mount (for services) and through exec's Env (for execs),
 * so `docker inspect` never shows them. Nothing about the sandbox is in the
 * env either (its id and PORT come the same way): a pooled container, made
 * before its sandbox exists, is then the same as one made for it. `image` is
 * the reference the sandbox's image name stands for (SANDBOXD_IMAGES): another
 * reference is another spec.
 */
export function buildContainerSpec(
  sb: Pick<Sandbox, 'id' | 'spec'>,
  cfg: SpecConfig,
  extraLabels: Record<string, string> = {},
  home: HomeMount = { kind: 'dir', path: workspaceDir(cfg.dataDir, sb.id) },
  image: string = cfg.image,
): ContainerSpec {
  // exec: npm lifecycle scripts and build tools run binaries from /tmp; HOME is writable and executable anyway.
  const tmpOpts = `rw,exec,nosuid,nodev,mode=1777,size=${cfg.tmpfsMb}m`;
  const runtime = runtimeOf(sb.spec);
  const parts = runtimeParts(runtime, cfg);
  return {
    name: containerName(sb.id),
    image,
    user: `${cfg.sandboxUid}:${cfg.sandboxGid}`,
    env: [`HOME=${SANDBOX_HOME}`, ...caEnv(cfg.extraCaCerts), ...parts.env],
    labels: {
      ...extraLabels,
      [LABEL_MANAGED]: 'true',
      [LABEL_ID]: sb.id,
      [LABEL_INSTANCE]: cfg.instance,
    },
    hostname: SANDBOX_HOSTNAME,
    workingDir: SANDBOX_HOME,
    stopTimeoutS: cfg.stopGraceS,
    runtime: dockerRuntime(runtime, cfg),
    network: cfg.network,
    home,
    binds: [
      ...(home.kind === 'dir' ? [`${home.path}:${SANDBOX_HOME}:rw`] : []),
      `${runtimeDir(cfg.dataDir, sb.id)}:${RUNTIME_MOUNT}:ro`,
      // The sandbox user's name for whatever uid the operator chose (SANDBOXD_SANDBOX_UID).
      `${runtimeDir(cfg.dataDir, sb.id)}/passwd:/etc/passwd:ro`,
      `${runtimeDir(cfg.dataDir, sb.id)}/group:/etc/group:ro`,
    ],
    tmpfs: {
      '/tmp': tmpOpts,
      '/var/tmp': tmpOpts,
      '/run': 'rw,nosuid,nodev,mode=1777,size=16m',
    },
    memoryBytes: sb.spec.memoryMb * 1024 * 1024,
    nanoCpus: Math.round(sb.spec.cpus * 1e9),
    pidsLimit: parts.pidsLimit,
    nofile: cfg.nofile,
    extraHosts: ['host.docker.internal:host-gateway'],
  };
}

/** Label carrying a digest of everything else in the create body: a container made from an older spec is recreated at its next start. */
export const LABEL_SPEC = 'sandboxed.spec';

export function specDigest(spec: ContainerSpec): string {
  const { [LABEL_SPEC]: _ignored, ...labels } = spec.labels;
  return createHash('sha256').update(JSON.stringify(toEngineCreateBody({ ...spec, labels }))).digest('hex').slice(0, 16);
}

/** The spec with its own digest among its labels. */
export function withDigest(spec: ContainerSpec): ContainerSpec {
  return { ...spec, labels: { ...spec.labels, [LABEL_SPEC]: specDigest(spec) } };
}

/** Our labels only (not the edge's router labels): what scopes a volume to its sandbox and instance. */
function ownLabels(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).filter(([k]) => k.startsWith('sandboxed.')));
}

/**
 * IPv6 off on every interface of the sandbox, present (`all`, which also
 * covers lo) and future (`default`, which eth0 gets when Docker moves it in):
 * the isolation rules are IPv4 iptables and icc=false is enforced there, so a
 * link-local IPv6 path would let sandboxes on one bridge reach each other.
 */
export const SANDBOX_SYSCTLS: Readonly<Record<string, string>> = {
  'net.ipv6.conf.all.disable_ipv6': '1',
  'net.ipv6.conf.default.disable_ipv6': '1',
};

/** The Docker Engine API body for a spec: hardening lives here and nowhere else. */
export function toEngineCreateBody(spec: ContainerSpec): Record<string, unknown> {
  return {
    name: spec.name,
    Image: spec.image,
    User: spec.user,
    Env: spec.env,
    Labels: spec.labels,
    Hostname: spec.hostname,
    WorkingDir: spec.workingDir,
    StopTimeout: spec.stopTimeoutS,
    HostConfig: {
      Runtime: spec.runtime,
      Binds: spec.binds,
      // dockerd mounts the disk itself (the local driver on a block device): nosuid and nodev in the sandbox too.
      ...(spec.home.kind === 'disk'
        ? {
            Mounts: [
              {
                Type: 'volume',
                Source: spec.home.volume,
                Target: SANDBOX_HOME,
                VolumeOptions: {
                  Labels: { ...ownLabels(spec.labels), [LABEL_KIND]: 'workspace' },
                  DriverConfig: { Name: 'local', Options: { type: 'ext4', device: spec.home.device, o: 'nosuid,nodev' } },
                },
              },
            ],
          }
        : {}),
      Tmpfs: spec.tmpfs,
      ReadonlyRootfs: true,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges:true'],
      Init: true,
      Memory: spec.memoryBytes,
      MemorySwap: spec.memoryBytes,
      NanoCpus: spec.nanoCpus,
      PidsLimit: spec.pidsLimit,
      Ulimits: [{ Name: 'nofile', Soft: spec.nofile, Hard: spec.nofile }],
      NetworkMode: spec.network,
      RestartPolicy: { Name: 'no' },
      ExtraHosts: spec.extraHosts,
      Sysctls: { ...SANDBOX_SYSCTLS },
      LogConfig: { Type: 'json-file', Config: { 'max-size': '1m', 'max-file': '2' } },
    },
  };
}
