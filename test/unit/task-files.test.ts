/**
 * The task's small files as the tenant may leave them: `exit` and `pid` are
 * read only when they are what the run script writes; anything else is an
 * InvalidError naming the file (which fails the task), never a retry.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { DomainError } from '../../src/errors.js';
import { TaskFiles } from '../../src/tasks/files.js';
import { taskDirSegments } from '../../src/tasks/wrapper.js';
import { SafeRoot } from '../../src/workspaces/safe-fs.js';

const ID = '01hzzzzzzzzzzzzzzzzzzzzzzz';
let root: string;
let dir: string;
let files: TaskFiles;

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'task-files-'));
  dir = path.join(root, ...taskDirSegments(ID));
  mkdirSync(dir, { recursive: true });
  files = new TaskFiles(new SafeRoot(root), ID);
});

async function error(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(DomainError);
  return { code: (err as DomainError).code, message: (err as DomainError).message };
}

describe('the exit file', () => {
  it.each([
    ['0\n', 0],
    ['137\n', 137],
    ['255', 255],
  ])('%j is exit code %i', async (content, code) => {
    writeFileSync(path.join(dir, 'exit'), content);
    expect(await files.exitCode()).toBe(code);
  });

  it('is no exit code while it does not exist', async () => {
    expect(await files.exitCode()).toBeNull();
  });

  it.each([
    ['above 255', '256\n', 'the task\'s exit file is not a small integer: 256'],
    ['negative', '-1\n', 'the task\'s exit file is not a small integer: "-1\\n"'],
    ['empty', '', 'the task\'s exit file is not a small integer: ""'],
    ['two numbers', '1 2\n', 'the task\'s exit file is not a small integer: "1 2\\n"'],
    ['1 MB of digits', '7'.repeat(1024 * 1024), "the task's exit file is not a small integer: it holds 1048576 bytes"],
  ])('%s is an InvalidError that says what it is', async (_name, content, message) => {
    writeFileSync(path.join(dir, 'exit'), content);
    expect(await error(files.exitCode())).toEqual({ code: 'invalid', message });
  });

  it.each([
    ['a symlink', () => symlinkSync('/etc/passwd', path.join(dir, 'exit'))],
    ['a FIFO', () => execFileSync('mkfifo', [path.join(dir, 'exit')])],
    ['a directory', () => mkdirSync(path.join(dir, 'exit'))],
  ])('as %s is an InvalidError naming it, and nothing blocks', async (_name, plant) => {
    plant();
    const e = await error(files.exitCode());
    expect(e.code).toBe('invalid');
    expect(e.message).toMatch(/^the task's exit file cannot be read: /);
  });
});

describe('the pid file', () => {
  it.each([
    ['123 456789\n', { pid: 123, startTime: '456789' }],
    ['123 \n', { pid: 123, startTime: '' }],
  ])('%j is read', async (content, pid) => {
    writeFileSync(path.join(dir, 'pid'), content);
    expect(await files.pid()).toEqual(pid);
  });

  it.each([
    ['not numbers', '1;reboot 2\n', 'the task\'s pid file is not "<pid> <start time>": "1;reboot 2\\n"'],
    ['too long', '9'.repeat(100), 'the task\'s pid file is not "<pid> <start time>": it holds 100 bytes'],
  ])('%s is an InvalidError', async (_name, content, message) => {
    writeFileSync(path.join(dir, 'pid'), content);
    expect(await error(files.pid())).toEqual({ code: 'invalid', message });
  });
});
