/**
 * Long-poll wake-ups inside one engine. A poll that found nothing parks here until a task of its
 * type is scheduled (woken at once) or its re-check interval passes (which bounds how late it
 * learns of tasks scheduled by another engine, or of delayed tasks becoming visible).
 */
export class Waiters {
  private readonly byType = new Map<string, Set<() => void>>();

  wait(taskType: string, ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      let set = this.byType.get(taskType);
      if (!set) this.byType.set(taskType, (set = new Set()));
      const waiters = set;
      const done = (): void => {
        clearTimeout(timer);
        waiters.delete(done);
        if (waiters.size === 0) this.byType.delete(taskType);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal?.addEventListener('abort', done);
      waiters.add(done);
    });
  }

  /** Wakes up to `count` waiters of a type (not all of them: no thundering herd). */
  notify(taskType: string, count = 1): void {
    const set = this.byType.get(taskType);
    if (!set) return;
    for (const w of [...set].slice(0, Math.max(1, count))) w();
  }

  /** Wakes waiters when a delayed task becomes visible. Timers do not keep the process alive. */
  notifyAt(taskType: string, at: number, now: number): void {
    setTimeout(() => this.notify(taskType), Math.max(0, at - now)).unref();
  }

  waiting(taskType: string): number {
    return this.byType.get(taskType)?.size ?? 0;
  }
}
