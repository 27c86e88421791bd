/**
 * Service status as the in-sandbox supervisor reports it: one JSON file per
 * service under ~/.sandboxed/status/, read from the host (so it also works
 * while the sandbox sleeps) through the confined files service. The tenant
 * can write that directory, so what is read per request is bounded: at most
 * MAX_STATUS_FILES files of at most STATUS_MAX_BYTES each; anything else reads
 * as state "unknown".
 */
import { serviceLogPath } from '../domain/layout.js';
import { NotFoundError } from '../errors.js';
import type { FilesService } from '../workspaces/files.js';
import type { Sandbox } from '../domain/sandbox.js';

export interface ServiceStatus {
  name: string;
  state: string;
  pid: number | null;
  restarts: number;
  last_exit_code: number | null;
  since: string | null;
  log_path: string;
}

const STATUS_DIR = '.sandboxed/status';
/** The supervisor writes about 120 bytes per file; a bigger one is not its own and is not read. */
export const STATUS_MAX_BYTES = 4096;
/** Status files listed per request (declared services are added to them). */
export const MAX_STATUS_FILES = 100;

type RawStatus = Partial<Record<keyof ServiceStatus, unknown>>;
const UNKNOWN: RawStatus = { state: 'unknown' };

/** One status file, never more than STATUS_MAX_BYTES of it: the size is the one seen at open. */
async function readStatus(files: FilesService, sandboxId: string, name: string): Promise<RawStatus> {
  let opened;
  try {
    opened = await files.openRead(sandboxId, `${STATUS_DIR}/${name}.json`);
  } catch {
    return UNKNOWN;
  }
  if (opened.size > STATUS_MAX_BYTES) {
    opened.stream.destroy();
    return UNKNOWN;
  }
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of opened.stream) chunks.push(chunk as Buffer);
    const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : UNKNOWN;
  } catch {
    return UNKNOWN;
  } finally {
    opened.stream.destroy();
  }
}

export async function readServiceStatuses(files: FilesService, sb: Sandbox): Promise<ServiceStatus[]> {
  let names: string[] = [];
  try {
    const listing = await files.list(sb.id, STATUS_DIR, { limit: MAX_STATUS_FILES });
    names = listing.entries.filter((e) => e.type === 'file' && e.name.endsWith('.json')).map((e) => e.name.slice(0, -5));
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  }
  for (const s of sb.spec.services) if (!names.includes(s.name)) names.push(s.name);
  const out: ServiceStatus[] = [];
  for (const name of names.sort()) {
    const raw = await readStatus(files, sb.id, name);
    // The supervisor cannot update its files when the container is killed: a
    // stopped sandbox runs nothing, whatever the last file says.
    const running = sb.observedState === 'running';
    out.push({
      name,
      state: !running ? 'stopped' : typeof raw.state === 'string' ? raw.state : 'unknown',
      pid: typeof raw.pid === 'number' ? raw.pid : null,
      restarts: typeof raw.restarts === 'number' ? raw.restarts : 0,
      last_exit_code: typeof raw.last_exit_code === 'number' ? raw.last_exit_code : null,
      since: typeof raw.since === 'string' ? raw.since : null,
      log_path: serviceLogPath(name),
    });
  }
  return out;
}
