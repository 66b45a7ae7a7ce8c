import { parseDuration } from '../duration';
import { findReferences } from '../expressions/references';
import { parsePath } from '../expressions/path';
import { isRecord, type JsonRecord } from '../json';
import { pointerOf, type Problem } from '../problem';

/** Query names travel in URL paths: `GET /api/workflow/{id}/query/{name}`. */
const QUERY_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

/**
 * Rules of Baton's workflow-level fields beyond the schema: query names, and flow control's
 * periods and keys (keys may only read the workflow: a run's key is resolved before any step ran).
 */
export function workflowExtrasProblems(def: JsonRecord, pointer: string): Problem[] {
  const problems: Problem[] = [];
  if (isRecord(def.queries)) {
    for (const name of Object.keys(def.queries)) {
      if (!QUERY_NAME.test(name)) {
        problems.push({
          pointer: pointerOf(pointer, 'queries', name),
          message: 'query names are 1-100 letters, digits, dots, dashes or underscores',
        });
      }
    }
  }
  const flow = def.flowControl;
  if (!isRecord(flow)) return problems;
  const at = pointerOf(pointer, 'flowControl');
  if (Array.isArray(flow.concurrency)) {
    flow.concurrency.forEach((c: unknown, i) => {
      if (isRecord(c)) problems.push(...keyProblems(c.key, pointerOf(at, 'concurrency', i, 'key')));
    });
  }
  for (const kind of ['debounce', 'rateLimit'] as const) {
    const f = flow[kind];
    if (!isRecord(f)) continue;
    problems.push(...keyProblems(f.key, pointerOf(at, kind, 'key')));
    if (f.period !== undefined) {
      const ms = parseDuration(f.period);
      if (ms === null || ms < 1000) {
        problems.push({ pointer: pointerOf(at, kind, 'period'), message: 'must be a duration of at least 1s, such as "5s", "1m" or "1h"' });
      }
    }
  }
  return problems;
}

function keyProblems(key: unknown, pointer: string): Problem[] {
  if (typeof key !== 'string') return [];
  const problems: Problem[] = [];
  for (const ref of findReferences(key, pointer)) {
    const parsed = parsePath(ref.expression);
    if (!parsed.ok) problems.push({ pointer, message: `\${${ref.expression}} is not a valid expression: it ${parsed.error}` });
    else if (ref.root !== 'workflow') {
      problems.push({
        pointer,
        message: `a flow-control key is resolved when the run starts and can only read \${workflow...}, not \${${ref.expression}}`,
      });
    }
  }
  return problems;
}
