/** Runs the `sandboxed` CLI (cli/dist, as installed) as a process, with a HOME of its own so no config file leaks in. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const CLI = path.resolve(import.meta.dirname, '../../cli/dist/main.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  done: Promise<CliResult>;
}

/** A HOME with nothing in it: the CLI finds no config file there. */
export const emptyHome = (): string => mkdtempSync(path.join(os.tmpdir(), 'sandboxed-cli-home-'));

/** Starts the CLI; `env` replaces the inherited one (PATH and HOME are kept unless given). */
export function startCli(args: string[], opts: { env?: Record<string, string>; input?: Buffer | string } = {}): CliProcess {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: emptyHome(), ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  if (opts.input !== undefined) child.stdin.end(opts.input);
  else child.stdin.end();
  const done = new Promise<CliResult>((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
  return { child, stdout: () => stdout, stderr: () => stderr, done };
}

export function runCli(args: string[], opts: { env?: Record<string, string>; input?: Buffer | string } = {}): Promise<CliResult> {
  return startCli(args, opts).done;
}
