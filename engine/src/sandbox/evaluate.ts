import type { QuickJSHandle, QuickJSWASMModule } from 'quickjs-emscripten';
import type { EvalReply, EvalRequest } from './protocol';

/**
 * One evaluation of a user script in QuickJS (a JavaScript interpreter compiled to WebAssembly),
 * never in V8. Each evaluation gets a fresh QuickJS runtime and context, so nothing survives from
 * one script to the next, with two limits enforced by QuickJS itself: an interrupt handler stops
 * the interpreter past its time, and the runtime's allocator refuses memory beyond the limit.
 * Runs in the sandbox's worker threads (worker.ts); tests call it directly.
 */

/**
 * Runs before a script that mentions Date, Math.random or console: a console that discards,
 * and a clock and a random source derived from the decision, so that replaying a decision
 * replays its scripts. Skipped for the others (most conditions): it costs 0.14 ms of the 0.6 ms
 * an evaluation takes. A script reaching Date by a computed name sees the real clock, which only
 * costs it its determinism.
 */
const PRELUDE = `(function (now) {
  var RealDate = Date;
  function BatonDate() {
    if (!new.target) return new RealDate(now).toString();
    return arguments.length === 0 ? new RealDate(now) : Reflect.construct(RealDate, Array.prototype.slice.call(arguments), new.target);
  }
  BatonDate.prototype = RealDate.prototype;
  BatonDate.now = function () { return now; };
  BatonDate.parse = RealDate.parse;
  BatonDate.UTC = RealDate.UTC;
  globalThis.Date = BatonDate;
  var seed = (now % 2147483647) | 0;
  Math.random = function () {
    seed = (seed + 0x6d2b79f5) | 0;
    var t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  var quiet = function () {};
  globalThis.console = { log: quiet, info: quiet, warn: quiet, error: quiet, debug: quiet, trace: quiet };
})`;
const NEEDS_PRELUDE = /\b(Date|random|console)\b/;

/**
 * Runs before a script whose bindings hold encoded values (docs/payloads.md, "Codecs"): each
 * envelope becomes a proxy that lets the script pass it along or read its own fields, and throws,
 * naming the field, when the script reads into it (`$.payment.card`). Without it such a read is
 * undefined, and a condition would quietly take the wrong branch.
 */
const ENCODED_GUARD = `(function (names) {
  function guard(v, path) {
    if (v === null || typeof v !== 'object') return v;
    if (!Array.isArray(v) && typeof v.__baton_codec === 'string' && typeof v.data === 'string') {
      var codec = v.__baton_codec;
      return new Proxy(v, { get: function (t, k) {
        if (typeof k !== 'string' || k === 'toJSON' || Object.prototype.hasOwnProperty.call(t, k)) return t[k];
        throw new TypeError('the script reads ' + path + '.' + k + ' but ' + path + ' is encoded (' + codec + '): the engine holds no keys and cannot read encoded values; list the field in the payloadCodec.clearFields of the workflow definition');
      } });
    }
    for (var k in v) if (Object.prototype.hasOwnProperty.call(v, k)) v[k] = guard(v[k], Array.isArray(v) ? path + '[' + k + ']' : path + '.' + k);
    return v;
  }
  for (var i = 0; i < names.length; i++) globalThis[names[i]] = guard(globalThis[names[i]], names[i]);
})`;
const ENCODED_MARK = '"__baton_codec"';

/** What one evaluation needs: the request, and the work (interrupt calls) it may do before its time limit applies. */
export type Evaluation = Omit<EvalRequest, 'minWorkMs'> & { minWork: number };

export function evaluateScript(qjs: QuickJSWASMModule, req: Evaluation): EvalReply {
  // The clock starts when the user's script starts: creating the runtime, copying the bindings
  // in and the prelude do not count against its limit (docs/limits.md).
  let deadline = Infinity;
  let work = 0;
  let interrupted = false;
  const runtime = qjs.newRuntime();
  runtime.setMemoryLimit(req.memoryBytes);
  // Deep recursion must end as a RangeError inside QuickJS, well before the WebAssembly stack.
  runtime.setMaxStackSize(512 * 1024);
  // QuickJS calls this every few thousand operations: a script is stopped once it has both run
  // past its time and done the work that takes on an unloaded core (`minWork` such calls), so
  // a thread starved of CPU by a busy machine does not fail a script that did little.
  runtime.setInterruptHandler(() => {
    work++;
    if (performance.now() < deadline || work < req.minWork) return false;
    interrupted = true;
    return true;
  });
  const vm = runtime.newContext();
  const handles: QuickJSHandle[] = [];
  const keep = (h: QuickJSHandle): QuickJSHandle => (handles.push(h), h);
  const failure = (errorHandle: QuickJSHandle): EvalReply => {
    if (interrupted) return { id: req.id, ok: false, kind: 'timeout', error: 'interrupted' };
    const message = describe(vm.dump(errorHandle));
    return { id: req.id, ok: false, kind: /out of memory/i.test(message) ? 'memory' : 'error', error: message };
  };

  let reply: EvalReply;
  try {
    const json = keep(vm.getProp(vm.global, 'JSON'));
    // Taken before the script runs: a script that replaces JSON.stringify cannot fake its result.
    const stringify = keep(vm.getProp(json, 'stringify'));
    const parse = keep(vm.getProp(json, 'parse'));
    const run = (): EvalReply => {
      const bindings = vm.callFunction(parse, vm.undefined, keep(vm.newString(req.bindingsJson)));
      if (bindings.error) return failure(keep(bindings.error));
      const bound = keep(bindings.value);
      for (const name of req.names) vm.setProp(vm.global, name, keep(vm.getProp(bound, name)));
      if (req.bindingsJson.includes(ENCODED_MARK)) {
        const guard = vm.evalCode(ENCODED_GUARD, 'encoded-guard.js', { type: 'global' });
        if (guard.error) return failure(keep(guard.error));
        const names = vm.callFunction(parse, vm.undefined, keep(vm.newString(JSON.stringify(req.names))));
        if (names.error) return failure(keep(names.error));
        const guarded = vm.callFunction(keep(guard.value), vm.undefined, keep(names.value));
        if (guarded.error) return failure(keep(guarded.error));
        keep(guarded.value);
      }
      if (NEEDS_PRELUDE.test(req.script)) {
        const prelude = vm.evalCode(PRELUDE, 'prelude.js', { type: 'global' });
        if (prelude.error) return failure(keep(prelude.error));
        const setUp = vm.callFunction(keep(prelude.value), vm.undefined, keep(vm.newNumber(req.now)));
        if (setUp.error) return failure(keep(setUp.error));
        keep(setUp.value);
      }

      // Work done copying the bindings in is not the script's: count from here, or a thread
      // descheduled for a moment by a busy machine would stop a quick script over large bindings.
      work = 0;
      deadline = performance.now() + req.timeoutMs;
      const result = vm.evalCode(req.script, 'script.js', { type: 'global' });
      if (result.error) return failure(keep(result.error));
      const text = vm.callFunction(stringify, vm.undefined, keep(result.value));
      if (text.error) return failure(keep(text.error));
      const out = keep(text.value);
      // undefined, functions and symbols have no JSON form: the result is null, as in Conductor.
      return { id: req.id, ok: true, valueJson: vm.typeof(out) === 'string' ? vm.getString(out) : 'null' };
    };
    reply = run();
  } catch (err) {
    reply = { id: req.id, ok: false, kind: 'error', error: `script sandbox failed: ${String(err)}`, fatal: true };
  }
  try {
    for (const h of handles.reverse()) if (h.alive) h.dispose();
    vm.dispose();
    runtime.dispose();
  } catch {
    // Freeing a runtime after an out-of-memory error can abort the WebAssembly module: the
    // answer stands, but this worker must be replaced.
    reply = { ...reply, fatal: true };
  }
  return reply;
}

function describe(thrown: unknown): string {
  if (thrown && typeof thrown === 'object' && 'message' in thrown) {
    const { name, message } = thrown as { name?: unknown; message?: unknown };
    return `${typeof name === 'string' && name ? name : 'Error'}: ${String(message)}`;
  }
  let text: string;
  try {
    text = JSON.stringify(thrown) ?? String(thrown);
  } catch {
    text = String(thrown);
  }
  return `script threw ${text.length > 500 ? `${text.slice(0, 500)}...` : text}`;
}

/** Interrupt-handler calls per millisecond of a busy loop: the best of three short runs. */
export function calibrate(qjs: QuickJSWASMModule): number {
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
