#!/usr/bin/env node
import { ConfigError, loadConfig, usage } from './config';
import { startServer } from './server';

/** The engine's command line: `npm start` runs this with the embedded store in ./data. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    process.stderr.write(`${err instanceof ConfigError || err instanceof TypeError ? err.message : String(err)}\n\n${usage}\n`);
    process.exit(2);
  }
  if (config.help) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  const running = await startServer(config);
  const stop = (signal: string): void => {
    running.log.info({ signal }, 'shutting down');
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`baton engine failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
