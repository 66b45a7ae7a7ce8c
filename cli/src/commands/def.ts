import { readFileSync, readdirSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parseDocument, validateTaskDef, validateWorkflowDef, type Problem, type TaskDef, type WorkflowDef } from '@baton/definitions';
import type { Command } from 'commander';
import { CliError, ExitCode, UsageError } from '../exit-codes';
import type { Context } from '../context';

const DEFINITION_FILE = /\.(json|ya?ml)$/i;

/** One definition read from a file, with where it was: `file` and the JSON pointer of the item in it. */
type Found =
  { kind: 'taskdef'; file: string; pointer: string; def: TaskDef } | { kind: 'workflow'; file: string; pointer: string; def: WorkflowDef };

export function defCommands(program: Command, ctx: Context): void {
  const def = program.command('def').description('workflow and task definitions');
  def
    .command('apply')
    .description('validate definition files (JSON or YAML; a folder: every .json/.yaml/.yml in it) and register them')
    .argument('<path>', 'a file or a folder')
    .option('--dry-run', 'validate only; register nothing')
    .action(async (path: string, opts: { dryRun?: boolean }) => {
      const found = readDefinitions(path, ctx);
      if (opts.dryRun) return report(ctx, found, 'valid');
      const client = ctx.client();
      const taskDefs = found.filter((f) => f.kind === 'taskdef');
      const workflows = found.filter((f) => f.kind === 'workflow');
      // Task definitions first: workflows naming them are then registered without "unregistered" warnings.
      if (taskDefs.length)
        await located(found, 'taskdef', () =>
          client.post(
            '/metadata/taskdefs',
            taskDefs.map((f) => f.def),
          ),
        );
      if (workflows.length) {
        const answer = await located(found, 'workflow', () =>
          client.put(
            '/metadata/workflow',
            workflows.map((f) => f.def),
          ),
        );
        for (const w of warningsOf(answer.headers)) ctx.out.warn(`warning: ${relocate(w, workflows)}`);
      }
      report(ctx, found, 'applied');
    });
}

/**
 * The engine checks more than the schemas (its limits, e.g. BATON_MAX_RETRY_COUNT) and reports
 * problems by index in the list sent: point them back at the file and item they came from.
 */
async function located<T>(found: Found[], kind: Found['kind'], call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!(err instanceof CliError) || err.problems.length === 0) throw err;
    const sent = found.filter((f) => f.kind === kind);
    const problems = err.problems.map((p) => ({ pointer: relocate(p.pointer, sent), message: p.message }));
    throw new CliError(
      `the engine refused the ${kind === 'taskdef' ? 'task' : 'workflow'} definitions; nothing else was registered`,
      err.exitCode,
      problems,
      err.code,
    );
  }
}

/** `/3/tasks/0/name` of the list sent becomes `file.yaml#/1/tasks/0/name`. */
function relocate(text: string, sent: Found[]): string {
  return text.replace(/^\/(\d+)(\/\S*)?/, (whole, index: string, rest: string | undefined) => {
    const f = sent[Number(index)];
    return f ? `${f.file}#${f.pointer}${rest ?? ''}` : whole;
  });
}

function report(ctx: Context, found: Found[], result: string): void {
  const rows = found.map((f) => ({
    kind: f.kind,
    name: f.def.name,
    version: f.kind === 'workflow' ? f.def.version : null,
    file: f.file + (f.pointer ? `#${f.pointer}` : ''),
    result,
  }));
  if (ctx.out.json) return ctx.out.data(rows);
  ctx.out.table(
    ['kind', 'name', 'version', 'file', 'result'],
    rows.map((r) => [r.kind, r.name, r.version === null ? '-' : String(r.version), r.file, r.result]),
  );
}

/**
 * Reads and validates every definition under `path` with the engine's own schemas (@baton/definitions).
 * Any problem in any file stops the command before anything is registered, listing each problem by
 * file and JSON pointer.
 */
export function readDefinitions(path: string, ctx: Context): Found[] {
  const files = filesOf(path);
  const found: Found[] = [];
  let failures = 0;
  for (const file of files) {
    const name = relative(process.cwd(), file) || file;
    const parsed = parseDocument(readFileSync(file, 'utf8'), contentTypeOf(file));
    if (!parsed.ok) {
      failures += parsed.problems.length;
      ctx.out.warn(`${name}: not valid JSON or YAML`);
      ctx.out.problems(`${name}#`, parsed.problems);
      continue;
    }
    const items: Array<[string, unknown]> = Array.isArray(parsed.value) ? parsed.value.map((v, i) => [`/${i}`, v]) : [['', parsed.value]];
    for (const [pointer, item] of items) {
      const isWorkflow = typeof item === 'object' && item !== null && 'tasks' in item;
      const v = isWorkflow ? validateWorkflowDef(item) : validateTaskDef(item);
      if (!v.ok) {
        failures += v.problems.length;
        ctx.out.warn(`${name}${pointer ? `#${pointer}` : ''}: invalid ${isWorkflow ? 'workflow' : 'task'} definition`);
        ctx.out.problems(
          `${name}#`,
          v.problems.map((p: Problem) => ({ pointer: pointer + p.pointer, message: p.message })),
        );
        continue;
      }
      found.push(
        isWorkflow
          ? { kind: 'workflow', file: name, pointer, def: v.value as WorkflowDef }
          : { kind: 'taskdef', file: name, pointer, def: v.value as TaskDef },
      );
    }
  }
  const unique = withoutDuplicates(found, ctx);
  failures += found.length - unique.length - unique.identical;
  if (failures)
    throw new CliError(
      `${failures} problem${failures === 1 ? '' : 's'} found; nothing was registered`,
      ExitCode.FAILED,
      [],
      'INVALID_DEFINITION',
    );
  if (unique.length === 0) throw new UsageError(`no definitions in ${path} (looked for .json, .yaml and .yml files)`);
  return unique;
}

/**
 * Each definition once: a copy identical to an earlier one is dropped (`identical` counts them); one
 * that differs is reported, since which of the two was meant is unknowable.
 */
function withoutDuplicates(found: Found[], ctx: Context): Found[] & { identical: number } {
  const first = new Map<string, Found>();
  const unique: Found[] = [];
  let identical = 0;
  for (const f of found) {
    const key = f.kind === 'workflow' ? `workflow ${f.def.name} version ${f.def.version}` : `task definition ${f.def.name}`;
    const earlier = first.get(key);
    if (!earlier) {
      first.set(key, f);
      unique.push(f);
    } else if (isDeepStrictEqual(earlier.def, f.def)) identical++;
    else ctx.out.warn(`${f.file}#${f.pointer}/name: ${key} differs from the one at ${earlier.file}#${earlier.pointer || '/'}`);
  }
  return Object.assign(unique, { identical });
}

function filesOf(path: string): string[] {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    throw new UsageError(`cannot read ${path}: no such file or folder`);
  }
  if (!stat.isDirectory()) return [path];
  return readdirSync(path, { recursive: true, encoding: 'utf8' })
    .filter((f) => DEFINITION_FILE.test(f))
    .sort()
    .map((f) => join(path, f))
    .filter((f) => statSync(f).isFile());
}

function contentTypeOf(file: string): string | undefined {
  const ext = extname(file).toLowerCase();
  if (ext === '.json') return 'application/json';
  if (ext === '.yaml' || ext === '.yml') return 'application/yaml';
  return undefined;
}

/** The engine's `Warning: 299 baton "..."` headers (definition-warnings.ts), as plain sentences. */
function warningsOf(headers: Headers): string[] {
  const raw = headers.get('warning');
  if (!raw) return [];
  return [...raw.matchAll(/299 \S+ "((?:[^"\\]|\\.)*)"/g)].map((m) => (m[1] ?? '').replace(/\\(.)/g, '$1'));
}
