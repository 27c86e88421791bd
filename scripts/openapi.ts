/**
 * Prints the OpenAPI document (`npm run openapi > openapi.json`) without a
 * running daemon: builds the daemon on a throwaway data dir, which neither
 * listens nor calls Docker, and asks its API for the document.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../src/config.js';
import { buildDaemon } from '../src/daemon.js';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'sandboxed-openapi-'));
try {
  const daemon = await buildDaemon(loadConfig({ SANDBOXED_DATA_DIR: dataDir, SANDBOXD_DISK_QUOTA: 'false' }), { log: pino({ level: 'silent' }) });
  await daemon.api.ready();
  process.stdout.write(`${JSON.stringify(daemon.api.swagger(), null, 2)}\n`);
  await daemon.api.close();
  daemon.db.close();
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
// Node's metrics keep a timer; the document is out.
process.exit(0);
