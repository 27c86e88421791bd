/**
 * The settings of images per sandbox, the event store, event streams and
 * webhooks, and how config.ts reads them: the image allowlist
 * (SANDBOXD_IMAGES) and the webhooks (SANDBOXD_WEBHOOKS) are pure functions of
 * the text; errors name the variable and never repeat a secret.
 */
import { ConfigError, num, read, type Env } from './config-values.js';
import { parseTypeFilter } from './domain/event.js';

/** The name a sandbox created without `image` runs: SANDBOXD_IMAGE. */
export const DEFAULT_IMAGE = 'default';

const IMAGE_NAME = /^[a-z0-9][a-z0-9_.-]{0,31}$/;
/** A Docker reference (repo[:tag][@digest]) or an image id; no spaces, nothing a shell or a URL would split. */
const IMAGE_REF = /^[A-Za-z0-9][A-Za-z0-9._/:@-]{0,255}$/;

/**
 * `name=reference,name2=reference2` → names to references, `default` first
 * (SANDBOXD_IMAGE). A name may alias the default's reference.
 */
export function parseImages(raw: string | undefined, defaultRef: string): Record<string, string> {
  const images: Record<string, string> = { [DEFAULT_IMAGE]: defaultRef };
  for (const entry of (raw ?? '').split(',').map((e) => e.trim()).filter((e) => e !== '')) {
    const eq = entry.indexOf('=');
    if (eq < 0) throw new ConfigError('SANDBOXD_IMAGES', `"${entry}" must be name=image`);
    const name = entry.slice(0, eq).trim();
    const ref = entry.slice(eq + 1).trim();
    if (name === DEFAULT_IMAGE) throw new ConfigError('SANDBOXD_IMAGES', `"${DEFAULT_IMAGE}" is SANDBOXD_IMAGE; set that instead`);
    if (!IMAGE_NAME.test(name)) throw new ConfigError('SANDBOXD_IMAGES', `"${name}" must be 1-32 lowercase letters, digits, "-", "_" or "." (starting with a letter or digit)`);
    if (!IMAGE_REF.test(ref)) throw new ConfigError('SANDBOXD_IMAGES', `"${ref}" (for ${name}) is not an image reference like my/python:1`);
    if (name in images) throw new ConfigError('SANDBOXD_IMAGES', `"${name}" appears twice`);
    images[name] = ref;
  }
  return images;
}

export interface WebhookConfig {
  name: string;
  url: string;
  /** Type filters (exact, `sandbox.*`, `*`); empty: every event. */
  events: string[];
  /** Signs every delivery (HMAC-SHA256). Never logged, never shown. */
  secret: string;
}

const WEBHOOK_NAME = /^[a-z0-9][a-z0-9_.-]{0,62}$/;
const MIN_SECRET = 16;
const KEYS = ['name', 'url', 'events', 'secret'] as const;

function webhookUrl(value: string, where: string): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new ConfigError('SANDBOXD_WEBHOOKS', `${where}: url is not a URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ConfigError('SANDBOXD_WEBHOOKS', `${where}: url must be http or https`);
  return u.toString();
}

function webhookEntry(entry: string, index: number): WebhookConfig {
  const fields: Partial<Record<(typeof KEYS)[number], string>> = {};
  for (const pair of entry.split(/\s+/)) {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    if (!(KEYS as readonly string[]).includes(key)) throw new ConfigError('SANDBOXD_WEBHOOKS', `entry ${index + 1}: unknown field "${key.slice(0, 32)}" (use ${KEYS.join(', ')})`);
    if (eq < 0) throw new ConfigError('SANDBOXD_WEBHOOKS', `entry ${index + 1}: ${key} needs a value (${key}=…)`);
    if (fields[key as (typeof KEYS)[number]] !== undefined) throw new ConfigError('SANDBOXD_WEBHOOKS', `entry ${index + 1}: ${key} appears twice`);
    fields[key as (typeof KEYS)[number]] = pair.slice(eq + 1);
  }
  const name = fields.name ?? '';
  if (!WEBHOOK_NAME.test(name)) throw new ConfigError('SANDBOXD_WEBHOOKS', `entry ${index + 1}: name must be lowercase letters, digits, "-", "_" or "."`);
  if (fields.url === undefined) throw new ConfigError('SANDBOXD_WEBHOOKS', `${name}: url is missing`);
  const secret = fields.secret ?? '';
  if (secret.length < MIN_SECRET) throw new ConfigError('SANDBOXD_WEBHOOKS', `${name}: secret must be at least ${MIN_SECRET} characters`);
  const events = (fields.events ?? '').split(',').map((e) => e.trim()).filter((e) => e !== '');
  for (const e of events) {
    if (parseTypeFilter(e) === null) throw new ConfigError('SANDBOXD_WEBHOOKS', `${name}: "${e}" is not an event type or a family like sandbox.*`);
  }
  return { name, url: webhookUrl(fields.url, name), events, secret };
}

/**
 * Entries separated by `;` (or new lines), each `key=value` fields separated
 * by spaces: `name=billing url=https://… events=sandbox.*,task.failed secret=…`.
 */
export function parseWebhooks(raw: string | undefined): WebhookConfig[] {
  const hooks: WebhookConfig[] = [];
  const entries = (raw ?? '').split(/[;\n]/).map((e) => e.trim()).filter((e) => e !== '');
  entries.forEach((entry, i) => {
    const hook = webhookEntry(entry, i);
    if (hooks.some((h) => h.name === hook.name)) throw new ConfigError('SANDBOXD_WEBHOOKS', `name "${hook.name}" appears twice`);
    hooks.push(hook);
  });
  return hooks;
}

/** Part of Config (config-shape.ts extends it). */
export interface EventsSettings {
  /** Image names a create may ask for → references; `default` is SANDBOXD_IMAGE. */
  images: Readonly<Record<string, string>>;
  /** The event store keeps at most this many events, none older than eventsMaxAgeMs. */
  eventsMaxCount: number;
  eventsMaxAgeMs: number;
  /** Open GET /v1/events streams at most; more get 429. */
  eventsMaxClients: number;
  /** Of those, held by one token that is not an admin (one tenant cannot take every slot). */
  eventsMaxClientsPerToken: number;
  /** Live events waiting for one stream's client at most; past it the client is dropped. */
  eventsClientBuffer: number;
  webhooks: readonly WebhookConfig[];
  /** One delivery attempt, connect to the last byte read. */
  webhookTimeoutMs: number;
  /** How long a delivery is retried (from its event) before it is given up. */
  webhookRetryMs: number;
  /** Deliveries in flight per webhook (each to another sandbox's queue). */
  webhookConcurrency: number;
  /** Undelivered events per webhook at most; past it new ones are recorded as failed. */
  webhookMaxPending: number;
}

export function eventsConfig(env: Env, defaultImage: string): EventsSettings {
  return {
    images: Object.freeze(parseImages(read(env, 'SANDBOXD_IMAGES'), defaultImage)),
    eventsMaxCount: num(env, 'SANDBOXD_EVENTS_MAX_COUNT', 10_000, 100, 10_000_000),
    eventsMaxAgeMs: num(env, 'SANDBOXD_EVENTS_MAX_AGE_SECONDS', 7 * 86400, 60, 365 * 86400) * 1000,
    eventsMaxClients: num(env, 'SANDBOXD_EVENTS_MAX_CLIENTS', 64, 1, 10_000),
    eventsMaxClientsPerToken: num(env, 'SANDBOXD_EVENTS_MAX_CLIENTS_PER_TOKEN', 8, 1, 10_000),
    eventsClientBuffer: num(env, 'SANDBOXD_EVENTS_CLIENT_BUFFER', 1000, 1, 100_000),
    webhooks: Object.freeze(parseWebhooks(read(env, 'SANDBOXD_WEBHOOKS')).map((h) => Object.freeze(h))),
    webhookTimeoutMs: num(env, 'SANDBOXD_WEBHOOK_TIMEOUT_SECONDS', 10, 1, 300) * 1000,
    webhookRetryMs: num(env, 'SANDBOXD_WEBHOOK_RETRY_SECONDS', 86400, 1, 30 * 86400) * 1000,
    webhookConcurrency: num(env, 'SANDBOXD_WEBHOOK_CONCURRENCY', 4, 1, 256),
    webhookMaxPending: num(env, 'SANDBOXD_WEBHOOK_MAX_PENDING', 10_000, 10, 10_000_000),
  };
}
