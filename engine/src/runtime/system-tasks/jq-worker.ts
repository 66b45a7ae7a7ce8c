import { parentPort } from 'node:worker_threads';
import { raw } from 'jq-wasm';

/**
 * The jq thread: runs one query at a time with the WebAssembly jq build (jq-wasm; no download at
 * run time, the module is inside the package). The host (jq.ts) kills and replaces this thread
 * when a query runs past its time limit, so a runaway query cannot hold the engine.
 */
export interface JqRequest {
  id: number;
  input: unknown;
  query: string;
}
export type JqReply = { id: number; ok: true; lines: string } | { id: number; ok: false; error: string };

parentPort?.on('message', (m: JqRequest) => {
  raw(JSON.stringify(m.input ?? null), m.query, ['-c']).then(
    (lines) => parentPort?.postMessage({ id: m.id, ok: true, lines } satisfies JqReply),
    (err: unknown) => parentPort?.postMessage({ id: m.id, ok: false, error: err instanceof Error ? err.message : String(err) } satisfies JqReply),
  );
});
