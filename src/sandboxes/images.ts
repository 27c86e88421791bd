/**
 * The images sandboxes may run: the operator's allowlist (SANDBOXD_IMAGES,
 * names → references; `default` is SANDBOXD_IMAGE) and what the engine has
 * of each. A sandbox stores a name; its container is made from the reference
 * the name stands for when the container is created.
 */
import { DEFAULT_IMAGE, type Config } from '../config.js';
import type { ContainerEngine } from '../docker/engine.js';
import type { Sandbox } from '../domain/sandbox.js';
import { InvalidError, UnavailableError } from '../errors.js';

export type ImagesConfig = Pick<Config, 'images'>;

export interface ImageInfo {
  name: string;
  reference: string;
  /** The engine's id for the reference now; null when the engine has no such image. */
  id: string | null;
}

/** The name a create asked for, checked against the allowlist (400 when it is not on it). */
export function allowedImage(name: string | undefined, cfg: ImagesConfig): string {
  const image = name ?? DEFAULT_IMAGE;
  if (!Object.hasOwn(cfg.images, image)) {
    throw new InvalidError(`image: "${image}" is not one of ${Object.keys(cfg.images).join(', ')} (SANDBOXD_IMAGES)`);
  }
  return image;
}

/** The reference the sandbox's image name stands for today. */
export function referenceOf(sb: Pick<Sandbox, 'id' | 'image'>, cfg: ImagesConfig): string {
  const name = sb.image ?? DEFAULT_IMAGE;
  if (!Object.hasOwn(cfg.images, name)) {
    throw new UnavailableError(`sandbox ${sb.id} runs image "${name}", which is no longer in SANDBOXD_IMAGES; add it back to start the sandbox`);
  }
  return cfg.images[name];
}

export class Images {
  constructor(
    private readonly cfg: ImagesConfig,
    private readonly engine: Pick<ContainerEngine, 'imageId'>,
  ) {}

  /** The id of the image `reference`, or a 503 that says the operator must build it. */
  async require(name: string, reference: string): Promise<string> {
    const id = await this.engine.imageId(reference);
    if (id === null) throw this.missing(name, reference);
    return id;
  }

  missing(name: string, reference: string): UnavailableError {
    const how = name === DEFAULT_IMAGE ? 'build it with images/build.sh' : 'build it (AGENTS.md, "Images") or fix SANDBOXD_IMAGES';
    return new UnavailableError(`image "${name}" (${reference}) is not on this host; ${how}`);
  }

  /** Every allowed image with its id now, the default first. */
  async list(): Promise<ImageInfo[]> {
    return Promise.all(Object.entries(this.cfg.images).map(async ([name, reference]) => ({ name, reference, id: await this.engine.imageId(reference) })));
  }
}
