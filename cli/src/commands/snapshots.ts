/** snapshot take, ls, restore, rm. */
import type { Command } from 'commander';
import { context } from '../context.js';
import { formatBytes, note, printJson, printTable, withProgress } from '../output.js';

export function snapshotCommands(program: Command): void {
  const snapshot = program.command('snapshot').description("copies of a sandbox's workspace");

  snapshot
    .command('take')
    .description('take a snapshot now and print its id')
    .argument('<id>')
    .option('--name <name>', 'a name (named snapshots are never pruned)')
    .option('--template', 'keep it when the sandbox is purged; new sandboxes can start from it')
    .action(async (id: string, o: { name?: string; template?: boolean }, cmd: Command) => {
      const { client, json } = context(cmd);
      const snap = await withProgress(`snapshotting ${id}`, () => client.sandbox(id).snapshots.take({ name: o.name, template: o.template }));
      if (json) printJson(snap);
      else process.stdout.write(`${snap.id}\n`);
    });

  snapshot
    .command('ls')
    .description("a sandbox's snapshots")
    .argument('<id>')
    .action(async (id: string, _o, cmd: Command) => {
      const { client, json } = context(cmd);
      const snaps = await client.sandbox(id).snapshots.list();
      if (json) return printJson({ snapshots: snaps, count: snaps.length, size_bytes: snaps.reduce((n, s) => n + s.size_bytes, 0) });
      if (snaps.length === 0) return note('no snapshots');
      printTable(
        ['SNAPSHOT', 'NAME', 'KIND', 'TEMPLATE', 'SIZE', 'CREATED'],
        snaps.map((s) => [s.id, s.name ?? '-', s.kind, s.template ? 'yes' : '', formatBytes(s.size_bytes), s.created_at]),
      );
    });

  snapshot
    .command('restore')
    .description('put the workspace back as the snapshot has it (what it replaces is kept as a snapshot)')
    .argument('<id>')
    .argument('<snapshot>')
    .action(async (id: string, snap: string, _o, cmd: Command) => {
      const { client, json } = context(cmd);
      const r = await withProgress(`restoring ${snap}`, () => client.sandbox(id).snapshots.restore(snap));
      if (json) printJson(r);
      else process.stdout.write(`${id} restored from ${snap} (what it replaced is snapshot ${r.saved_as.id})\n`);
    });

  snapshot
    .command('rm')
    .description('delete a snapshot')
    .argument('<id>')
    .argument('<snapshot>')
    .action(async (id: string, snap: string, _o, cmd: Command) => {
      const { client, json } = context(cmd);
      const r = await client.sandbox(id).snapshots.remove(snap);
      if (json) printJson(r);
      else process.stdout.write(`${snap} deleted\n`);
    });
}
