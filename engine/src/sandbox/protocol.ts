/**
 * Messages between the script pool (engine thread, pool.ts) and its worker threads (worker.ts),
 * over the threads' own message ports: the engine thread never blocks on them.
 */
export interface EvalRequest {
  id: number;
  script: string;
  /** The bindings as JSON text: the only form in which host data enters the sandbox. */
  bindingsJson: string;
  /** The globals to define, one per key of the bindings. */
  names: string[];
  /** Limit of the script's own run time. */
  timeoutMs: number;
  memoryBytes: number;
  now: number;
  /**
   * Milliseconds of work on an unloaded core a script must also have done before its time limit
   * applies (each thread measures how many interrupt-handler calls that is when it starts), so a
   * script on a thread starved of CPU is not failed for time it did not run. 0: time alone.
   */
  minWorkMs: number;
}

export type EvalReply = (
  { id: number; ok: true; valueJson: string } | { id: number; ok: false; kind: 'error' | 'timeout' | 'memory'; error: string }
) & {
  /** The worker's QuickJS module is no longer usable: the pool must replace the worker. */
  fatal?: boolean;
};

/** A thread's first message: QuickJS is loaded, and how much work it does per millisecond. */
export interface ReadyMessage {
  ready: true;
  workPerMs: number;
}
