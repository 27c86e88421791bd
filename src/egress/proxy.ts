/**
 * The transparent egress proxy. The isolation rules redirect every new TCP
 * connection from a sandbox to port 80 or 443 (any address) here. The proxy
 * reads the HTTP Host or the TLS SNI (no decryption), finds the sandbox by
 * the source address, checks its policy, resolves the name itself (so the
 * address the sandbox dialled does not matter), refuses private and host
 * answers (DNS rebinding), connects and splices the two sockets.
 *
 * A refused connection is answered at once (403 over HTTP, a TLS
 * access_denied alert) and logged with the sandbox id and the name. A
 * tenant's bytes are bounded before any decision (client-hello.ts,
 * http-head.ts); each source holds at most MAX_CONNECTIONS_PER_SOURCE
 * connections and gets HEAD_TIMEOUT_MS to send its first bytes.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { EgressPolicy } from '../domain/egress.js';
import type { SandboxAddresses } from '../sandboxes/addresses.js';
import { ACCESS_DENIED_ALERT, MAX_HELLO_BYTES, readSni } from './client-hello.js';
import { forbiddenResponse, MAX_HEAD_BYTES, readHost } from './http-head.js';
import { EgressRules, normalizeName, type OperatorRules } from './policy.js';
import type { Resolver } from './resolve.js';

export const MAX_CONNECTIONS_PER_SOURCE = 512;
const HEAD_TIMEOUT_MS = 10_000;
const CONNECT_TIMEOUT_MS = 10_000;
/** Refusals logged per sandbox per minute; the rest are counted into the next line. */
const LOGS_PER_MINUTE = 20;

type Kind = 'http' | 'tls';

export interface EgressDeps {
  addresses: Pick<SandboxAddresses, 'whoIs'>;
  /** The sandbox's own policy, or the settings' default. */
  policyOf: (sandboxId: string) => EgressPolicy;
  operator: OperatorRules;
  resolver: Resolver;
  log: Logger;
}

class Refusal extends Error {}

export class EgressProxy {
  private servers: Server[] = [];
  private readonly open = new Map<string, number>();
  private readonly compiled = new Map<string, { key: string; rules: EgressRules }>();
  private readonly logged = new Map<string, { start: number; count: number; dropped: number }>();

  constructor(private readonly deps: EgressDeps) {}

  async listen(address: string, httpPort: number, tlsPort: number): Promise<void> {
    await this.close();
    for (const [kind, port] of [['http', httpPort], ['tls', tlsPort]] as const) {
      const server = createServer({ noDelay: true, keepAlive: true }, (socket) => this.accept(kind, socket));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, address, () => resolve());
      });
      this.servers.push(server);
    }
  }

  async close(): Promise<void> {
    const servers = this.servers;
    this.servers = [];
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }

  private accept(kind: Kind, socket: Socket): void {
    const source = socket.remoteAddress ?? '';
    const count = (this.open.get(source) ?? 0) + 1;
    socket.on('error', () => undefined);
    if (count > MAX_CONNECTIONS_PER_SOURCE) {
      socket.destroy();
      return;
    }
    this.open.set(source, count);
    socket.once('close', () => {
      const left = (this.open.get(source) ?? 1) - 1;
      if (left <= 0) this.open.delete(source);
      else this.open.set(source, left);
    });
    socket.setTimeout(HEAD_TIMEOUT_MS, () => socket.destroy());
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const r = kind === 'tls' ? readSni(head) : readHost(head);
      if (r.kind === 'more' && head.length < (kind === 'tls' ? MAX_HELLO_BYTES : MAX_HEAD_BYTES)) return;
      socket.off('data', onData);
      socket.pause();
      const name = r.kind === 'name' ? r.name : null;
      const why = r.kind === 'refuse' ? r.reason : 'first bytes too large';
      void this.route(kind, socket, source, head, name, why);
    };
    socket.on('data', onData);
  }

  private async route(kind: Kind, socket: Socket, source: string, head: Buffer, raw: string | null, why: string): Promise<void> {
    let sandboxId: string | null = null;
    let name: string | null = null;
    try {
      const at = await this.deps.addresses.whoIs(source);
      if (!at) throw new Refusal(`not from a sandbox (${source})`);
      sandboxId = at.sandboxId;
      if (raw === null) throw new Refusal(why);
      name = normalizeName(raw);
      if (name === null) throw new Refusal(kind === 'tls' ? 'the SNI is not a host name' : 'the Host is not a host name');
      const rules = this.rulesFor(sandboxId);
      const byName = rules.name(name);
      if (byName !== 'address' && !byName.ok) throw new Refusal(byName.reason);
      const target = await this.deps.resolver.target(name, kind === 'tls' ? 443 : 80);
      if (!target.pinned) {
        const verdict = rules.addresses(target.addresses, byName !== 'address', this.deps.resolver.hostAddresses());
        if (!verdict.ok) throw new Refusal(verdict.reason);
      }
      this.splice(socket, head, target.addresses[0], target.port);
    } catch (err) {
      const reason = err instanceof Refusal ? err.message : `error: ${(err as Error).message}`;
      this.refuse(kind, socket, sandboxId, name, reason);
    }
  }

  private splice(socket: Socket, head: Buffer, address: string, port: number): void {
    const upstream = connect({ host: address, port, noDelay: true, keepAlive: true });
    upstream.setTimeout(CONNECT_TIMEOUT_MS, () => upstream.destroy());
    upstream.once('connect', () => {
      upstream.setTimeout(0);
      socket.setTimeout(0);
      upstream.write(head);
      socket.pipe(upstream);
      upstream.pipe(socket);
      socket.resume();
    });
    // A clean close of one side ends the other after what it still has to write (pipe ends it on
    // 'end' too); an error or a connect that never happened tears both down at once.
    const closeOther = (other: Socket) => (hadError: boolean) => (hadError ? other.destroy() : other.end());
    upstream.on('error', () => socket.destroy());
    upstream.once('close', closeOther(socket));
    socket.once('close', closeOther(upstream));
  }

  private refuse(kind: Kind, socket: Socket, sandboxId: string | null, name: string | null, reason: string): void {
    this.logRefusal(sandboxId, name, kind, reason);
    const shown = name ?? 'this destination';
    socket.end(kind === 'tls' ? ACCESS_DENIED_ALERT : forbiddenResponse(`${shown} is not allowed for this sandbox: ${reason}`));
    socket.setTimeout(1000, () => socket.destroy());
  }

  private rulesFor(sandboxId: string): EgressRules {
    const policy = this.deps.policyOf(sandboxId);
    const key = JSON.stringify(policy);
    const hit = this.compiled.get(sandboxId);
    if (hit?.key === key) return hit.rules;
    const rules = new EgressRules(policy, this.deps.operator);
    this.compiled.set(sandboxId, { key, rules });
    return rules;
  }

  private logRefusal(sandboxId: string | null, name: string | null, kind: Kind, reason: string): void {
    const key = sandboxId ?? '-';
    const now = Date.now();
    let w = this.logged.get(key);
    if (!w || now - w.start > 60_000) {
      if (w && w.dropped > 0) this.deps.log.warn({ sandboxId, refusedUnlogged: w.dropped }, 'egress refusals not logged in the last minute');
      w = { start: now, count: 0, dropped: 0 };
      this.logged.set(key, w);
    }
    if (w.count++ < LOGS_PER_MINUTE) this.deps.log.warn({ sandboxId, name, port: kind === 'tls' ? 443 : 80, reason }, 'egress refused');
    else w.dropped++;
  }
}
