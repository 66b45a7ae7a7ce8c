import type { Operator } from '.';
import { evaluateDecision } from './decision';
import { evaluateDoWhile } from './do-while';
import { evaluateDynamic } from './dynamic';
import { evaluateExclusiveJoin } from './exclusive-join';
import { evaluateForkJoin } from './fork-join';
import { evaluateForkJoinDynamic } from './fork-join-dynamic';
import { evaluateInline } from './inline';
import { evaluateJoin } from './join';
import { evaluateNoop } from './noop';
import { evaluateSetVariable } from './set-variable';
import { evaluateSwitch } from './switch';
import { evaluateTerminate } from './terminate';

/** Operators that shape the flow (SWITCH, FORK_JOIN, DO_WHILE...): one file each, registered here. */
export const controlFlowOperators: Record<string, Operator> = {
  SWITCH: evaluateSwitch,
  DECISION: evaluateDecision,
  FORK_JOIN: evaluateForkJoin,
  FORK_JOIN_DYNAMIC: evaluateForkJoinDynamic,
  JOIN: evaluateJoin,
  EXCLUSIVE_JOIN: evaluateExclusiveJoin,
  DO_WHILE: evaluateDoWhile,
  SET_VARIABLE: evaluateSetVariable,
  TERMINATE: evaluateTerminate,
  NOOP: evaluateNoop,
  DYNAMIC: evaluateDynamic,
  INLINE: evaluateInline,
};
