/**
 * shell: an interactive terminal in a sandbox through the PTY API. The local
 * terminal goes raw (every key, ^C included, goes to the sandbox), its size
 * follows the window (SIGWINCH), and it is restored however the shell ends.
 * The session outlives a dropped connection: `--attach` comes back to it.
 */
import { spawnSync } from 'node:child_process';
import type { Terminal } from '@sandboxed/sdk';
import type { Command } from 'commander';
import { context } from '../context.js';
import { dim, note, withProgress } from '../output.js';

/**
 * Node's raw mode keeps output processing (a "\n" is written as "\r\n"), but
 * the bytes come from the sandbox's own terminal, already processed: they must
 * reach the screen unchanged (a full-screen app's bare "\n" moves down, not to
 * column 0). setRawMode(false) restores the saved settings, OPOST included.
 */
function rawOutput(): void {
  spawnSync('stty', ['-opost'], { stdio: ['inherit', 'ignore', 'ignore'] });
}

const size = () => ({ cols: process.stdout.columns || 80, rows: process.stdout.rows || 24 });

/** Wires the local terminal to the session until it closes; answers the exit status. */
async function run(term: Terminal, id: string): Promise<number> {
  const stdin = process.stdin;
  const raw = stdin.isTTY === true;
  const restore = () => {
    if (raw && stdin.isRaw) stdin.setRawMode(false);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    restore();
    process.exit(128 + (signal === 'SIGHUP' ? 1 : 15));
  };
  process.on('exit', restore);
  process.once('SIGTERM', onSignal);
  process.once('SIGHUP', onSignal);
  const onResize = () => {
    const { cols, rows } = size();
    term.resize(cols, rows);
  };
  const onInput = (data: Buffer) => term.write(data);
  // Without a terminal (input from a pipe), the end of the input is a ^D, as typed.
  const onEnd = () => term.write('\x04');
  try {
    if (raw) {
      stdin.setRawMode(true);
      rawOutput();
    }
    stdin.on('data', onInput);
    stdin.on('end', onEnd);
    stdin.resume();
    process.stdout.on('resize', onResize);
    term.onData((bytes) => process.stdout.write(bytes));
    const closed = await term.closed;
    if (closed.code === 1000) return term.exitCode ?? 0;
    restore();
    note(`\r\n${dim(`connection closed (${closed.code}${closed.reason ? ` ${closed.reason}` : ''}); the session may live on:`, process.stderr)} sandboxed shell ${id} --attach ${term.session}`);
    return 1;
  } finally {
    restore();
    stdin.off('data', onInput);
    stdin.off('end', onEnd);
    stdin.pause();
    process.stdout.off('resize', onResize);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
  }
}

export function shellCommands(program: Command): void {
  program
    .command('shell')
    .description('an interactive terminal in a sandbox (a login shell, or the command after --)')
    .argument('<id>')
    .argument('[cmd...]', 'a command to run instead of the shell, after --')
    .option('--attach <session>', 'attach to an existing session (its recent output is replayed)')
    .action(async (id: string, argv: string[], o: { attach?: string }, cmd: Command) => {
      const { client } = context(cmd);
      const pty = client.sandbox(id).pty;
      const term = o.attach
        ? await pty.attach(o.attach)
        : await withProgress(`opening a terminal in ${id}`, () => pty.create({ ...size(), cmd: argv.length > 0 ? argv : undefined }));
      if (o.attach) term.resize(size().cols, size().rows);
      process.exitCode = await run(term, id);
    });
}
