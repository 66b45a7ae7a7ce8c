import type { MessagePort } from 'node:worker_threads';

/**
 * Messages between the sandbox host (engine thread) and its worker thread. The host posts a
 * request on a MessagePort, blocks on a shared Int32Array until the worker stores the request's
 * id in `SIGNAL_DONE`, then takes the reply off the port synchronously (receiveMessageOnPort).
 */
export const SIGNAL_DONE = 0;
/** Set to 1 by the worker once QuickJS is loaded and it accepts requests. */
export const SIGNAL_READY = 1;
export const SIGNAL_SLOTS = 2;

export interface WorkerData {
  signal: SharedArrayBuffer;
  port: MessagePort;
}

export interface EvalRequest {
  id: number;
  script: string;
  /** The bindings as JSON text: the only form in which host data enters the sandbox. */
  bindingsJson: string;
  /** The globals to define, one per key of the bindings. */
  names: string[];
  timeoutMs: number;
  memoryBytes: number;
  now: number;
}

export type EvalReply = (
  | { id: number; ok: true; valueJson: string }
  | { id: number; ok: false; kind: 'error' | 'timeout' | 'memory'; error: string }
) & {
  /** The worker's QuickJS module is no longer usable: the host must replace the worker. */
  fatal?: boolean;
};
