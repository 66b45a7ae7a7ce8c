import { parentPort } from 'node:worker_threads';
import { getQuickJS } from 'quickjs-emscripten';
import { calibrate, evaluateScript } from './evaluate';
import type { EvalReply, EvalRequest, ReadyMessage } from './protocol';

/**
 * A thread of the script pool (pool.ts): evaluates one request at a time (evaluate.ts) and
 * answers on its port. The pool keeps a harder deadline of its own for work QuickJS cannot
 * interrupt (a regular expression backtracking, a native Array.fill over millions of slots): it
 * terminates this thread and starts another.
 */

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
