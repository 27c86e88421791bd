/**
 * Secrets at rest: values the daemon must keep across a restart (injected env,
 * a running task's model key) are sealed with AES-256-GCM before they reach
 * SQLite, under a key kept beside the database in DATA_DIR/state/secrets.key
 * (0600, generated at first start). A copy of the database alone (a backup, a
 * support bundle) then holds no usable secret.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Sealed text starts with this; anything else in a sealed column is plaintext from before sealing. */
export const SEALED_PREFIX = 's1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The sealing key, generated at first start into DATA_DIR/state/secrets.key (0600). */
export function loadSecretKey(dataDir: string): Buffer {
  return loadKeyFile(dataDir, 'secrets.key');
}

/** A 32-byte key in DATA_DIR/state/<name> (hex, 0600), generated at first start. */
export function loadKeyFile(dataDir: string, name: string): Buffer {
  const file = path.join(dataDir, 'state', name);
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(file, randomBytes(32).toString('hex') + '\n', { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
  if (key.length !== 32) throw new Error(`${file} holds no usable key (want 64 hex characters)`);
  return key;
}

export function isSealed(text: string): boolean {
  return text.startsWith(SEALED_PREFIX);
}

export function seal(key: Buffer, plaintext: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return SEALED_PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

/** Throws when the text was sealed under another key or was changed. */
export function unseal(key: Buffer, sealed: string): string {
  if (!isSealed(sealed)) throw new Error('not a sealed value');
  const raw = Buffer.from(sealed.slice(SEALED_PREFIX.length), 'base64');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
  decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
}
