import releaseSync from '@jitl/quickjs-wasmfile-release-sync';
import { newQuickJSWASMModuleFromVariant, type QuickJSSyncVariant } from 'quickjs-emscripten';
import { calibrate, evaluateScript } from '../../src/sandbox/evaluate';
import { defaultScriptLimits, memoryLimitMessage, timeLimitMessage, type ScriptRequest, type ScriptResult } from '../../src/sandbox/types';
import type { Json } from '../../src/domain/records';

/** Answers a script request at once, in this thread: the decider harness's sandbox. */
export type TestScripts = (req: ScriptRequest) => ScriptResult;

/**
 * The engine evaluates scripts on worker threads (sandbox/pool.ts) and feeds the answers back to
 * the decider; table tests of the decider need no threads, so this evaluates the same way
 * (sandbox/evaluate.ts, same QuickJS, same limits) synchronously in the test's own thread.
 */
export async function loadTestScripts(limits = defaultScriptLimits): Promise<TestScripts> {
  // The package's own loader imports the WebAssembly module dynamically, which jest's module
  // system does not support; the same module loaded with require works in both.
  const variant: QuickJSSyncVariant = {
    ...releaseSync,
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    importModuleLoader: () => Promise.resolve(require('@jitl/quickjs-wasmfile-release-sync/emscripten-module') as never),
  };
  const qjs = await newQuickJSWASMModuleFromVariant(variant);
  // As on the pool's threads: a script is stopped past its time only once it also did the work an
  // unloaded core does in half of it, so a test process starved of CPU does not fail a quick script.
  const minWork = Math.floor((limits.timeoutMs / 2) * calibrate(qjs));
  return (req) => {
    const reply = evaluateScript(qjs, { ...req, id: 0, timeoutMs: limits.timeoutMs, memoryBytes: limits.memoryMb * 1024 * 1024, minWork });
    if (reply.ok) return { ok: true, value: JSON.parse(reply.valueJson) as Json };
    if (reply.kind === 'timeout') return { ok: false, error: timeLimitMessage(limits) };
    if (reply.kind === 'memory') return { ok: false, error: memoryLimitMessage(limits) };
    return { ok: false, error: reply.error };
  };
}
