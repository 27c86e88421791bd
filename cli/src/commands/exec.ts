/** exec (streamed) and logs (tail or follow). */
import type { Command } from 'commander';
import { context } from '../context.js';
import { collect, dim, integer, keyValues, note, printJson } from '../output.js';

/** coreutils timeout's status for a command it had to kill, so scripts can tell. */
const TIMED_OUT = 124;

export function execCommands(program: Command): void {
  program
    .command('exec')
    .description('run a command in a sandbox, its output streamed as it comes; exits with its exit code')
    .argument('<id>')
    .argument('<cmd...>', 'the command and its arguments, after --')
    .option('-e, --env <KEY=VALUE>', 'an environment variable (repeatable)', collect)
    .option('-w, --cwd <dir>', 'working directory (absolute; default /home/sandbox/workspace/app)')
    .option('-t, --timeout <seconds>', 'kill the command after this long', integer('--timeout'))
    .addHelpText('after', '\nExample:\n  sandboxed exec demo -- sh -c "npm install && npm test"')
    .action(async (id: string, argv: string[], o: { env?: string[]; cwd?: string; timeout?: number }, cmd: Command) => {
      const { client, json } = context(cmd);
      const sb = client.sandbox(id);
      const opts = { env: keyValues(o.env, '--env'), cwd: o.cwd, timeout_s: o.timeout };
      if (json) {
        const r = await sb.exec(argv, opts);
        printJson(r);
        process.exitCode = r.timed_out ? TIMED_OUT : (r.exit_code ?? 1);
        return;
      }
      for await (const chunk of sb.exec.stream(argv, opts)) {
        if (chunk.type === 'stdout') process.stdout.write(chunk.text);
        else if (chunk.type === 'stderr') process.stderr.write(chunk.text);
        else {
          if (chunk.truncated) note(dim('(output cut at 1 MiB per stream)', process.stderr));
          if (chunk.timed_out) note(`timed out after ${o.timeout}s`);
          process.exitCode = chunk.timed_out ? TIMED_OUT : (chunk.exit_code ?? 1);
        }
      }
    });

  program
    .command('logs')
    .description("a service's log: its end, or followed live with -f")
    .argument('<id>')
    .argument('<service>')
    .option('-f, --follow', 'keep printing as it grows (Ctrl-C to stop)')
    .option('--bytes <n>', 'how much of the end (default 64 KiB)', integer('--bytes'))
    .action(async (id: string, service: string, o: { follow?: boolean; bytes?: number }, cmd: Command) => {
      const logs = context(cmd).client.sandbox(id).logs;
      if (!o.follow) {
        process.stdout.write((await logs.tail({ service }, { bytes: o.bytes })).text);
        return;
      }
      for await (const ev of logs.follow({ service }, { bytes: o.bytes })) {
        if (ev.type === 'log') process.stdout.write(ev.text);
        else if (ev.type === 'reset') note(dim(`(log reset: ${ev.reason})`, process.stderr));
      }
    });
}
