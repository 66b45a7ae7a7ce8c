import type { Logger } from 'pino';
import type { ExternalPayloads } from '../payloads/external';
import type { ArchivedWorkflow, Store } from '../store/port';
import type { Clock } from './clock';

export interface RetentionOptions {
  /** Finished runs are removed this many days after they ended; 0 keeps them for ever. */
  days: number;
  /** Keep each removed run, whole and compressed, in the archive instead of deleting it outright. */
  archive: boolean;
  /** Archived runs are deleted this many days after they were archived; 0 keeps them. */
  archiveDays: number;
  /** How often to look (ms). */
  intervalMs: number;
}

const DAY_MS = 86_400_000;
/** Runs removed per store call: each call is one transaction (SQLite) or a few writes per run (MongoDB). */
const BATCH = 100;

/**
 * Removes finished runs past the retention period, in small batches with the event loop free in
 * between, so a backlog of a million runs drains without stalling anything. Every engine may run
 * it: the store's operations are idempotent. Operators choose delete or archive
 * (docs/operations.md, "Retention").
 */
export class Retention {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private payloads: { external: ExternalPayloads; archived: (id: string) => Promise<ArchivedWorkflow | null> } | null = null;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly options: RetentionOptions,
  ) {}

  /** Payloads in the payload store go with their runs, and stale uploads go too (docs/payloads.md). */
  usePayloads(external: ExternalPayloads, archived: (id: string) => Promise<ArchivedWorkflow | null>): void {
    this.payloads = { external, archived };
  }

  start(): void {
    if (this.options.days <= 0 && this.options.archiveDays <= 0 && !this.payloads) return;
    this.stopped = false;
    const tick = (): void => {
      this.running = this.pass()
        .then(() => undefined)
        .catch((err: unknown) => this.log.warn({ err }, 'retention pass failed; the next one retries'))
        .finally(() => {
          this.running = null;
          if (!this.stopped) this.timer = setTimeout(tick, this.options.intervalMs).unref();
        });
    };
    this.timer = setTimeout(tick, Math.min(this.options.intervalMs, 5000)).unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** One pass: removes everything due now. Answers how many runs it removed and archived runs it deleted. */
  async pass(): Promise<{ removed: number; archivePurged: number }> {
    const now = this.clock.now();
    let removed = 0;
    let archivePurged = 0;
    if (this.options.days > 0) {
      for (;;) {
        const n = await this.store.purgeEndedWorkflows(now - this.options.days * DAY_MS, BATCH, this.options.archive, now);
        removed += n;
        if (n < BATCH || this.stopped) break;
        await new Promise((r) => setImmediate(r));
      }
    }
    if (this.options.archiveDays > 0) {
      for (;;) {
        const n = await this.store.purgeArchive(now - this.options.archiveDays * DAY_MS, BATCH);
        archivePurged += n;
        if (n < BATCH || this.stopped) break;
        await new Promise((r) => setImmediate(r));
      }
    }
    if (this.payloads && !this.stopped) {
      const { external, archived } = this.payloads;
      // A run's payloads stay while the run or its archived copy exists.
      await external.sweep(async (id) => (await this.store.getWorkflow(id)) !== null || (await archived(id)) !== null, now);
    }
    if (removed || archivePurged)
      this.log.info({ removed, archived: this.options.archive, archivePurged }, 'retention removed finished runs');
    return { removed, archivePurged };
  }
}
