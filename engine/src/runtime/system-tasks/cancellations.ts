/**
 * Engine-run attempts in flight in this process, by task id, so that an attempt closed by a
 * decision (its workflow terminated or failed, the step cancelled) or timed out by the sweeper
 * stops at once: its HTTP request is aborted instead of holding a slot until it ends. Attempts
 * closed by another engine sharing the store are noticed when the runner renews the lease
 * (queue-runner.ts), within a third of the lease.
 */
export class AttemptCancellations {
  private readonly running = new Map<string, AbortController>();

  /** Returns the function that forgets the attempt once it ended. */
  register(taskId: string, ac: AbortController): () => void {
    this.running.set(taskId, ac);
    return () => {
      if (this.running.get(taskId) === ac) this.running.delete(taskId);
    };
  }

  cancel(taskId: string, reason: string): void {
    this.running.get(taskId)?.abort(new AttemptCancelled(reason));
  }

  get size(): number {
    return this.running.size;
  }
}

/** Why an engine-run attempt stopped before it ended on its own: nothing to report for it. */
export class AttemptCancelled extends Error {}
