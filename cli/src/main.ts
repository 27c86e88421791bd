#!/usr/bin/env node
/**
 * `sandboxed`: the command line for a sandboxed daemon, over @sandboxed/sdk.
 * Results go to stdout (`--json`: the API's JSON), everything else to stderr.
 * Exit status: 0 done, 1 refused or failed (the API's message is printed), 2
 * bad usage; `exec` and `shell` exit with the command's own status.
 */
import { createRequire } from 'node:module';
import { SandboxedError } from '@sandboxed/sdk';
import { Command, CommanderError } from 'commander';
import { execCommands } from './commands/exec.js';
import { fileCommands } from './commands/files.js';
import { previewCommands } from './commands/previews.js';
import { sandboxCommands } from './commands/sandboxes.js';
import { shellCommands } from './commands/shell.js';
import { snapshotCommands } from './commands/snapshots.js';
import { taskCommands } from './commands/tasks.js';
import { resolveConnection } from './config.js';
import { dim, note, printJson, red } from './output.js';

// A reader that stops early (`| head`) is not an error: stop quietly, as other tools do.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(0);
});

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

const program = new Command('sandboxed')
  .description('Drive a sandboxed daemon: sandboxes, commands, terminals, files, agents, previews.')
  .version(version)
  .option('--url <url>', 'the API (env SANDBOXED_URL, config file; default http://localhost:9090)')
  .option('--token <token>', 'an API token (env SANDBOXED_TOKEN, config file)')
  .option('--json', 'print the API’s JSON instead of a table or text')
  .showHelpAfterError()
  .exitOverride()
  .addHelpText('after', `\nConfig file: ~/.config/sandboxed/config.json {"url": "…", "token": "…"} (or $SANDBOXED_CONFIG).`);

sandboxCommands(program);
execCommands(program);
shellCommands(program);
fileCommands(program);
taskCommands(program);
previewCommands(program);
snapshotCommands(program);

program
  .command('config')
  .description('show which API and token the CLI would use, and where each comes from')
  .action((_o, cmd: Command) => {
    const c = resolveConnection(cmd.optsWithGlobals(), process.env);
    const shown = { url: c.url, url_from: c.from.url, token: c.token ? '(set)' : '(none)', token_from: c.from.token };
    if (cmd.optsWithGlobals<{ json?: boolean }>().json) return printJson(shown);
    process.stdout.write(`url    ${c.url} ${dim(`(${c.from.url})`)}\ntoken  ${shown.token} ${dim(`(${c.from.token})`)}\n`);
  });

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // Help and version are "errors" that exit 0; commander printed the rest already.
    process.exitCode = err.exitCode === 0 ? 0 : 2;
  } else if (err instanceof SandboxedError) {
    const where = err.status === 0 ? 'no answer' : `HTTP ${err.status}${err.requestId ? `, request ${err.requestId}` : ''}`;
    note(`${red('error:', process.stderr)} ${err.message} ${dim(`(${where})`, process.stderr)}`);
    process.exitCode = 1;
  } else {
    note(`${red('error:', process.stderr)} ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
}
