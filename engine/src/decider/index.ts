export { decide, decideTermination, type DecideInput, type DecideOutcome } from './decide';
export { retryDelayMs, retryPolicyOf, type RetryPolicy } from './retry-policy';
export type { Operator } from './operators';
export { DecideContext, type StepResult } from './context';
