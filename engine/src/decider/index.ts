export { decide, decideTermination, type DecideInput, type DecideOutcome } from './decide';
export type { Decision } from './outcome';
export { retryDelayMs, retryPolicyOf, type RetryPolicy } from './retry-policy';
export type { Evaluate, Container } from './operators';
export { DecideContext, type StepResult } from './context';
export { defaultDecideLimits, type DecideLimits } from './limits';
export { definitionSize } from './positions';
