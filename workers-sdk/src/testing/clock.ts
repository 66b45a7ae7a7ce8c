/**
 * The test kit's clock: it runs with real time, so long polls and timers behave as in
 * production, and a test moves it ahead (retry delays, timeouts, WAIT steps) without waiting.
 * It never goes back: the engine's deadlines assume time that only moves forward.
 */
export class TestClock {
  private offsetMs = 0;

  constructor(private readonly wall: () => number = Date.now) {}

  now(): number {
    return this.wall() + this.offsetMs;
  }

  /** Moves the clock ahead by `ms` (not negative). */
  skip(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`the test clock moves ahead only: got ${String(ms)} ms`);
    this.offsetMs += ms;
  }

  /** How far ahead of the wall clock it is. */
  get aheadMs(): number {
    return this.offsetMs;
  }
}
