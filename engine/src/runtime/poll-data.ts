import type { Engine } from './engine';

/** One write per (queue, worker) per this long at most: polls are the hottest request there is. */
const WRITE_EVERY_MS = 5000;
/** Pollers silent for this long are forgotten. */
const FORGET_AFTER_MS = 24 * 3600_000;

/**
 * Conductor's poll data (`GET /tasks/queue/polldata`): the last poll of each queue by each worker,
 * kept in the store so that every engine sharing it answers the same. Writes are throttled per
 * (queue, worker) in memory, so lastPollTime is exact to WRITE_EVERY_MS; a failed write is logged
 * and never fails the poll it describes.
 */
export class PollDataRecorder {
  private readonly lastWrite = new Map<string, number>();

  constructor(private readonly engine: Engine) {}

  record(queueName: string, workerId: string, domain: string | null): void {
    const now = this.engine.clock.now();
    const key = `${queueName}\u0000${workerId}`;
    if (now - (this.lastWrite.get(key) ?? -Infinity) < WRITE_EVERY_MS) return;
    this.lastWrite.set(key, now);
    if (this.lastWrite.size > 10_000) this.forgetOld(now);
    this.engine.store.recordPollData({ queueName, workerId, domain, lastPollTime: now }, now - FORGET_AFTER_MS).catch((err: unknown) => {
      this.engine.log.warn({ err, queueName, workerId }, 'could not record poll data');
    });
  }

  private forgetOld(now: number): void {
    for (const [k, at] of this.lastWrite) if (now - at >= WRITE_EVERY_MS) this.lastWrite.delete(k);
  }
}

const recorders = new WeakMap<Engine, PollDataRecorder>();

/** The engine's recorder (shared by the poll routes that write and the routes that read). */
export function pollDataOf(engine: Engine): PollDataRecorder {
  let r = recorders.get(engine);
  if (!r) recorders.set(engine, (r = new PollDataRecorder(engine)));
  return r;
}
