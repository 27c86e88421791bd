/** Process only: load config, build the daemon, handle signals, exit codes. */
import { ConfigError, loadConfig } from './config.js';
import { buildDaemon } from './daemon.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`sandboxd: invalid configuration: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const daemon = await buildDaemon(config);
  // loadConfig already refused auth off on a non-loopback bind; loopback is still every local process and user.
  if (!config.authEnabled) daemon.api.log.warn('API auth is off: anyone on this host can drive it; set SANDBOXD_API_TOKENS');
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    daemon.api.log.info({ signal }, 'shutting down');
    daemon.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        daemon.api.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  await daemon.start();
}

main().catch((err: unknown) => {
  process.stderr.write(`sandboxd: failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
