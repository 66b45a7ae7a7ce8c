import { parseDuration } from '../duration';
import { isRecord, type JsonRecord } from '../json';
import { pointerOf, type Problem } from '../problem';

/**
 * Type rules of the steps that react to the world: WAIT_FOR_EVENT, WAIT_FOR_SIGNAL and EVENT
 * (engine: decider/operators/reactions.ts). Values that are expressions are checked when they
 * resolve, at run time; literal ones are checked here.
 */

const blank = (v: unknown): boolean => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
const isExpression = (v: unknown): boolean => typeof v === 'string' && v.includes('${');

/**
 * The event an EVENT task's sink names: `conductor:<name>` publishes `<name>`; `conductor` alone
 * publishes `<workflow name>:<task reference name>`, as Conductor does. Null for other sinks
 * (Baton has no SQS, Kafka or NATS queues: its events live in its own store).
 */
export function eventNameOfSink(sink: unknown, workflowName: string, ref: string): string | null {
  if (typeof sink !== 'string') return null;
  const s = sink.trim();
  if (s === 'conductor') return `${workflowName}:${ref}`;
  const m = /^conductor:(.+)$/.exec(s);
  return m && m[1] !== undefined && m[1].trim() !== '' ? m[1].trim() : null;
}

function params(task: JsonRecord): JsonRecord {
  return isRecord(task.inputParameters) ? task.inputParameters : {};
}

function timeoutProblem(task: JsonRecord, pointer: string): Problem[] {
  const timeout = params(task).timeout;
  if (blank(timeout) || isExpression(timeout)) return [];
  const ms = parseDuration(timeout);
  return ms === null || ms <= 0
    ? [
        {
          pointer: pointerOf(pointer, 'inputParameters', 'timeout'),
          message: 'must be a duration such as "30s", "1m", "2h 30m" or "3 days"',
        },
      ]
    : [];
}

function named(task: JsonRecord, pointer: string, field: string, type: string): Problem[] {
  const v = params(task)[field];
  if (blank(v)) return [{ pointer: pointerOf(pointer, 'inputParameters', field), message: `is required for ${type} tasks` }];
  if (typeof v !== 'string') return [{ pointer: pointerOf(pointer, 'inputParameters', field), message: 'must be a string' }];
  return [];
}

export function waitForEventProblems(task: JsonRecord, pointer: string): Problem[] {
  const match = params(task).match;
  const problems = [...named(task, pointer, 'event', 'WAIT_FOR_EVENT'), ...timeoutProblem(task, pointer)];
  if (match !== undefined && match !== null && typeof match !== 'string') {
    problems.push({
      pointer: pointerOf(pointer, 'inputParameters', 'match'),
      message: 'must be a JavaScript expression over `event` and `workflow`',
    });
  }
  return problems;
}

export function waitForSignalProblems(task: JsonRecord, pointer: string): Problem[] {
  return [...named(task, pointer, 'signal', 'WAIT_FOR_SIGNAL'), ...timeoutProblem(task, pointer)];
}

export function eventTaskProblems(task: JsonRecord, pointer: string): Problem[] {
  if (blank(task.sink)) return [{ pointer: pointerOf(pointer, 'sink'), message: 'is required for EVENT tasks ("conductor:<event name>")' }];
  if (eventNameOfSink(task.sink, 'w', 'r') !== null) return [];
  return [
    {
      pointer: pointerOf(pointer, 'sink'),
      message: `Baton publishes to its own event store only: use "conductor:<event name>" or "conductor" (got '${String(task.sink)}')`,
    },
  ];
}
