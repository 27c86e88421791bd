/** ls, get, create, rm, stop, start. */
import type { CreateSandboxInput, SandboxDeleted, SandboxInfo, SandboxPurged, ServiceSpec } from '@sandboxed/sdk';
import { InvalidArgumentError, type Command } from 'commander';
import { context } from '../context.js';
import { collect, dim, green, integer, keyValues, note, printJson, printTable, red, withProgress, yellow } from '../output.js';

function status(s: SandboxInfo['status']): string {
  if (s === 'running') return green(s);
  if (s === 'error') return red(s);
  return s === 'stopped' ? dim(s) : yellow(s);
}

function ago(iso: string): string {
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

/** The user's metadata as `k=v,…` (the daemon's own `sandboxed.` keys are left out). */
function labels(metadata: Record<string, string>): string {
  const own = Object.entries(metadata).filter(([k]) => !k.startsWith('sandboxed.'));
  return own.map(([k, v]) => `${k}=${v}`).join(',') || '-';
}

/** `NAME[:PORT]=COMMAND`, e.g. `web:3000=npm run dev`. */
function service(value: string, previous: ServiceSpec[] = []): ServiceSpec[] {
  const m = /^([^:=]+)(?::(\d+))?=(.+)$/.exec(value);
  if (!m) throw new InvalidArgumentError('a service is NAME[:PORT]=COMMAND, e.g. web:3000="npm run dev"');
  return [...previous, { name: m[1], command: m[3], ...(m[2] ? { port: Number(m[2]) } : {}) }];
}

export function sandboxCommands(program: Command): void {
  program
    .command('ls')
    .description('list sandboxes, oldest first')
    .option('--status <status>', 'only running, starting, stopping, stopped or error ones')
    .option('-m, --metadata <KEY=VALUE>', 'only those whose metadata has KEY=VALUE (repeatable: all must match)', collect)
    .option('--limit <n>', 'at most n (the next page: --cursor with what this one printed)', integer('--limit'))
    .option('--cursor <cursor>', 'the page after the one that printed this cursor')
    .action(async (o: { status?: SandboxInfo['status']; metadata?: string[]; limit?: number; cursor?: string }, cmd: Command) => {
      const { client, json } = context(cmd);
      const page = await client.sandboxes.page({ status: o.status, metadata: keyValues(o.metadata, '--metadata'), limit: o.limit, cursor: o.cursor });
      const list = page.sandboxes.map((s) => s.info!);
      if (json) return printJson({ sandboxes: list, count: list.length, next_cursor: page.next_cursor });
      if (page.next_cursor !== null) note(dim(`more: --cursor ${page.next_cursor}`, process.stderr));
      if (list.length === 0) return note('no sandboxes');
      printTable(
        ['ID', 'STATUS', 'PORTS', 'IDLE', 'VISIBILITY', 'ACTIVE', 'METADATA'],
        list.map((s) => [s.id, status(s.status), s.ports.join(',') || '-', s.idle_policy, s.visibility, ago(s.last_active_at), labels(s.metadata)]),
      );
    });

  program
    .command('get')
    .description('show one sandbox (as JSON)')
    .argument('<id>')
    .action(async (id: string, _o, cmd: Command) => {
      printJson((await context(cmd).client.sandboxes.get(id)).info);
    });

  program
    .command('create')
    .description('create a sandbox and print its id')
    .argument('[id]', '1-40 lowercase letters and digits, single dashes inside (default: a generated one)')
    .option('-p, --port <port>', 'a port the app serves (repeatable)', (v, prev: number[] = []) => [...prev, integer('--port')(v)])
    .option('-e, --env <KEY=VALUE>', 'an environment variable (repeatable; values are never shown again)', collect)
    .option('-s, --service <NAME[:PORT]=COMMAND>', 'a service to run at every start (repeatable)', service)
    .option('--memory <MB>', 'memory limit', integer('--memory'))
    .option('--cpus <n>', 'CPUs', Number)
    .option('--disk <MB>', 'workspace quota', integer('--disk'))
    .option('--always-on', 'never stop for idleness')
    .option('--private', 'previews need a token (sandboxed preview prints one)')
    .option('--from-snapshot <snapshot>', 'start from a template snapshot')
    .option('-m, --metadata <KEY=VALUE>', 'a label to filter on later (repeatable; ls --metadata KEY=VALUE)', collect)
    .option('--ttl <seconds>', 'delete it this long after create (0: never)', integer('--ttl'))
    .option('--auto-delete-after-idle <seconds>', 'delete it once stopped and unused this long (0: never)', integer('--auto-delete-after-idle'))
    .action(async (id: string | undefined, o: Record<string, unknown>, cmd: Command) => {
      const { client, json } = context(cmd);
      const input: CreateSandboxInput = {
        id,
        ports: o.port as number[] | undefined,
        env: keyValues(o.env as string[] | undefined, '--env'),
        services: o.service as ServiceSpec[] | undefined,
        memory_mb: o.memory as number | undefined,
        cpus: o.cpus as number | undefined,
        disk_mb: o.disk as number | undefined,
        idle_policy: o.alwaysOn ? 'always_on' : undefined,
        visibility: o.private ? 'private' : undefined,
        from_snapshot: o.fromSnapshot as string | undefined,
        metadata: keyValues(o.metadata as string[] | undefined, '--metadata'),
        ttl_s: o.ttl as number | undefined,
        auto_delete_after_idle_s: o.autoDeleteAfterIdle as number | undefined,
      };
      const sb = await withProgress(`creating ${id ?? 'a sandbox'}`, () => client.sandboxes.create(input));
      if (json) return printJson(sb.info);
      process.stdout.write(`${sb.id}\n`);
      for (const [port, url] of Object.entries(sb.info!.preview_urls)) note(`${dim(`port ${port}:`, process.stderr)} ${url}`);
    });

  program
    .command('rm')
    .description('delete sandboxes (the workspace is kept; --purge removes it too)')
    .argument('<id...>')
    .option('--purge', 'also remove the workspace and its snapshots')
    .action(async (ids: string[], o: { purge?: boolean }, cmd: Command) => {
      const { client, json } = context(cmd);
      for (const id of ids) {
        const sb = client.sandbox(id);
        const r = await withProgress(`${o.purge ? 'purging' : 'deleting'} ${id}`, (): Promise<SandboxDeleted | SandboxPurged> => (o.purge ? sb.purge() : sb.delete()));
        if (json) printJson(r);
        else process.stdout.write(`${id} ${r.status} (workspace ${r.workspace})\n`);
      }
    });

  for (const verb of ['stop', 'start'] as const) {
    program
      .command(verb)
      .description(verb === 'stop' ? 'stop sandboxes (a preview request or start wakes them)' : 'start sandboxes')
      .argument('<id...>')
      .action(async (ids: string[], _o, cmd: Command) => {
        const { client, json } = context(cmd);
        for (const id of ids) {
          const info = await withProgress(`${verb === 'stop' ? 'stopping' : 'starting'} ${id}`, () => client.sandbox(id)[verb]());
          if (json) printJson(info);
          else process.stdout.write(`${id} ${status(info.status)}\n`);
        }
      });
  }
}
