/** What the HTTP layer may call. Routes never touch SQL or dockerode. */
import type { Config } from '../config.js';
import type { PreviewTokens } from '../edge/tokens.js';
import type { EventBus } from '../events/bus.js';
import type { WebhookDispatcher } from '../events/webhooks.js';
import type { Reconciler } from '../loops/reconciler.js';
import type { ExecService } from '../sandboxes/exec.js';
import type { MemoryReading } from '../sandboxes/memory.js';
import type { Images } from '../sandboxes/images.js';
import type { SandboxService } from '../sandboxes/service.js';
import type { UsageMeter } from '../sandboxes/usage.js';
import type { SnapshotService } from '../snapshots/service.js';
import type { TaskService } from '../tasks/service.js';
import type { LogService } from '../terminals/logs.js';
import type { TerminalService } from '../terminals/service.js';
import type { FilesService } from '../workspaces/files.js';

export interface HttpDeps {
  config: Readonly<Config>;
  sandboxes: SandboxService;
  exec: ExecService;
  files: FilesService;
  reconciler: Reconciler;
  previews: PreviewTokens;
  tasks: TaskService;
  snapshots: SnapshotService;
  terminals: TerminalService;
  logs: LogService;
  /** Lifecycle events (GET /v1/events), webhook deliveries and the image allowlist. */
  events: EventBus;
  webhooks: Pick<WebhookDispatcher, 'deliveries'>;
  images: Images;
  /** Readiness: resolves when SQLite and the engine answer and network isolation is in place, rejects with the reason. */
  checkReady: () => Promise<void>;
  /** The dashboard: memory and disk use, host memory, and the key its session cookies are signed with. */
  usage: UsageMeter;
  readMemory: () => MemoryReading;
  sessionKey: Buffer;
}
