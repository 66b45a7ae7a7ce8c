import type { WorkflowDef } from '@baton/definitions';
import type { DebounceRecord } from '../../../domain/reactions';
import type { FlowWait, WorkflowRecord } from '../../../domain/records';
import { isTerminalWorkflow } from '../../../domain/status';
import { ConflictError, NotFoundError, StoreUnavailableError } from '../../../errors';
import type { CommitDecision } from '../../../store/port';
import { storedOf } from '../../caches';
import type { Engine, StartRequest } from '../../engine';
import { KeyedLock } from '../../keyed-lock';
import { gateOf, type Gate, type Stage } from './gate';

/** Runs one pump lets in before it yields (it is kicked again when more may go). */
const PUMP_BATCH = 100;
/** A queued run whose record is missing this long after it was queued: its start crashed in between. */
const ORPHAN_MS = 10_000;
/** How often a full key's holders are checked for runs that ended without giving their slot back. */
const AUDIT_MS = 5_000;
/** Keys the sweeper pumps per pass, round robin. */
const KEYS_PER_SWEEP = 100;

/**
 * Per-key flow control of runs (docs/flow-control.md), the part of Engine.startWorkflow that may
 * hold a run back. A held run is stored at once (its id is answered, it is visible, it can be
 * terminated) with `flowWait` set and no decision made: Engine.advance leaves it alone. It then
 * passes its stages in order: a debounce period, a rate window, each concurrency key. Each key
 * has a FIFO queue in the store; a pump lets the head of one key's queue through while the key has
 * room, so keys never wait for each other: a tenant with 10,000 queued runs delays no other
 * tenant's run. Passing the last stage lets the run in: flowWait is cleared (a revision-fenced
 * commit) and the first decision is made. A run that ends gives its slots back and the keys are
 * pumped. Every step is idempotent (queues keep a run once, a holder asking again keeps its slot,
 * letting in twice is once), so a crash anywhere is repaired by pumping again, which the sweeper does.
 */
export class Admission {
  private readonly locks = new KeyedLock();
  private readonly audited = new Map<string, number>();
  /** Rate keys whose head waits for the next window, and when it opens: pumped by the first sweep after. */
  private readonly windows = new Map<string, number>();
  private cursor = '';
  private passes = 0;
  /** Runs let in, per key, since start (tests and metrics read it). */
  readonly grants = new Map<string, number>();

  constructor(private readonly engine: Engine) {}

  /**
   * Engine.startWorkflow's hook: null when the definition has no flow control for this start (it
   * starts as usual); otherwise the run's id, stored held, debounced, or folded into the run a
   * debounce holds.
   */
  async admit(def: WorkflowDef, wf: WorkflowRecord, req: StartRequest): Promise<string | null> {
    const gate = gateOf(def, wf);
    if (!gate) return null;
    if (gate.debounce && req.foldable) return this.debounce(wf, gate, req);
    if (gate.stages.length === 0) return null;
    const first = gate.stages[0] as Stage;
    const now = this.engine.clock.now();
    // Queued before it is stored: a crash between the two leaves a queue entry the pump drops
    // (ORPHAN_MS), never a stored run that no queue would ever let in.
    await this.engine.store.flowEnqueue(first.keyId, wf.workflowId, now);
    const created = await this.create(wf, { since: now }, req);
    if (created) await this.pump(first.keyId);
    return wf.workflowId;
  }

  /** A run ended: its slots go back, it leaves any queue, its debounce closes; the keys are pumped. */
  async released(wf: WorkflowRecord): Promise<void> {
    const { store } = this.engine;
    const keys = new Set<string>();
    for (const key of await store.flowHeldBy(wf.workflowId)) {
      await store.flowRelease(key, wf.workflowId);
      keys.add(key);
    }
    for (const w of await store.flowWaitsOf(wf.workflowId)) {
      await store.flowDequeue(w.keyId, wf.workflowId);
      keys.add(w.keyId);
    }
    if (wf.flowWait?.debounceKey) {
      const d = await store.getDebounce(wf.flowWait.debounceKey);
      // Fired "now or ever": the next start opens a new debounce instead of folding into an ended run.
      if (d?.workflowId === wf.workflowId && (await store.debounceFire(d.keyId, d.workflowId, Number.MAX_SAFE_INTEGER))) {
        await store.debounceClose(d.keyId, d.workflowId);
      }
    }
    for (const key of keys) this.kick(key);
  }

  /** Lets the head of a key's queue through while the key has room; answers how many went. */
  pump(keyId: string): Promise<number> {
    return this.locks.run(keyId, async () => {
      let granted = 0;
      for (let i = 0; i < PUMP_BATCH; i++) {
        const [head] = await this.engine.store.flowQueue(keyId, 1);
        if (!head) break;
        const wf = await this.load(head.workflowId);
        if (!wf) {
          if (this.engine.clock.now() - head.enqueuedAt < ORPHAN_MS) break;
          await this.engine.store.flowDequeue(keyId, head.workflowId);
          continue;
        }
        const stages = gateOf(wf.definition, wf)?.stages ?? [];
        const at = stages.findIndex((s) => s.keyId === keyId);
        const stage = stages[at];
        if (!stage || isTerminalWorkflow(wf.status) || !wf.flowWait) {
          await this.engine.store.flowDequeue(keyId, head.workflowId);
          continue;
        }
        if (!(await this.pass(stage, wf))) break;
        granted++;
        this.grants.set(keyId, (this.grants.get(keyId) ?? 0) + 1);
        await this.next(wf, stages, at);
        await this.engine.store.flowDequeue(keyId, wf.workflowId);
      }
      return granted;
    });
  }

  /** The sweeper: debounces due, and every key with runs waiting (round robin), pumped. */
  async sweep(now: number, batch: number): Promise<number> {
    let acted = 0;
    for (const d of await this.engine.store.dueDebounces(now, batch)) {
      await this.fireDebounce(d);
      acted++;
    }
    for (const [key, opensAt] of this.windows) {
      if (opensAt > now) continue;
      this.windows.delete(key);
      acted += await this.pump(key);
    }
    // Keys are walked every eighth pass: pumps run when runs end, this only repairs after crashes.
    if (this.passes++ % 8 !== 0) return acted;
    const keys = await this.engine.store.flowKeysWaiting(this.cursor, KEYS_PER_SWEEP);
    this.cursor = keys.length < KEYS_PER_SWEEP ? '' : (keys[keys.length - 1] ?? '');
    for (const key of keys) acted += await this.pump(key);
    return acted;
  }

  /** Where a run stands (`GET /api/workflow/{id}/flow`). */
  async status(workflowId: string): Promise<Record<string, unknown>> {
    const wf = await this.engine.getWorkflow(workflowId);
    const { store } = this.engine;
    const waiting = [];
    for (const w of await store.flowWaitsOf(workflowId)) {
      const pos = await store.flowQueuePosition(w.keyId, w.seq);
      waiting.push({ key: w.keyId, position: pos.ahead + 1, queued: pos.total, since: w.enqueuedAt });
    }
    const debounce = wf.flowWait?.debounceKey ? await store.getDebounce(wf.flowWait.debounceKey) : null;
    return {
      workflowId,
      state: !wf.flowWait ? 'ADMITTED' : debounce?.workflowId === workflowId && !debounce.fired ? 'DEBOUNCING' : 'WAITING',
      ...(wf.flowWait ? { waitingSince: wf.flowWait.since } : {}),
      waiting,
      holds: await store.flowHeldBy(workflowId),
      ...(debounce?.workflowId === workflowId ? { debounce: { key: debounce.keyId, dueAt: debounce.dueAt } } : {}),
    };
  }

  /** Takes the stage's slot or rate token; false when the key has no room now. */
  private async pass(stage: Stage, wf: WorkflowRecord): Promise<boolean> {
    const { store } = this.engine;
    if (stage.kind === 'rate') {
      const now = this.engine.clock.now();
      const window = now - (now % stage.periodMs);
      if ((await store.takeRateTokens(`flow:${stage.keyId}`, window, stage.limit, 1)) === 1) return true;
      // Full: the key goes on when the next window opens (the sweeper's walk of every key is the net).
      this.windows.set(stage.keyId, window + stage.periodMs);
      if (this.windows.size > 10_000) this.windows.delete(this.windows.keys().next().value as string);
      return false;
    }
    if (await store.flowAcquire(stage.keyId, wf.workflowId, stage.limit)) return true;
    return (await this.audit(stage.keyId)) && store.flowAcquire(stage.keyId, wf.workflowId, stage.limit);
  }

  /**
   * Holders that ended without giving their slot back (their engine stopped between the end and
   * the release) are released; answers whether any was. At most once per AUDIT_MS per key.
   */
  private async audit(keyId: string): Promise<boolean> {
    const now = this.engine.clock.now();
    if (now - (this.audited.get(keyId) ?? -Infinity) < AUDIT_MS) return false;
    this.audited.set(keyId, now);
    if (this.audited.size > 10_000) this.audited.clear();
    let freed = false;
    for (const id of await this.engine.store.flowHolders(keyId)) {
      const wf = await this.engine.store.getWorkflow(id);
      if (wf && !isTerminalWorkflow(wf.status)) continue;
      await this.engine.store.flowRelease(keyId, id);
      freed = true;
    }
    return freed;
  }

  /** After a stage: the next one's queue, or the run is let in. */
  private async next(wf: WorkflowRecord, stages: Stage[], at: number): Promise<void> {
    const next = stages[at + 1];
    if (next) {
      await this.engine.store.flowEnqueue(next.keyId, wf.workflowId, this.engine.clock.now());
      this.kick(next.keyId);
      return;
    }
    await this.letIn(wf.workflowId);
  }

  /** Clears flowWait (its start time is now: its timeout counts from here) and makes the first decision. */
  private async letIn(workflowId: string): Promise<void> {
    const engine = this.engine;
    const opened = await engine.exclusive(workflowId, async () => {
      for (let tries = 0; tries < 20; tries++) {
        const wf = await engine.getWorkflow(workflowId);
        if (!wf.flowWait) return isTerminalWorkflow(wf.status) ? false : true;
        const now = engine.clock.now();
        const { steps: _s, ...meta } = wf.state;
        void _s;
        // Written like an operator's restart (lifecycle.ts): straight to the store, fenced by the
        // revision, with the cache entry dropped; the fields are not a decision's to change.
        const commit: CommitDecision = {
          workflowId,
          expectedRevision: wf.revision,
          workflow: { flowWait: null, startTime: now, updateTime: now, wakeAt: now },
          meta,
          newTasks: [],
          appliedTaskIds: [],
          closeTasks: [],
          now,
        };
        engine.workflows.evict(workflowId);
        if (await engine.store.commitDecision(commit)) return true;
      }
      throw new ConflictError(`workflow '${workflowId}' is changing too fast to be let in; the sweeper will retry`);
    });
    if (!opened) return;
    try {
      await engine.advance(workflowId);
    } catch (err) {
      // It is due (wakeAt now): the sweeper decides it.
      engine.log.warn({ err, workflowId }, 'first decision after flow control failed; the sweeper will retry');
    }
  }

  private async debounce(wf: WorkflowRecord, gate: Gate, req: StartRequest): Promise<string> {
    const { store } = this.engine;
    const { keyId, periodMs } = gate.debounce as NonNullable<Gate['debounce']>;
    for (let tries = 0; tries < 10; tries++) {
      const now = this.engine.clock.now();
      const folded = await store.debounceFold(keyId, wf.input, now + periodMs, now);
      if (folded) {
        const run = await this.load(folded.workflowId);
        if (!run) {
          await this.create(
            { ...wf, workflowId: folded.workflowId },
            { since: now, debounceKey: keyId },
            { ...req, workflowId: folded.workflowId },
          );
        } else if (isTerminalWorkflow(run.status)) {
          await this.released(run);
          continue;
        } else {
          await store.setHeldInput(folded.workflowId, wf.input, now);
          this.engine.workflows.evict(folded.workflowId);
        }
        return folded.workflowId;
      }
      const record: DebounceRecord = {
        keyId,
        workflowId: wf.workflowId,
        request: { name: wf.workflowName, version: wf.workflowVersion, correlationId: wf.correlationId, priority: wf.priority },
        input: wf.input,
        dueAt: now + periodMs,
        fired: false,
      };
      if (await store.debounceOpen(record)) {
        await this.create(wf, { since: now, debounceKey: keyId }, req);
        return wf.workflowId;
      }
      // The key's debounce is due or firing: finish it, then open the next.
      const current = await store.getDebounce(keyId);
      if (current && (current.fired || current.dueAt <= now)) await this.fireDebounce(current);
    }
    throw new StoreUnavailableError(`debounce key '${keyId}' is too busy; retry`);
  }

  /** A debounce's period passed: its run (with the latest input) goes on to its other stages. */
  private async fireDebounce(d: DebounceRecord): Promise<void> {
    const { store } = this.engine;
    const fired = await store.debounceFire(d.keyId, d.workflowId, this.engine.clock.now());
    if (!fired) return;
    let wf = await this.load(fired.workflowId);
    if (!wf) {
      // Opened, then the engine stopped before storing the run: store it now.
      const def = await store.getWorkflowDef(fired.request.name, fired.request.version);
      if (def) {
        await this.engine.startWorkflow({
          name: fired.request.name,
          ...(fired.request.version !== undefined ? { version: fired.request.version } : {}),
          input: fired.input,
          correlationId: fired.request.correlationId,
          priority: fired.request.priority,
          workflowId: fired.workflowId,
          foldable: false,
        });
      }
      await store.debounceClose(fired.keyId, fired.workflowId);
      return;
    }
    if (wf.flowWait?.debounceKey === fired.keyId && !isTerminalWorkflow(wf.status)) {
      if (await store.setHeldInput(wf.workflowId, fired.input, this.engine.clock.now())) {
        this.engine.workflows.evict(wf.workflowId);
        wf = (await this.load(wf.workflowId)) ?? wf;
      }
      const stages = gateOf(wf.definition, wf)?.stages ?? [];
      const first = stages[0];
      if (first) {
        await store.flowEnqueue(first.keyId, wf.workflowId, this.engine.clock.now());
        this.kick(first.keyId);
      } else {
        await this.letIn(wf.workflowId);
      }
    }
    await store.debounceClose(fired.keyId, fired.workflowId);
  }

  /** Stores a held run; false when one with its id exists (a repeated start), per the request's ifExists. */
  private async create(wf: WorkflowRecord, flowWait: FlowWait, req: StartRequest): Promise<boolean> {
    const now = this.engine.clock.now();
    const held: WorkflowRecord = { ...wf, flowWait, updateTime: now };
    // A held run is RUNNING (waiting its turn): its listeners hear so now (docs/alerts.md).
    const outbox = this.engine.listeners.outboxOfStart(held, { workflow: {}, steps: { set: {}, unset: [] } });
    if (await this.engine.store.createWorkflow(storedOf(held), [], outbox)) return true;
    if (req.workflowId && req.ifExists !== 'fail') return false;
    throw new ConflictError(`workflow id '${wf.workflowId}' exists`);
  }

  private async load(workflowId: string): Promise<WorkflowRecord | null> {
    try {
      return await this.engine.getWorkflow(workflowId);
    } catch (err) {
      if (err instanceof NotFoundError) return null;
      throw err;
    }
  }

  /** Stops kicks scheduled after the engine began to stop. */
  close(): void {
    this.closed = true;
  }
  private closed = false;

  /** Pumps a key soon, outside whatever lock the caller holds. */
  kick(keyId: string): void {
    setImmediate(() => {
      if (this.closed) return;
      this.pump(keyId).catch((err: unknown) => this.engine.log.warn({ err, keyId }, 'flow-control pump failed; the sweeper will retry'));
    });
  }
}
