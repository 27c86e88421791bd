/**
 * scripts/lib/gvisor.sh, which ./install.sh --runtime gvisor and .ci/run use:
 * the check and the setup against the real Docker (runsc already registered,
 * so nothing is reloaded: a test run never makes dockerd reload), and the
 * daemon.json merge and settings edit on files of the test's own, with jq and
 * with python3 alone.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const LIB = path.join(ROOT, 'scripts/lib/gvisor.sh');
const IMAGE = process.env.SANDBOXD_IMAGE || 'sandboxed/sandbox:latest';
const RUNSC = execFileSync('sh', ['-c', 'command -v runsc || true'], { encoding: 'utf8' }).trim();

function run(script: string, env: Record<string, string> = {}): { status: number | null; out: string } {
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

beforeAll(() => {
  const runtimes = JSON.parse(execFileSync('docker', ['info', '--format', '{{json .Runtimes}}'], { encoding: 'utf8' })) as Record<string, unknown>;
  // Registering would reload dockerd under every other test: this file only runs where runsc is registered (.ci/run does it).
  expect(Object.keys(runtimes), 'Docker needs the runsc runtime: bash scripts/lib/gvisor.sh setup').toContain('runsc');
});

describe('against the real Docker', () => {
  it('check reports gVisor running the sandbox image', () => {
    const r = run(`bash ${LIB} check ${IMAGE}`);
    expect(r.status, r.out).toBe(0);
    expect(r.out).toMatch(/runtime\s+ok\s+default runc; gVisor: runsc \S+ runs the sandbox image/);
  });

  it('setup finds it registered and working, and changes nothing', () => {
    const before = existsSync('/etc/docker/daemon.json') ? readFileSync('/etc/docker/daemon.json', 'utf8') : null;
    const r = run(`bash ${LIB} setup ${IMAGE}`);
    expect(r.status, r.out).toBe(0);
    expect(r.out).toContain('Docker runtime runsc is registered and runs the sandbox image');
    expect(existsSync('/etc/docker/daemon.json') ? readFileSync('/etc/docker/daemon.json', 'utf8') : null).toBe(before);
  });

  it('check fails naming the runtime when the default is gvisor and Docker lacks it', () => {
    const r = run(`SANDBOXD_DEFAULT_RUNTIME=gvisor bash ${LIB} check ${IMAGE}`, { SANDBOXD_GVISOR_RUNTIME: 'runsc-not-there' });
    expect(r.status).toBe(1);
    expect(r.out).toContain('SANDBOXD_DEFAULT_RUNTIME=gvisor but Docker has no runtime runsc-not-there');
  });
});

describe('daemon.json and the settings file', () => {
  const existing = { 'log-level': 'warn', runtimes: { other: { path: '/usr/bin/other' } } };

  function register(dir: string, env: Record<string, string> = {}): unknown {
    const json = path.join(dir, 'daemon.json');
    writeFileSync(json, JSON.stringify(existing));
    const r = run(`. ${LIB} && gvisor_register --network=host`, { DOCKER_DAEMON_JSON: json, ...env });
    expect(r.status, r.out).toBe(0);
    const backups = readdirSync(dir).filter((f) => f.startsWith('daemon.json.bak-'));
    expect(backups).toHaveLength(1);
    expect(JSON.parse(readFileSync(path.join(dir, backups[0]), 'utf8'))).toEqual(existing);
    return JSON.parse(readFileSync(json, 'utf8'));
  }

  const merged = { ...existing, runtimes: { ...existing.runtimes, runsc: { path: RUNSC, runtimeArgs: ['--network=host'] } } };

  it('merges our runtime into what is there and keeps the old file (jq)', () => {
    expect(register(mkdtempSync(path.join(os.tmpdir(), 'gvisor-json-')))).toEqual(merged);
  });

  it('does the same with python3 alone, on a host without jq', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gvisor-json-'));
    const bin = path.join(dir, 'bin');
    mkdirSync(bin);
    for (const tool of ['bash', 'cat', 'cp', 'date', 'dirname', 'id', 'install', 'mkdir', 'mktemp', 'rm', 'awk', 'runsc', 'docker']) {
      symlinkSync(execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim(), path.join(bin, tool));
    }
    // The interpreter itself, not a version manager's shim (which needs more of PATH).
    symlinkSync(execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim(), path.join(bin, 'python3'));
    const viaBin = { ...merged, runtimes: { ...merged.runtimes, runsc: { ...merged.runtimes.runsc, path: path.join(bin, 'runsc') } } };
    expect(register(dir, { PATH: bin })).toEqual(viaBin);
  });

  it('sets the default runtime in the settings file, in place or added', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gvisor-env-'));
    const withLine = path.join(dir, 'a.env');
    const without = path.join(dir, 'b.env');
    writeFileSync(withLine, 'HTTP_PORT=80\nSANDBOXD_DEFAULT_RUNTIME=runc\nLOG_LEVEL=info\n');
    writeFileSync(without, 'HTTP_PORT=80\n');
    expect(run(`. ${LIB} && gvisor_set_default ${withLine} gvisor && gvisor_set_default ${without} gvisor`).status).toBe(0);
    expect(readFileSync(withLine, 'utf8')).toBe('HTTP_PORT=80\nSANDBOXD_DEFAULT_RUNTIME=gvisor\nLOG_LEVEL=info\n');
    expect(readFileSync(without, 'utf8')).toBe('HTTP_PORT=80\nSANDBOXD_DEFAULT_RUNTIME=gvisor\n');
  });
});
