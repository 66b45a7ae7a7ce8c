import { parentPort } from 'node:worker_threads';
import { getQuickJS, type QuickJSWASMModule } from 'quickjs-emscripten';
import { evaluateScript } from './evaluate';
import type { EvalReply, EvalRequest, ReadyMessage } from './protocol';

/**
 * A thread of the script pool (pool.ts): evaluates one request at a time (evaluate.ts) and
 * answers on its port. The pool keeps a harder deadline of its own for work QuickJS cannot
 * interrupt (a regular expression backtracking, a native Array.fill over millions of slots): it
 * terminates this thread and starts another.
 */

/** Interrupt-handler calls per millisecond of a busy loop: the best of three short runs. */
function calibrate(qjs: QuickJSWASMModule): number {
  let best = 0;
  for (let run = 0; run < 3; run++) {
    const runtime = qjs.newRuntime();
    let calls = 0;
    const start = performance.now();
    runtime.setInterruptHandler(() => ++calls > 0 && performance.now() - start > 15);
    const vm = runtime.newContext();
    const r = vm.evalCode('for (;;) {}');
    if (r.error) r.error.dispose();
    else r.value.dispose();
    const elapsed = performance.now() - start;
    vm.dispose();
    runtime.dispose();
    if (elapsed > 0) best = Math.max(best, calls / elapsed);
  }
  return best;
}

void getQuickJS().then((qjs) => {
  const workPerMs = calibrate(qjs);
  parentPort?.on('message', (req: EvalRequest) => {
    let msg: EvalReply;
    try {
      msg = evaluateScript(qjs, { ...req, minWork: Math.floor(req.minWorkMs * workPerMs) });
    } catch (err) {
      // Disposing a runtime after an out-of-memory error can abort the WebAssembly module.
      msg = { id: req.id, ok: false, kind: 'error', error: `script sandbox failed: ${String(err)}`, fatal: true };
    }
    parentPort?.postMessage(msg);
    if (msg.fatal) process.exit(1);
  });
  parentPort?.postMessage({ ready: true, workPerMs } satisfies ReadyMessage);
});
