// The test kit runs the real engine, which is a separate package: an optional peer dependency,
// loaded when a kit starts, so the SDK itself installs without it. Only the few functions the kit
// calls are named here (structurally), so the SDK's published types never refer to the engine's.
import { ConfigError } from '../errors';

export interface RunningEngine {
  readonly port: number;
  readonly sweeper: { sweep(): Promise<number> };
  close(): Promise<void>;
}

export interface EngineModule {
  loadConfig(argv: string[], env: Record<string, string>): unknown;
  startServer(config: never, opts: { clock: { now(): number } }): Promise<RunningEngine>;
}

export async function loadEngine(): Promise<EngineModule> {
  let mod: unknown;
  try {
    // A name in a variable: neither the compiler nor a bundler should pull the engine in.
    const name = '@baton/engine';
    mod = (await import(name)) as unknown;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code !== 'MODULE_NOT_FOUND' && code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new ConfigError(
      '@baton/workers-sdk/testing runs a real Baton engine in your process: install the engine next to the SDK ' +
        '(`npm install --save-dev @baton/engine`, the same version as the SDK)',
    );
  }
  const engine = mod as Partial<EngineModule>;
  if (typeof engine.startServer !== 'function' || typeof engine.loadConfig !== 'function') {
    throw new ConfigError(
      '@baton/engine was found but does not export startServer and loadConfig: install the version that matches the SDK',
    );
  }
  return engine as EngineModule;
}
