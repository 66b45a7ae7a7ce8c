import type { Container, Evaluate } from '.';
import { decisionContainer, evaluateDecision } from './decision';
import { doWhileContainer, evaluateDoWhile } from './do-while';
import { evaluateDynamic } from './dynamic';
import { evaluateExclusiveJoin } from './exclusive-join';
import { evaluateForkJoin, forkContainer } from './fork-join';
import { dynamicForkContainer, evaluateForkJoinDynamic } from './fork-join-dynamic';
import { evaluateInline } from './inline';
import { evaluateJoin } from './join';
import { evaluateNoop } from './noop';
import { evaluateSetVariable } from './set-variable';
import { evaluateSwitch, switchContainer } from './switch';
import { evaluateTerminate } from './terminate';

/** Operators that shape the flow (SWITCH, FORK_JOIN, DO_WHILE...): one file each, registered here. */
export const controlFlowOperators: Record<string, Evaluate> = {
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

/** The operators holding lists of steps, and what they do when one of their lists ends. */
export const containers: Record<string, Container> = {
  SWITCH: switchContainer,
  DECISION: decisionContainer,
  FORK_JOIN: forkContainer,
  FORK_JOIN_DYNAMIC: dynamicForkContainer,
  DO_WHILE: doWhileContainer,
};
