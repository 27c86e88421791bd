/**
 * Derived sandbox images for tests, built offline like an operator would
 * (a Dockerfile FROM ours, no registry: the base is local), through the
 * Engine API with a tar context that dockerode packs from a temp dir.
 */
import Docker from 'dockerode';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const docker = new Docker({ socketPath: process.env.DOCKER_SOCKET || '/var/run/docker.sock' });

export const BASE_IMAGE = process.env.SANDBOXD_IMAGE || 'sandboxed/sandbox:latest';

/** Builds `tag` from a Dockerfile and its files; resolves with the image's id. */
export async function buildImage(tag: string, dockerfile: string, files: Record<string, string> = {}): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sandboxed-img-build-'));
  try {
    writeFileSync(path.join(dir, 'Dockerfile'), dockerfile);
    for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
    const stream = await docker.buildImage({ context: dir, src: ['Dockerfile', ...Object.keys(files)] }, { t: tag, rm: true });
    const output = await new Promise<{ error?: string; errorDetail?: { message?: string } }[]>((resolve, reject) =>
      docker.modem.followProgress(stream, (err: Error | null, res: unknown[]) => (err ? reject(err) : resolve(res as never))),
    );
    const failed = output.find((o) => o.error);
    if (failed) throw new Error(`docker build ${tag}: ${failed.error}`);
    return (await docker.getImage(tag).inspect()).Id;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Removes the tag (and its layers nobody else uses); a container still made from it keeps them. */
export async function removeImage(tag: string): Promise<void> {
  await docker.getImage(tag).remove({ force: true }).catch(() => undefined);
}

export async function imageIdOf(ref: string): Promise<string | null> {
  return docker.getImage(ref).inspect().then((i) => i.Id, () => null);
}
