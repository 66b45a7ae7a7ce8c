#!/usr/bin/env node
import { listeningLine, startingLine } from './banner';
import { ConfigError, loadConfig, usage } from './config';
import { startServer } from './server';

/** A shutdown that has not finished by then is cut short, so the port is never held by a stuck engine. */
const SHUTDOWN_LIMIT_MS = 30_000;
/**
 * Ctrl-C in a terminal reaches the engine twice (from the terminal and forwarded by npm): a second
 * signal within this time is that echo; a later one means "stop now".
 */
const ECHO_MS = 1000;

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
  process.stderr.write(`${startingLine(config)}\n`);
  const running = await startServer(config);
  process.stderr.write(`${listeningLine(config, running.port)}\n`);
  let stoppingSince: number | null = null;
  const stop = (signal: string): void => {
    if (stoppingSince !== null) {
      if (Date.now() - stoppingSince < ECHO_MS) return;
      running.log.warn({ signal }, 'second signal while shutting down: exiting now');
      process.exit(1);
    }
    stoppingSince = Date.now();
    running.log.info({ signal }, 'shutting down');
    setTimeout(() => {
      running.log.error({ limitMs: SHUTDOWN_LIMIT_MS }, 'shutdown did not finish in time: exiting');
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS).unref();
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGHUP', () => stop('SIGHUP'));
}

main().catch((err: unknown) => {
  process.stderr.write(`baton engine failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
