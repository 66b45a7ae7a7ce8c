import { randomUUID } from 'node:crypto';
import type { SignalRecord } from '../../domain/reactions';
import type { JsonObject, TaskRecord } from '../../domain/records';
import { TaskStatus, isTerminalWorkflow } from '../../domain/status';
import { ConflictError, NotFoundError, ValidationError } from '../../errors';
import type { Engine } from '../engine';
import { payloadError } from '../payload-limits';

/** Longest signal name and signal id. */
const MAX_NAME = 200;
/** A signal arrived this long ago and still not looked at: its sender's engine stopped first (the sweeper delivers it). */
export const SIGNAL_DELIVERY_GRACE_MS = 2000;

/** What a WAIT_FOR_SIGNAL completes with. */
export function signalOutput(s: SignalRecord): JsonObject {
  return { signal: s.name, payload: s.payload, receivedAt: s.receivedAt, signalId: s.signalId, seq: s.seq };
}

/**
 * Workflow signals (`POST /api/workflow/{id}/signal/{name}`): a durable, ordered inbox per
 * workflow, kept in the store, from which a WAIT_FOR_SIGNAL takes the oldest signal of its name,
 * whether it arrived before the step started or after. Exactly once: a signal is appended once
 * (an optional signal id makes a repeated send a no-op), taken by one attempt with an atomic
 * write, and the attempt completes with it in a fenced write; a signal taken by an attempt that
 * ended another way (its timeout won, its workflow was terminated) goes back to the inbox.
 */
export class Signals {
  constructor(private readonly engine: Engine) {}

  /** Stores a signal (refused for a finished workflow), then hands it to a step waiting for it. */
  async send(workflowId: string, name: string, payload: unknown, signalId?: string): Promise<SignalRecord> {
    checkName(name, 'signalName');
    if (signalId !== undefined) checkName(signalId, 'signalId');
    const wf = await this.engine.store.getWorkflow(workflowId);
    if (!wf) throw new NotFoundError(`workflow '${workflowId}' not found`);
    if (isTerminalWorkflow(wf.status)) throw new ConflictError(`workflow '${workflowId}' is ${wf.status}: it takes no more signals`);
    const tooBig = payloadError(payload ?? null, '', this.engine.payloadLimits);
    if (tooBig) throw tooBig;
    const { signal, created } = await this.engine.store.appendSignal({
      signalId: signalId ?? randomUUID(),
      workflowId,
      name,
      payload: payload ?? null,
      receivedAt: this.engine.clock.now(),
      takenBy: null,
      consumedAt: 0,
      delivered: false,
    });
    if (created || !signal.delivered) await this.deliverQuietly(signal);
    return signal;
  }

  /** Hands a stored signal to waiting steps, and marks it looked at; failures are left to the sweeper. */
  async deliverQuietly(signal: SignalRecord): Promise<void> {
    try {
      await this.deliver(signal.workflowId, signal.name);
      await this.engine.store.markSignalDelivered(signal.signalId, signal.workflowId);
    } catch (err) {
      this.engine.log.warn(
        { err, workflowId: signal.workflowId, signal: signal.name },
        'signal stored but not delivered yet; the sweeper will deliver it',
      );
    }
  }

  /** Gives pending signals of a name to the steps of the workflow waiting for it, earliest step first. */
  async deliver(workflowId: string, name: string): Promise<void> {
    const { store } = this.engine;
    for (const w of await store.signalWaits(workflowId, name)) {
      const t = await store.getTask(w.taskId);
      if (!t || t.status !== TaskStatus.IN_PROGRESS) {
        await store.deleteWait(w.taskId);
        continue;
      }
      if (!(await this.deliverTo(t, name))) return;
    }
  }

  /** Takes the oldest pending signal of `name` for a waiting step and completes the step with it; answers whether it did. */
  async deliverTo(t: TaskRecord, name: string): Promise<boolean> {
    const { store } = this.engine;
    const workflowId = t.workflowInstanceId;
    await this.repair(workflowId, name, t.taskId);
    const s = await store.takeSignal(workflowId, name, t.taskId);
    if (!s) return false;
    const now = this.engine.clock.now();
    const done = await store.completeEngineTask(
      t.taskId,
      {},
      { status: TaskStatus.COMPLETED, outputData: signalOutput(s), reasonForIncompletion: null },
      now,
    );
    if (done) {
      await store.consumeSignal(s.signalId, workflowId, t.taskId, now);
      await store.deleteWait(t.taskId);
      try {
        await this.engine.advance(workflowId, [done]);
      } catch (err) {
        this.engine.log.warn({ err, workflowId, taskId: t.taskId }, 'decide after a signal failed; the sweeper will retry');
      }
      return true;
    }
    // The step ended meanwhile: with this signal (a redo), or without it (give it back).
    const current = await store.getTask(t.taskId);
    if (current?.outputData.signalId === s.signalId) {
      await store.consumeSignal(s.signalId, workflowId, t.taskId, this.engine.clock.now());
      return true;
    }
    await store.releaseSignal(s.signalId, workflowId, t.taskId);
    return false;
  }

  /**
   * Signals taken by steps that then ended another way, or whose completion the engine never
   * recorded as consumed (it stopped in between), are settled: consumed if the step ended with
   * them, else back in the inbox, in their place. A step still waiting keeps its signal: its own
   * delivery (or its timer) completes it.
   */
  private async repair(workflowId: string, name: string, except: string): Promise<void> {
    const { store } = this.engine;
    for (const s of await store.takenSignals(workflowId, name)) {
      const holder = s.takenBy;
      if (!holder || holder === except) continue;
      const t = await store.getTask(holder);
      if (t?.status === TaskStatus.IN_PROGRESS) continue;
      if (t?.outputData.signalId === s.signalId) await store.consumeSignal(s.signalId, workflowId, holder, this.engine.clock.now());
      else await store.releaseSignal(s.signalId, workflowId, holder);
    }
  }

  /** The sweeper's safety net: signals stored by an engine that stopped before delivering them. */
  async sweep(now: number, batch: number): Promise<number> {
    const due = await this.engine.store.undeliveredSignals(now - SIGNAL_DELIVERY_GRACE_MS, batch);
    for (const s of due) await this.deliverQuietly(s);
    return due.length;
  }
}

function checkName(v: string, field: string): void {
  if (v.trim() === '' || v.length > MAX_NAME) {
    throw new ValidationError(`${field} must be 1-${MAX_NAME} characters`, [
      { pointer: `/${field}`, message: `must be 1-${MAX_NAME} characters` },
    ]);
  }
}
