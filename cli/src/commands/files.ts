/**
 * cp: a file into or out of a sandbox (or between two), streamed both ways.
 * A sandbox side is `ID:PATH` (PATH relative to /home/sandbox or absolute under
 * it); `-` is stdin or stdout. A destination that is a directory (or ends in /)
 * gets the source's file name.
 */
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { SandboxedError, type Sandboxed } from '@sandboxed/sdk';
import type { Command } from 'commander';
import { context } from '../context.js';
import { formatBytes, printJson, withProgress } from '../output.js';

type Place = { kind: 'local'; path: string } | { kind: 'stdio' } | { kind: 'sandbox'; id: string; path: string };

/** `ID:PATH` when it starts with a sandbox id and a colon; anything else is local. */
export function parsePlace(arg: string): Place {
  if (arg === '-') return { kind: 'stdio' };
  const m = /^([a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?):(.*)$/.exec(arg);
  return m ? { kind: 'sandbox', id: m[1], path: m[2] } : { kind: 'local', path: arg };
}

const baseName = (p: string): string => path.posix.basename(p.replace(/\/+$/, ''));

/** Counts bytes as they pass, for the progress line. */
function counting(total: number | undefined, set: (label: string) => void, verb: string): TransformStream<Uint8Array, Uint8Array> {
  let done = 0;
  return new TransformStream({
    transform(chunk, ctl) {
      done += chunk.byteLength;
      set(`${verb} ${formatBytes(done)}${total === undefined ? '' : ` of ${formatBytes(total)}`}`);
      ctl.enqueue(chunk);
    },
  });
}

/** The remote path to write: into the directory when it is one. */
async function remoteTarget(client: Sandboxed, id: string, dest: string, sourceName: string): Promise<string> {
  if (dest === '' || dest.endsWith('/')) return `${dest}${sourceName}`;
  try {
    await client.sandbox(id).files.list(dest, { limit: 1 });
    return `${dest}/${sourceName}`;
  } catch (err) {
    // A file (TypeError) or nothing there yet (404): the path is the file's.
    if (err instanceof TypeError || (err instanceof SandboxedError && err.status === 404)) return dest;
    throw err;
  }
}

function localTarget(dest: string, sourceName: string): string {
  let isDir = dest.endsWith('/');
  try {
    isDir ||= statSync(dest).isDirectory();
  } catch {
    /* does not exist yet */
  }
  return isDir ? path.join(dest, sourceName) : dest;
}

async function source(client: Sandboxed, from: Place): Promise<{ stream: ReadableStream<Uint8Array>; name: string; size?: number }> {
  if (from.kind === 'sandbox') {
    return { stream: await client.sandbox(from.id).files.downloadStream(from.path), name: baseName(from.path) };
  }
  if (from.kind === 'stdio') return { stream: Readable.toWeb(process.stdin) as ReadableStream<Uint8Array>, name: 'stdin' };
  const st = statSync(from.path);
  if (st.isDirectory()) throw new Error(`${from.path} is a directory: cp copies files (tar it first, or copy its files one by one)`);
  return { stream: Readable.toWeb(createReadStream(from.path)) as ReadableStream<Uint8Array>, name: path.basename(from.path), size: st.size };
}

export function fileCommands(program: Command): void {
  program
    .command('cp')
    .description('copy a file into or out of a sandbox: cp ./app.js demo:workspace/app/ or cp demo:workspace/app/app.js .')
    .argument('<source>', 'a local file, - for stdin, or ID:PATH')
    .argument('<destination>', 'a local path, - for stdout, or ID:PATH')
    .action(async (src: string, dst: string, _o, cmd: Command) => {
      const { client, json } = context(cmd);
      const from = parsePlace(src);
      const to = parsePlace(dst);
      if (from.kind !== 'sandbox' && to.kind !== 'sandbox') throw new Error('one side must be in a sandbox: ID:PATH');
      await withProgress(`copying ${src}`, async (set) => {
        const input = await source(client, from);
        const stream = input.stream.pipeThrough(counting(input.size, set, 'copied'));
        if (to.kind === 'sandbox') {
          const target = await remoteTarget(client, to.id, to.path, input.name);
          const written = await client.sandbox(to.id).files.upload(target, stream);
          if (json) printJson(written);
          return;
        }
        const out = to.kind === 'stdio' ? process.stdout : createWriteStream(localTarget(to.path, input.name));
        await pipeline(Readable.fromWeb(stream as NodeReadableStream<Uint8Array>), out);
      });
    });
}
