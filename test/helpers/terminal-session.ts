/**
 * Runs a command in a real pseudo-terminal: util-linux `script` allocates it
 * and relays our pipe to it, as a terminal emulator would relay keys. The
 * command line runs under sh inside the terminal; it starts by printing the
 * terminal's device (`tty`), so the test can resize it from outside (`stty -F`),
 * which makes the kernel send SIGWINCH, as a window resize does.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { until } from './wait.js';

export interface TerminalSession {
  /** Everything the terminal showed so far. */
  output(): string;
  /** Types into the terminal (raw bytes: "\r" is Enter, "\x03" is ^C). */
  type(text: string): void;
  /** Waits until the output (after `from`) matches; answers the match. */
  waitFor(pattern: RegExp, from?: number, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Resizes the terminal (its foreground process gets SIGWINCH). */
  resize(cols: number, rows: number): void;
  /** The terminal's modes as `stty -a` lists them. */
  modes(): string;
  /** Resolves with the exit status of script (-e: the command's). */
  exited: Promise<number | null>;
  kill(): void;
}

export async function startTerminal(commandLine: string, opts: { cols: number; rows: number; env: Record<string, string> }): Promise<TerminalSession> {
  const child: ChildProcess = spawn('script', ['-qfec', `stty cols ${opts.cols} rows ${opts.rows}; tty; ${commandLine}`, '/dev/null'], {
    env: { ...opts.env, TERM: 'xterm-256color' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const session: TerminalSession = {
    output: () => out,
    type: (text) => void child.stdin!.write(text),
    async waitFor(pattern, from = 0, timeoutMs = 60_000) {
      try {
        return await until(async () => pattern.exec(out.slice(from)) ?? undefined, `the terminal to show ${String(pattern)}`, timeoutMs);
      } catch (err) {
        throw new Error(`${(err as Error).message}; it shows:\n${JSON.stringify(out.slice(from).slice(-1500))}`, { cause: err });
      }
    },
    resize(cols, rows) {
      execFileSync('stty', ['-F', device, 'cols', String(cols), 'rows', String(rows)]);
    },
    modes: () => execFileSync('stty', ['-F', device, '-a'], { encoding: 'utf8' }),
    exited,
    kill: () => void child.kill('SIGKILL'),
  };
  const device = (await session.waitFor(/(\/dev\/pts\/\d+)\r?\n/))[1];
  return session;
}
