/**
 * The `sandboxed` CLI as a process against a real daemon with auth on: where
 * it finds the API and token, sandboxes, streamed exec, cp both ways, logs,
 * previews, snapshots, and how it fails.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandboxed } from '../../sdk/src/index.js';
import { emptyHome, runCli, startCli } from '../helpers/cli.js';
import { startTestDaemon, uniqueId, type TestDaemon } from '../helpers/daemon.js';
import { until } from '../helpers/wait.js';

const TOKEN = `t-${uniqueId()}`;
let d: TestDaemon;
let env: Record<string, string>;
let id: string;
/** The SDK, to set up and check what the CLI did. */
let sdk: Sandboxed;
const work = mkdtempSync(path.join(os.tmpdir(), 'sandboxed-cli-'));

beforeAll(async () => {
  d = await startTestDaemon({ env: { SANDBOXD_API_TOKENS: `cli:${TOKEN}` } });
  env = { SANDBOXED_URL: d.url, SANDBOXED_TOKEN: TOKEN };
  sdk = new Sandboxed({ url: d.url, token: TOKEN });
  const sb = await sdk.sandboxes.create({
    id: uniqueId('cli'),
    ports: [3000],
    env: { GREETING: 'hi' },
    services: [{ name: 'ticker', command: 'sh -c "while :; do echo tick; sleep 0.2; done"' }],
  });
  id = sb.id;
});

afterAll(async () => {
  await d?.dispose();
});

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('where the API and the token come from', () => {
  it('flags win over the environment, which wins over the config file', async () => {
    const home = emptyHome();
    mkdirSync(path.join(home, '.config/sandboxed'), { recursive: true });
    writeFileSync(path.join(home, '.config/sandboxed/config.json'), JSON.stringify({ url: d.url, token: TOKEN }));
    const fromFile = await runCli(['config', '--json'], { env: { HOME: home } });
    expect(JSON.parse(fromFile.stdout)).toMatchObject({ url: d.url, url_from: path.join(home, '.config/sandboxed/config.json'), token: '(set)' });
    // The file's token is the one the daemon takes.
    expect((await runCli(['ls', '--json'], { env: { HOME: home } })).code).toBe(0);

    const fromEnv = await runCli(['config', '--json'], { env: { HOME: home, SANDBOXED_URL: 'http://env.example:1' } });
    expect(JSON.parse(fromEnv.stdout)).toMatchObject({ url: 'http://env.example:1', url_from: 'env SANDBOXED_URL' });
    const fromFlag = await runCli(['config', '--json', '--url', 'http://flag.example:2'], { env: { HOME: home, SANDBOXED_URL: 'http://env.example:1' } });
    expect(JSON.parse(fromFlag.stdout)).toMatchObject({ url: 'http://flag.example:2', url_from: 'flag' });
    expect(fromFlag.stdout).not.toContain(TOKEN);
  });

  it('says what is wrong with a config file, a missing token or a bad flag', async () => {
    const home = emptyHome();
    mkdirSync(path.join(home, '.config/sandboxed'), { recursive: true });
    writeFileSync(path.join(home, '.config/sandboxed/config.json'), '{"url": ');
    const broken = await runCli(['ls'], { env: { HOME: home } });
    expect(broken).toMatchObject({ code: 1, stdout: '' });
    expect(broken.stderr).toContain('config.json: not JSON');

    const noToken = await runCli(['ls'], { env: { SANDBOXED_URL: d.url } });
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toMatch(/error: missing or invalid bearer token \(HTTP 401, request \S+\)/);

    const usage = await runCli(['create', '--port', 'abc'], { env });
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--port must be an integer');
  });
});

describe('sandboxes', () => {
  it('creates one and prints its id; ls shows it as a table and as the API’s JSON', async () => {
    const made = uniqueId('climk');
    const created = await runCli(['create', made, '--port', '3000', '--env', 'SECRET=x', '--service', 'web:3000=python3 -m http.server 3000', '--always-on', '-m', 'team=blue', '--ttl', '3600'], { env });
    expect(created).toMatchObject({ code: 0, stdout: `${made}\n` });
    // Not a terminal: no spinner, no colour; the preview URL is a note on stderr.
    expect(created.stderr).toBe(`port 3000: http://s-${made}-3000.preview.localhost:${d.edgePort}/\n`);
    const table = await runCli(['ls'], { env });
    expect(table.stdout).toMatch(/^ID\s+STATUS\s+PORTS\s+IDLE\s+VISIBILITY\s+ACTIVE\s+METADATA\n/);
    expect(table.stdout).toMatch(new RegExp(`^${made}\\s+running\\s+3000\\s+always_on\\s+public\\s+\\d+s ago\\s+team=blue$`, 'm'));
    const json = JSON.parse((await runCli(['ls', '--json'], { env })).stdout);
    expect(json.count).toBe(json.sandboxes.length);
    expect(json.sandboxes.find((s: any) => s.id === made)).toMatchObject({ env_names: ['SECRET'], idle_policy: 'always_on', metadata: { team: 'blue' }, ttl_s: 3600 });
    // Filters: metadata and status; --limit pages, and the rest follows with --cursor.
    const blue = JSON.parse((await runCli(['ls', '--json', '-m', 'team=blue', '--status', 'running'], { env })).stdout);
    expect(blue.sandboxes.map((s: any) => s.id)).toEqual([made]);
    const all = json.sandboxes.map((s: any) => s.id);
    const paged = await runCli(['ls', '--limit', '1'], { env });
    expect(paged.stdout.trim().split('\n').slice(1).map((row) => row.split(' ')[0])).toEqual([all[0]]);
    const cursor = /^more: --cursor (\S+)$/m.exec(paged.stderr)?.[1];
    const rest = JSON.parse((await runCli(['ls', '--json', '--cursor', cursor!], { env })).stdout);
    expect([rest.sandboxes.map((s: any) => s.id), rest.next_cursor]).toEqual([all.slice(1), null]);
    expect(JSON.parse((await runCli(['get', made], { env })).stdout)).toMatchObject({ id: made, services: [{ name: 'web', port: 3000 }] });
    expect((await runCli(['rm', made], { env })).stdout).toBe(`${made} destroyed (workspace kept)\n`);
  });

  it('stops and starts, and rm --purge removes it; an unknown id fails with the API’s message', async () => {
    const other = uniqueId('clirm');
    expect((await runCli(['create', other], { env })).code).toBe(0);
    expect((await runCli(['stop', other], { env })).stdout).toBe(`${other} stopped\n`);
    expect((await runCli(['start', other], { env })).stdout).toBe(`${other} running\n`);
    expect((await runCli(['rm', other, '--purge'], { env })).stdout).toBe(`${other} purged (workspace removed)\n`);
    const gone = await runCli(['get', other], { env });
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(new RegExp(`error: sandbox ${other} not found \\(HTTP 404, request \\S+\\)`));
  });
});

describe('exec', () => {
  it('streams output as it comes and exits with the command’s status', async () => {
    const gate = `/tmp/gate-${uniqueId()}`;
    const p = startCli(['exec', id, '--', 'sh', '-c', `echo first; echo err >&2; while [ ! -f ${gate} ]; do sleep 0.1; done; echo second; exit 7`], { env });
    // "first" is on our stdout while the command still waits for the gate.
    await until(async () => p.stdout().includes('first\n'), 'the first line to arrive before the command ends');
    expect(p.stdout()).not.toContain('second');
    await sdk.sandbox(id).exec(['touch', gate]);
    expect(await p.done).toMatchObject({ code: 7, stdout: 'first\nsecond\n', stderr: 'err\n' });
  });

  it('passes env, cwd and a timeout (124 when it hit), and --json prints the result', async () => {
    const r = await runCli(['exec', id, '-e', 'X=1', '-w', '/tmp', '--', 'sh', '-c', 'echo $GREETING$X $(pwd)'], { env });
    expect(r).toMatchObject({ code: 0, stdout: 'hi1 /tmp\n' });
    expect((await runCli(['exec', id, '--timeout', '1', '--', 'sleep', '30'], { env })).code).toBe(124);
    expect(JSON.parse((await runCli(['exec', id, '--json', '--', 'echo', 'j'], { env })).stdout)).toMatchObject({ exit_code: 0, stdout: 'j\n' });
  });
});

describe('cp', () => {
  it('copies a file in (into a directory) and out again, bytes unchanged', async () => {
    const data = randomBytes(1024 * 1024 + 7);
    writeFileSync(path.join(work, 'blob.bin'), data);
    const up = await runCli(['cp', path.join(work, 'blob.bin'), `${id}:workspace/app/`], { env });
    expect(up).toMatchObject({ code: 0, stdout: '' });
    const inside = await sdk.sandbox(id).exec(['sha256sum', '/home/sandbox/workspace/app/blob.bin']);
    expect(inside.stdout.split(' ')[0]).toBe(sha(data));

    mkdirSync(path.join(work, 'back'));
    expect((await runCli(['cp', `${id}:workspace/app/blob.bin`, path.join(work, 'back')], { env })).code).toBe(0);
    expect(sha(readFileSync(path.join(work, 'back/blob.bin')))).toBe(sha(data));
  });

  it('reads stdin and writes stdout with -, and refuses a directory or two local paths', async () => {
    expect((await runCli(['cp', '-', `${id}:workspace/app/piped.txt`], { env, input: 'from a pipe\n' })).code).toBe(0);
    expect(await runCli(['cp', `${id}:workspace/app/piped.txt`, '-'], { env })).toMatchObject({ code: 0, stdout: 'from a pipe\n' });
    const dir = await runCli(['cp', work, `${id}:workspace/app/`], { env });
    expect(dir).toMatchObject({ code: 1 });
    expect(dir.stderr).toContain('is a directory');
    expect((await runCli(['cp', 'a', 'b'], { env })).stderr).toContain('one side must be in a sandbox');
    const missing = await runCli(['cp', `${id}:workspace/app/nope.txt`, '-'], { env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/error: .*nope\.txt.*\(HTTP 404, request \S+\)/);
  });
});

describe('logs, previews and snapshots', () => {
  it('prints a service’s log, and follows it with -f', async () => {
    await until(async () => (await runCli(['logs', id, 'ticker'], { env })).stdout.includes('tick\n'), 'the ticker to log');
    const f = startCli(['logs', id, 'ticker', '-f', '--bytes', '100'], { env });
    const ticks = () => (f.stdout().match(/tick\n/g) ?? []).length;
    await until(async () => ticks() > 0, 'the tail through logs -f');
    // It goes on printing as the log grows: more lines than the 100-byte tail held.
    await until(async () => ticks() >= 100 / 'tick\n'.length + 3, 'new lines through logs -f');
    expect(f.child.exitCode).toBe(null);
    f.child.kill('SIGINT');
    await f.done;
  });

  it('prints the preview URL, with a token once the sandbox is private', async () => {
    const info = JSON.parse((await runCli(['get', id], { env })).stdout);
    expect((await runCli(['preview', id, '3000'], { env })).stdout).toBe(`${info.preview_urls['3000']}\n`);
    await sdk.sandbox(id).update({ visibility: 'private' });
    const url = new URL(JSON.parse((await runCli(['preview', id, '3000', '--json'], { env })).stdout).url);
    expect(url.origin).toBe(new URL(info.preview_urls['3000']).origin);
    expect(url.searchParams.get('token')).toMatch(/\S{20}/);
    // --open hands the URL to the desktop's opener (here one that writes down what it was given).
    const bin = mkdtempSync(path.join(os.tmpdir(), 'sandboxed-opener-'));
    writeFileSync(path.join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s' "$1" > ${bin}/opened\n`, { mode: 0o755 });
    const opened = await runCli(['preview', id, '3000', '--open'], { env: { ...env, PATH: `${bin}:${process.env.PATH ?? ''}` } });
    await until(async () => existsSync(path.join(bin, 'opened')), 'the opener to run');
    expect(readFileSync(path.join(bin, 'opened'), 'utf8')).toBe(opened.stdout.trim());
    const undeclared = await runCli(['preview', id, '4000'], { env });
    expect(undeclared.code).toBe(1);
    expect(undeclared.stderr).toMatch(/4000 is not declared/);
  });

  it('takes, lists, restores and deletes snapshots', async () => {
    const files = sdk.sandbox(id).files;
    await files.writeText('workspace/app/state.txt', 'v1');
    const snap = (await runCli(['snapshot', 'take', id, '--name', 'cli-v1'], { env })).stdout.trim();
    expect(snap).toMatch(/^[0-9a-z]{26}$/);
    await files.writeText('workspace/app/state.txt', 'v2');
    const listed = JSON.parse((await runCli(['snapshot', 'ls', id, '--json'], { env })).stdout);
    expect(listed.snapshots.map((s: any) => s.id)).toContain(snap);
    expect((await runCli(['snapshot', 'ls', id], { env })).stdout).toMatch(new RegExp(`${snap}\\s+cli-v1\\s+manual`));
    expect((await runCli(['snapshot', 'restore', id, snap], { env })).stdout).toContain(`${id} restored from ${snap}`);
    expect(await files.readText('workspace/app/state.txt')).toBe('v1');
    expect((await runCli(['snapshot', 'rm', id, snap], { env })).stdout).toBe(`${snap} deleted\n`);
  });
});
