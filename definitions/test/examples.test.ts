import { readFileSync, readdirSync } from 'fs';
import { join } from 'path';
import { parseDocument, validateTaskDefs, validateWorkflowDef, type TaskDef } from '../src';

/** The examples are read by the engine's tests and the demo: they must stay valid. */
const dir = join(__dirname, '..', 'examples');

function load(file: string): unknown {
  const contentType = file.endsWith('.json') ? 'application/json' : 'application/yaml';
  const parsed = parseDocument(readFileSync(join(dir, file), 'utf8'), contentType);
  if (!parsed.ok) throw new Error(`${file}: ${JSON.stringify(parsed.problems)}`);
  return parsed.value;
}

function taskDefs(file: string): TaskDef[] {
  const v = validateTaskDefs(load(file));
  if (!v.ok) throw new Error(`${file}: ${JSON.stringify(v.problems)}`);
  return v.value;
}

const files = readdirSync(dir).sort();

describe('examples', () => {
  it('has the files other packages rely on', () => {
    expect(files).toEqual(expect.arrayContaining(['order-flow.json', 'order-taskdefs.json', 'signup-flow.yaml', 'signup-taskdefs.yaml']));
  });

  it.each(files.filter((f) => f.includes('-taskdefs.')))('%s holds valid task definitions', (file) => {
    expect(validateTaskDefs(load(file))).toMatchObject({ ok: true });
  });

  it.each([
    [
      'order-flow.json',
      'order-taskdefs.json',
      'order_flow',
      ['validate_order', 'calculate_tax', 'generate_invoice', 'send_confirmation', 'notify_warehouse'],
    ],
    ['signup-flow.yaml', 'signup-taskdefs.yaml', 'signup_flow', ['create_user', 'send_welcome_email', 'add_to_mailing_list']],
  ])('%s is valid against the task definitions in %s', (flowFile, defsFile, name, steps) => {
    const known = new Set(taskDefs(defsFile).map((d) => d.name));
    const v = validateWorkflowDef(load(flowFile), { isKnownTaskDef: (n) => known.has(n) });
    expect(v.ok ? [] : v.problems).toEqual([]);
    if (!v.ok) return;
    expect(v.value.name).toBe(name);
    expect(v.value.version).toBe(1);
    expect(v.value.tasks.map((t) => t.taskReferenceName)).toEqual(steps);
    expect(v.value.tasks.every((t) => t.type === 'SIMPLE')).toBe(true);
  });

  it('every workflow example is valid on its own', () => {
    for (const file of files.filter((f) => f.includes('-flow.'))) {
      expect([file, validateWorkflowDef(load(file)).ok]).toEqual([file, true]);
    }
  });
});
