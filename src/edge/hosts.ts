/**
 * Preview host names, formatted and parsed here only:
 * `s-<id>-<port>.preview.<domain>`. Ids are lowercase and never end in
 * `-<digits>` ambiguity because the port is always the last dash group.
 */
import { isValidSandboxId } from '../domain/sandbox.js';

export interface PreviewTarget {
  id: string;
  port: number;
}

export interface PreviewUrlConfig {
  previewDomain: string;
  httpPort: number;
  previewTls: boolean;
}

export function previewHost(id: string, port: number, domain: string): string {
  return `s-${id}-${port}.preview.${domain}`;
}

export function previewUrl(id: string, port: number, cfg: PreviewUrlConfig): string {
  const scheme = cfg.previewTls ? 'https' : 'http';
  const defaultPort = cfg.previewTls ? 443 : 80;
  const suffix = cfg.httpPort === defaultPort || cfg.previewTls ? '' : `:${cfg.httpPort}`;
  return `${scheme}://${previewHost(id, port, cfg.previewDomain)}${suffix}/`;
}

/** Host header → target, or null when it is not a preview host of this domain. Case-insensitive. */
export function parsePreviewHost(hostHeader: string | undefined, domain: string): PreviewTarget | null {
  if (!hostHeader) return null;
  const host = hostHeader.toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
  const suffix = `.preview.${domain.toLowerCase()}`;
  if (!host.endsWith(suffix)) return null;
  const label = host.slice(0, -suffix.length);
  const m = /^s-(.+)-(\d{1,5})$/.exec(label);
  if (!m) return null;
  const port = Number(m[2]);
  if (port < 1 || port > 65535 || !isValidSandboxId(m[1])) return null;
  return { id: m[1], port };
}
