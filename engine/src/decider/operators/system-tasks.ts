import type { Evaluate } from '.';
import { evaluateHttp } from './http';
import { evaluateJsonJq } from './json-jq';
import { evaluateStartWorkflow, evaluateSubWorkflow } from './sub-workflow';
import { evaluateHuman, evaluateWait } from './wait';

/** System tasks run or held by the engine (WAIT, HUMAN, HTTP, SUB_WORKFLOW...), registered here. */
export const systemTaskOperators: Record<string, Evaluate> = {
  WAIT: evaluateWait,
  HUMAN: evaluateHuman,
  SUB_WORKFLOW: evaluateSubWorkflow,
  START_WORKFLOW: evaluateStartWorkflow,
  HTTP: evaluateHttp,
  JSON_JQ_TRANSFORM: evaluateJsonJq,
};
