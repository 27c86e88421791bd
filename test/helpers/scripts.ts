/** Runs the repository's shell scripts (install.sh, uninstall.sh) as an operator would, and a test CA. */
import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');

export interface ScriptRun {
  code: number | null;
  /** stdout and stderr as they came, the last 20,000 characters. */
  output: string;
}

/** bash SCRIPT ARGS with no terminal on stdin; the output also goes to `log` when given. */
export function runBash(
  args: string[],
  opts: { cwd: string; env: Record<string, string | undefined>; log?: string },
): Promise<ScriptRun> {
  const out = opts.log ? createWriteStream(opts.log) : null;
  return new Promise((resolve, reject) => {
    const child = spawn('bash', args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer): void => {
      out?.write(chunk);
      output = (output + chunk.toString('utf8')).slice(-20_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code) => (out ? out.end(() => resolve({ code, output })) : resolve({ code, output })));
  });
}

/**
 * A CA certificate of this machine's own making (openssl), kept at `file`
 * between runs so that image builds that trust it stay cached; its key is
 * thrown away at once, so nothing can be signed with it.
 */
export function testCa(file = path.join(os.tmpdir(), 'sandboxed-e2e-ca.pem')): string {
  if (!existsSync(file)) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sandboxed-ca-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '3650', '-subj', '/CN=sandboxed e2e test CA',
        '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'ca.pem')], { stdio: 'ignore' });
      renameSync(path.join(dir, 'ca.pem'), file);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return readFileSync(file, 'utf8');
}

/** The base64 body of the first certificate of a PEM text, on one line. */
export function pemBody(pem: string): string {
  return (/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(pem)?.[1] ?? '').replace(/\s/g, '');
}
