/** Our REST API side of every comparison: the calls an app backend makes. */
import type { BenchDaemon } from './daemon.js';

export interface CreateBody {
  id: string;
  ports?: number[];
  disk_mb?: number;
  services?: { name: string; command: string; port?: number }[];
}

export interface SandboxJson {
  id: string;
  status: string;
  container_id: string | null;
  [k: string]: unknown;
}

export class OursApi {
  constructor(private readonly daemon: BenchDaemon) {}

  private async call<T>(method: string, p: string, expect: number, body?: unknown): Promise<T> {
    const r = await this.daemon.api<T>(method, p, body);
    if (r.status !== expect) {
      const msg = (r.body as { error?: string } | null)?.error ?? JSON.stringify(r.body).slice(0, 200);
      throw new Error(`${method} ${p} → ${r.status}: ${msg}`);
    }
    return r.body;
  }

  create(body: CreateBody): Promise<SandboxJson> {
    return this.call('POST', '/v1/sandboxes', 201, body);
  }

  /** POST …/exec in the foreground; returns the exit code. */
  async exec(id: string, cmd: string[]): Promise<number | null> {
    const r = await this.call<{ exit_code: number | null }>('POST', `/v1/sandboxes/${id}/exec`, 200, { cmd });
    return r.exit_code;
  }

  stop(id: string): Promise<SandboxJson> {
    return this.call('POST', `/v1/sandboxes/${id}/stop`, 200);
  }

  start(id: string): Promise<SandboxJson> {
    return this.call('POST', `/v1/sandboxes/${id}/start`, 200);
  }

  /** GET /v1/sandboxes, with a query (filters, limit, cursor) when given. */
  list(query = ''): Promise<{ sandboxes: SandboxJson[]; count: number; next_cursor?: string | null }> {
    return this.call('GET', `/v1/sandboxes${query ? `?${query}` : ''}`, 200);
  }

  async purge(id: string): Promise<void> {
    await this.call('POST', `/v1/sandboxes/${id}/purge`, 200);
  }
}
