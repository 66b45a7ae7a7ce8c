import type { Json } from '../domain/records';
import { SandboxHost } from './host';
import {
  defaultScriptLimits,
  memoryLimitMessage,
  timeLimitMessage,
  type ScriptEvaluator,
  type ScriptLimits,
  type ScriptOptions,
  type ScriptResult,
} from './types';

export { defaultScriptLimits, noScripts, type ScriptEvaluator, type ScriptLimits, type ScriptOptions, type ScriptResult } from './types';

let shared: Promise<SandboxHost> | null = null;

/**
 * Loads the sandbox once per process (QuickJS in a worker thread) and returns an evaluator with
 * the given limits. Await it at start-up; afterwards `evaluate` is synchronous.
 */
export async function loadSandbox(limits: Partial<ScriptLimits> = {}): Promise<ScriptEvaluator> {
  shared ??= (async () => {
    const host = new SandboxHost();
    await host.start();
    return host;
  })().catch((err: unknown) => {
    shared = null;
    throw err;
  });
  return createEvaluator(await shared, { ...defaultScriptLimits, ...limits });
}

function createEvaluator(host: SandboxHost, limits: ScriptLimits): ScriptEvaluator {
  const memoryBytes = limits.memoryMb * 1024 * 1024;
  return {
    evaluate(script: string, bindings: Record<string, unknown>, options: ScriptOptions = {}): ScriptResult {
      let bindingsJson: string;
      try {
        bindingsJson = JSON.stringify(bindings);
      } catch (err) {
        return { ok: false, error: `script bindings are not JSON: ${String(err)}` };
      }
      const reply = host.call({ script, bindingsJson, names: Object.keys(bindings), timeoutMs: limits.timeoutMs, memoryBytes, now: options.now ?? 0 });
      if (reply === 'killed') return { ok: false, error: timeLimitMessage(limits) };
      if (reply === 'unavailable') return { ok: false, error: 'the script sandbox could not be started' };
      if (reply.ok) {
        try {
          return { ok: true, value: JSON.parse(reply.valueJson) as Json };
        } catch (err) {
          return { ok: false, error: `script result is not JSON: ${String(err)}` };
        }
      }
      if (reply.kind === 'timeout') return { ok: false, error: timeLimitMessage(limits) };
      if (reply.kind === 'memory') return { ok: false, error: memoryLimitMessage(limits) };
      return { ok: false, error: reply.error };
    },
  };
}
