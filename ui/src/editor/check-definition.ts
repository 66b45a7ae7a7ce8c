import {
  parseDocument,
  unregisteredTaskDefs,
  validateTaskDef,
  validateWorkflowDef,
  type TaskDef,
  type WorkflowDef,
} from '@baton/definitions';
import { locateLineColumn, locatePointer, type Span } from './locate';

export type Format = 'json' | 'yaml';

export interface Finding extends Span {
  pointer: string;
  message: string;
  severity: 'error' | 'warning';
}

export interface Checked<T> {
  value?: T;
  findings: Finding[];
}

const mediaType = (f: Format) => (f === 'json' ? 'application/json' : 'application/yaml');

/**
 * The server's own checks, run in the browser on every edit: @baton/definitions parses the text
 * and validates it with the same JSON Schemas and semantic checks as registration does; each
 * problem is placed at its JSON pointer. Unregistered worker task definitions are warnings, as
 * in the server's `Warning` header. (The engine's limits, docs/limits.md, are checked on save.)
 */
export function checkWorkflowText(text: string, format: Format, knownTaskDefs?: ReadonlySet<string>): Checked<WorkflowDef> {
  const parsed = parseDocument(text, mediaType(format));
  if (!parsed.ok) return { findings: parsed.problems.map((p) => place(text, p.pointer, p.message, 'error')) };
  const v = validateWorkflowDef(parsed.value);
  if (!v.ok) return { findings: v.problems.map((p) => place(text, p.pointer, p.message, 'error')) };
  const warnings = knownTaskDefs
    ? unregisteredTaskDefs(v.value, (n) => knownTaskDefs.has(n)).map((u) =>
        place(
          text,
          u.pointer,
          `no task definition named '${u.name}' is registered: it runs with the default policy (3 retries, 60 s apart) until one is`,
          'warning',
        ),
      )
    : [];
  return { value: v.value, findings: warnings };
}

export function checkTaskDefText(text: string, format: Format): Checked<TaskDef> {
  const parsed = parseDocument(text, mediaType(format));
  if (!parsed.ok) return { findings: parsed.problems.map((p) => place(text, p.pointer, p.message, 'error')) };
  const v = validateTaskDef(parsed.value);
  if (!v.ok) return { findings: v.problems.map((p) => place(text, p.pointer, p.message, 'error')) };
  return { value: v.value, findings: [] };
}

export function place(text: string, pointer: string, message: string, severity: Finding['severity']): Finding {
  const at = (pointer === '' && locateLineColumn(text, message)) || safeLocate(text, pointer);
  return { pointer, message, severity, ...at };
}

function safeLocate(text: string, pointer: string): Span {
  try {
    return locatePointer(text, pointer);
  } catch {
    return { from: 0, to: Math.min(1, text.length) };
  }
}
