/**
 * Payloads a viewer key does not see (docs/security.md): workflow input, output and variables,
 * task input and output data, and task logs, wherever they appear in an answer (a workflow, its
 * tasks, search results). An object keeps its keys with every value replaced, so a viewer sees
 * the shape of the data and a typed client still finds an object; anything else becomes the mask.
 * Definitions are not payloads and are not masked: keep secrets out of them.
 */
export const MASK = '***';

// `log`: the lines of GET /api/tasks/{taskId}/log ({taskId, log, createdTime}), which `logs` alone missed.
const payloadKeys = new Set(['input', 'output', 'variables', 'inputData', 'outputData', 'logs', 'log']);

export function maskPayloads(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskPayloads);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = payloadKeys.has(k) ? masked(v) : maskPayloads(v);
  return out;
}

function masked(v: unknown): unknown {
  if (v === null || v === undefined) return v;
  if (typeof v === 'object' && !Array.isArray(v)) return Object.fromEntries(Object.keys(v).map((k) => [k, MASK]));
  return MASK;
}
