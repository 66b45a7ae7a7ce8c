import { parentPort } from 'node:worker_threads';
import { raw } from 'jq-wasm';

/**
 * A jq thread: runs one query at a time with the WebAssembly jq build (jq-wasm; no download at
 * run time, the module is inside the package). It loads the module before it says it is ready,
 * so a query's time limit never pays for the load. The host (jq.ts) kills and replaces the thread
 * when a query runs past its time limit or breaks the WebAssembly instance (`fatal`: jq ran out
 * of memory and aborted), so a runaway query cannot hold the engine nor poison later queries.
 */
export interface JqRequest {
  id: number;
  input: unknown;
  query: string;
}
export type JqReply = { ready: true } | { id: number; ok: true; lines: string } | { id: number; ok: false; error: string; fatal: boolean };

/** WebAssembly.RuntimeError (an abort, a trap): the instance is unusable afterwards. */
const fatal = (err: unknown): boolean =>
  (err instanceof Error && err.name === 'RuntimeError') || /\bAborted\(|out of memory/i.test(String(err));

raw('null', '.', ['-c']).then(
  () => parentPort?.postMessage({ ready: true } satisfies JqReply),
  (err: unknown) => {
    throw err;
  },
);

parentPort?.on('message', (m: JqRequest) => {
  raw(JSON.stringify(m.input ?? null), m.query, ['-c']).then(
    (lines) => parentPort?.postMessage({ id: m.id, ok: true, lines } satisfies JqReply),
    (err: unknown) =>
      parentPort?.postMessage({
        id: m.id,
        ok: false,
        error: err instanceof Error ? err.message : String(err),
        fatal: fatal(err),
      } satisfies JqReply),
  );
});
