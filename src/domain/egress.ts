/**
 * A sandbox's egress policy as every layer sees it. Entries are host names
 * (`registry.npmjs.org`), wildcards (`*.github.com`: any name below
 * github.com, not github.com itself) or IPv4 CIDRs. A leaf.
 */
export type EgressMode = 'open' | 'allowlist';

export interface EgressPolicy {
  mode: EgressMode;
  allow: string[];
  deny: string[];
}

/** Entries per list: a policy is checked on every connection. */
export const MAX_EGRESS_ENTRIES = 256;

const LABEL = '[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?';
export const HOST_NAME = new RegExp(`^${LABEL}(\\.${LABEL})*$`);
const WILDCARD = new RegExp(`^\\*(\\.${LABEL})+$`);
export const IPV4_CIDR = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/(3[0-2]|[12]?\d)$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

export function isCidr(entry: string): boolean {
  return IPV4_CIDR.test(entry);
}

/** Why an entry is not a name, a wildcard or a CIDR; null when it is one. Names are lowercase, at most 253 characters. */
export function egressEntryProblem(entry: string): string | null {
  if (entry.length > 253) return `"${entry.slice(0, 40)}…" is longer than 253 characters`;
  if (IPV4_CIDR.test(entry) || WILDCARD.test(entry)) return null;
  if (IPV4.test(entry)) return `"${entry}" is an address: write it as a CIDR (${entry}/32)`;
  if (HOST_NAME.test(entry)) return null;
  return `"${entry}" is not a lowercase host name, a wildcard like *.github.com or an IPv4 CIDR`;
}

export function cidrsOf(entries: readonly string[]): string[] {
  return entries.filter(isCidr);
}
