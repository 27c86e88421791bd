/**
 * Sandbox metadata: string → string labels a client sets at create and PATCH,
 * used for nothing but filtering lists. Bounded so a row stays small however
 * hostile the client: at most 64 keys, keys of 1-64 characters from
 * [A-Za-z0-9_./-] starting with a letter or digit, values of at most 512
 * UTF-8 bytes without control characters, 16 KiB in all. Keys under
 * `sandboxed.` are the daemon's (the owning token's name); clients may read and
 * filter on them but never set them. A leaf: imports nothing of ours.
 */
export type Metadata = Record<string, string>;

export const METADATA_MAX_KEYS = 64;
export const METADATA_KEY_MAX = 64;
export const METADATA_VALUE_MAX_BYTES = 512;
export const METADATA_MAX_TOTAL_BYTES = 16 * 1024;
/** Equality filters one list request may carry (?metadata.<key>=<value>). */
export const METADATA_MAX_FILTERS = 16;

/** A letter or digit first, so `__proto__` and friends can never be a key. */
export const METADATA_KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_./-]{0,63}$/;
export const RESERVED_PREFIX = 'sandboxed.';
/** The name of the API token that created the sandbox. */
export const OWNER_KEY = 'sandboxed.owner';

// C0, DEL and C1 controls: NUL among them. Labels have no use for them, logs and terminals misread them.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** Half of a surrogate pair without the other half: SQLite would store U+FFFD and the value would no longer match. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function isReservedKey(key: string): boolean {
  return key.toLowerCase().startsWith(RESERVED_PREFIX);
}

/** What is wrong with one key, or null. */
export function metadataKeyProblem(key: string): string | null {
  if (!METADATA_KEY_PATTERN.test(key)) return `key "${key.slice(0, METADATA_KEY_MAX)}" must be 1-${METADATA_KEY_MAX} of A-Z a-z 0-9 _ . / - starting with a letter or digit`;
  if (isReservedKey(key)) return `keys starting with "${RESERVED_PREFIX}" are reserved`;
  return null;
}

/** What is wrong with one value, or null. */
export function metadataValueProblem(value: string): string | null {
  // Checked on characters first: a huge value is refused without encoding it.
  if (value.length > METADATA_VALUE_MAX_BYTES || Buffer.byteLength(value, 'utf8') > METADATA_VALUE_MAX_BYTES) return `values are at most ${METADATA_VALUE_MAX_BYTES} bytes of UTF-8`;
  if (LONE_SURROGATE.test(value)) return 'values must be well-formed Unicode (no lone surrogates)';
  if (CONTROL.test(value)) return 'values must not contain control characters (NUL included)';
  return null;
}

/** What is wrong with a client's whole map (the reserved keys excluded), or null. */
export function metadataProblem(md: Metadata): string | null {
  const keys = Object.keys(md).filter((k) => !isReservedKey(k));
  if (keys.length > METADATA_MAX_KEYS) return `at most ${METADATA_MAX_KEYS} keys`;
  let total = 0;
  for (const k of keys) total += Buffer.byteLength(k, 'utf8') + Buffer.byteLength(md[k], 'utf8');
  if (total > METADATA_MAX_TOTAL_BYTES) return `keys and values take at most ${METADATA_MAX_TOTAL_BYTES} bytes together`;
  return null;
}

/**
 * A PATCH: keys set to a string are set, keys set to null removed (JSON merge
 * patch), the reserved keys kept whatever the patch says.
 */
export function mergeMetadata(current: Metadata, patch: Record<string, string | null>): Metadata {
  const out: Metadata = { ...current };
  for (const [k, v] of Object.entries(patch)) {
    if (isReservedKey(k)) continue;
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}

/** The client's part of a map: what a create or PATCH may carry. */
export function clientMetadata(md: Metadata): Metadata {
  return Object.fromEntries(Object.entries(md).filter(([k]) => !isReservedKey(k)));
}
