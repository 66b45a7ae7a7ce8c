import type { Logger } from 'pino';

/**
 * Workflows whose last decision ran out of budget and left work (a dynamic fork still starting
 * branches, a loop of decide-time steps). They continue here, one decision at a time, first come
 * first served, each after the event loop has had its turn, and with a pause as long as the
 * decision took: so continuing work never holds the engine, and takes at most about half of it
 * from the requests and workers of other workflows (docs/architecture.md, "Bounded decisions").
 * The work is durable regardless: the workflow's wakeAt says it is due, so after a restart the
 * sweeper finds it.
 */
export class Continuations {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly advance: (workflowId: string) => Promise<void>,
    private readonly log: Logger,
  ) {}

  add(workflowId: string): void {
    if (this.stopped || this.queued.has(workflowId)) return;
    this.queued.add(workflowId);
    this.queue.push(workflowId);
    this.running ??= this.drain().finally(() => (this.running = null));
  }

  get size(): number {
    return this.queue.length;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.queue.length = 0;
    this.queued.clear();
    await this.running;
  }

  private async drain(): Promise<void> {
    for (let id = this.queue.shift(); id !== undefined && !this.stopped; id = this.queue.shift()) {
      this.queued.delete(id);
      await new Promise((r) => setImmediate(r));
      const started = performance.now();
      try {
        await this.advance(id);
      } catch (err) {
        this.log.warn({ err, workflowId: id }, 'continuing a workflow failed; the sweeper will retry');
      }
      const took = performance.now() - started;
      if (took >= 1) await new Promise((r) => setTimeout(r, Math.min(took, 100)).unref());
    }
  }
}
