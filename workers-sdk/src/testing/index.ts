/**
 * @baton/workers-sdk/testing: run handlers against a real Baton engine in-process, on a temporary
 * embedded store, with a clock the test moves. Needs @baton/engine (an optional peer dependency).
 */
export { BatonTestKit } from './test-kit';
export type { RunTaskOptions, TaskRun, TestKitOptions } from './test-kit';
export { TestClock } from './clock';
