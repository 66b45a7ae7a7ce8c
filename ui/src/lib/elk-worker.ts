import elkWorkerUrl from 'elkjs/lib/elk-worker.min.js?url';

let worker: Worker | null = null;

/**
 * The ELK layout worker (elkjs' own script, bundled as a file of ours). Started once, and as early
 * as main.tsx knows a graph will be drawn: its 1.6 MB script then loads and compiles while the
 * page's data is on its way, instead of after the graph's code arrived.
 */
export function elkWorker(): Worker {
  const started = window as unknown as { __batonElkWorker?: Worker };
  // index.html starts it even earlier when the page opens on a run.
  worker ??= started.__batonElkWorker ?? new Worker(elkWorkerUrl);
  return worker;
}
