/**
 * The OpenAPI document from the source tree, without a running daemon: builds
 * the daemon on a throwaway data dir, which neither listens nor calls Docker,
 * and asks its API for the document.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../src/config.js';
import { buildDaemon } from '../../src/daemon.js';

export async function openApiDocument(): Promise<Record<string, unknown>> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'sandboxed-openapi-'));
  try {
    const daemon = await buildDaemon(loadConfig({ SANDBOXED_DATA_DIR: dataDir, SANDBOXD_DISK_QUOTA: 'false' }), { log: pino({ level: 'silent' }) });
    await daemon.api.ready();
    const doc = daemon.api.swagger() as unknown as Record<string, unknown>;
    await daemon.api.close();
    daemon.db.close();
    return doc;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
