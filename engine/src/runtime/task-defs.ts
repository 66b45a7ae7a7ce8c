import { enforcedSchema, type TaskDef } from '@baton/definitions';
import type { Store } from '../store/port';

const MISS_RELOAD_MS = 250;

/**
 * Task definitions held in memory for the decider, which needs a synchronous lookup. Changes made
 * through this engine apply at once; changes made through another engine sharing the database
 * apply within `refreshMs` (the bound stated in the README).
 */
export class TaskDefCache {
  private defs = new Map<string, TaskDef>();
  private loadedAt = -Infinity;
  private loading: Promise<void> | null = null;

  constructor(
    private readonly store: Store,
    private readonly refreshMs: number,
  ) {}

  /** How many definitions enforce an outputSchema: reports of other types skip the check (output-schema.ts). */
  private outputEnforced = 0;

  get = (name: string): TaskDef | undefined => this.defs.get(name);

  enforcesOutput(): boolean {
    return this.outputEnforced > 0;
  }

  private recount(): void {
    let n = 0;
    for (const d of this.defs.values()) if (enforcedSchema(d, 'output')) n++;
    this.outputEnforced = n;
  }

  async fresh(now: number): Promise<void> {
    if (now - this.loadedAt < this.refreshMs) return;
    this.loading ??= this.reload(now).finally(() => (this.loading = null));
    await this.loading;
  }

  /**
   * The definition of a type about to be claimed. A name this engine does not know may have been
   * registered on another engine a moment ago (its workers polling already): the cache is then
   * reloaded first, at most every MISS_RELOAD_MS, so a claim never takes the default policy (an
   * hour's lease) for a type that has a definition.
   */
  async forClaim(name: string, now: number): Promise<TaskDef | undefined> {
    await this.fresh(now);
    const def = this.defs.get(name);
    if (def || now - this.loadedAt < MISS_RELOAD_MS) return def;
    this.loading ??= this.reload(now).finally(() => (this.loading = null));
    await this.loading;
    return this.defs.get(name);
  }

  async reload(now: number): Promise<void> {
    const all = await this.store.listTaskDefs();
    this.defs = new Map(all.map((d) => [d.name, d]));
    this.recount();
    this.loadedAt = now;
  }

  put(defs: TaskDef[]): void {
    for (const d of defs) this.defs.set(d.name, d);
    this.recount();
  }

  delete(name: string): void {
    this.defs.delete(name);
    this.recount();
  }
}
