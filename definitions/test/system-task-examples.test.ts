import { readFileSync } from 'fs';
import { join } from 'path';
import { parseDocument, validateTaskDefs, validateWorkflowDef } from '../src';

/** The examples that use system tasks (WAIT, SWITCH, TERMINATE) must stay valid against their task definitions. */
const dir = join(__dirname, '..', 'examples');

function load(file: string): unknown {
  const parsed = parseDocument(readFileSync(join(dir, file), 'utf8'), file.endsWith('.json') ? 'application/json' : 'application/yaml');
  if (!parsed.ok) throw new Error(`${file}: ${JSON.stringify(parsed.problems)}`);
  return parsed.value;
}

describe('system-task examples', () => {
  it.each([
    ['order-fulfilment.json', 'order-taskdefs.json', 'order_fulfilment'],
    ['signup-drip.yaml', 'signup-drip-taskdefs.yaml', 'signup_drip'],
    ['food-delivery.yaml', 'food-delivery-taskdefs.yaml', 'food_delivery'],
  ])('%s is valid against the task definitions in %s', (flowFile, defsFile, name) => {
    const defs = validateTaskDefs(load(defsFile));
    if (!defs.ok) throw new Error(JSON.stringify(defs.problems));
    const known = new Set(defs.value.map((d) => d.name));
    const v = validateWorkflowDef(load(flowFile), { isKnownTaskDef: (n) => known.has(n) });
    expect(v.ok ? [] : v.problems).toEqual([]);
    if (v.ok) expect(v.value.name).toBe(name);
  });
});
