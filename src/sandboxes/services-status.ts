/**
 * Service status as the in-sandbox supervisor reports it: one JSON file per
 * service under ~/.sandboxed/status/, read from the host (so it also works
 * while the sandbox sleeps) through the confined files service.
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

export async function readServiceStatuses(files: FilesService, sb: Sandbox): Promise<ServiceStatus[]> {
  let names: string[] = [];
  try {
    const listing = await files.list(sb.id, STATUS_DIR, { limit: 100 });
    names = listing.entries.filter((e) => e.type === 'file' && e.name.endsWith('.json')).map((e) => e.name.slice(0, -5));
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  }
  for (const s of sb.spec.services) if (!names.includes(s.name)) names.push(s.name);
  const out: ServiceStatus[] = [];
  for (const name of names.sort()) {
    let raw: Partial<ServiceStatus>;
    try {
      raw = JSON.parse((await files.read(sb.id, `${STATUS_DIR}/${name}.json`)).content.toString('utf8')) as Partial<ServiceStatus>;
    } catch {
      raw = { state: 'unknown' };
    }
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
