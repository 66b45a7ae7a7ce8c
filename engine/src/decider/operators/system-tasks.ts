import type { Evaluate } from '.';
import { evaluateHttp } from './http';
import { evaluateJsonJq } from './json-jq';
import { evaluateStartWorkflow, evaluateSubWorkflow } from './sub-workflow';
import { evaluateHuman, evaluateWait } from './wait';
import { evaluateEvent, evaluateWaitForEvent, evaluateWaitForSignal } from './reactions';

/** System tasks run or held by the engine (WAIT, HUMAN, HTTP, SUB_WORKFLOW...), registered here. */
export const systemTaskOperators: Record<string, Evaluate> = {
  WAIT: evaluateWait,
  HUMAN: evaluateHuman,
  SUB_WORKFLOW: evaluateSubWorkflow,
  START_WORKFLOW: evaluateStartWorkflow,
  HTTP: evaluateHttp,
  JSON_JQ_TRANSFORM: evaluateJsonJq,
  WAIT_FOR_EVENT: evaluateWaitForEvent,
  WAIT_FOR_SIGNAL: evaluateWaitForSignal,
  EVENT: evaluateEvent,
};
