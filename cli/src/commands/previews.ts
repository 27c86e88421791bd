/** preview: the URL of a sandbox's app on a port (with a token when the sandbox is private). */
import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { context } from '../context.js';
import { integer, note, printJson } from '../output.js';

/** The desktop's "open this URL" command. */
function opener(): string[] {
  if (process.platform === 'darwin') return ['open'];
  if (process.platform === 'win32') return ['cmd', '/c', 'start', '""'];
  return ['xdg-open'];
}

export function previewCommands(program: Command): void {
  program
    .command('preview')
    .description('print (or --open) the URL of the app on a port; private sandboxes get a token in it')
    .argument('<id>')
    .argument('<port>', 'a declared port', integer('port'))
    .option('--open', 'open it in the browser')
    .option('--ttl <seconds>', 'how long the token lasts (private sandboxes)', integer('--ttl'))
    .action(async (id: string, port: number, o: { open?: boolean; ttl?: number }, cmd: Command) => {
      const { client, json } = context(cmd);
      const url = await client.sandbox(id).previewUrl(port, { ttl_s: o.ttl });
      if (json) printJson({ url });
      else process.stdout.write(`${url}\n`);
      if (!o.open) return;
      const [bin, ...args] = opener();
      const child = spawn(bin, [...args, url], { stdio: 'ignore', detached: true });
      child.on('error', (err) => note(`could not open a browser (${err.message}); the URL is above`));
      child.unref();
    });
}
