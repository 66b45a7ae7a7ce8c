import yaml from 'js-yaml';
import { MAX_DEPTH, copyTree, measure } from '../json';
import { invalid, type Validation } from '../problem';
import { lineColumn, locateJsonError } from './json-syntax';

/**
 * YAML 1.2 core types only (null, booleans, numbers, strings, maps, lists) plus `<<` merge keys.
 * js-yaml's default schema would also turn `2024-01-01` into a Date, which is not JSON. (js-yaml
 * exports its built-in types as `types`, which @types/js-yaml does not declare.)
 */
const { merge } = (yaml as unknown as { types: { merge: yaml.Type } }).types;
const YAML_SCHEMA = yaml.CORE_SCHEMA.extend({ implicit: [merge] });

/**
 * A YAML alias reuses a node, so a small text can stand for a huge (or, with an alias to its own
 * anchor, endless) tree. Definitions of a few thousand steps stay far below this many values.
 */
const MAX_VALUES = 200_000;

const tooDeep = () => invalid<unknown>([{ pointer: '', message: `document is nested deeper than ${MAX_DEPTH} levels` }]);

type Format = 'json' | 'yaml';

/**
 * Parses a definition sent as JSON or YAML. The content type decides when it names one of them;
 * otherwise JSON is tried first and YAML second. Syntax errors are reported at pointer "" with the
 * line and column in the message. The result is plain, tree-shaped data.
 */
export function parseDocument(text: string, contentType?: string): Validation<unknown> {
  if (text.trim() === '') return invalid([{ pointer: '', message: 'document is empty' }]);
  const format = formatOf(contentType);
  if (format === 'json') return parseJson(text);
  if (format === 'yaml') return parseYaml(text);
  const asJson = parseJson(text);
  if (asJson.ok) return asJson;
  const asYaml = parseYaml(text);
  if (asYaml.ok) return asYaml;
  return /^\s*[[{]/.test(text) ? asJson : asYaml;
}

function formatOf(contentType: string | undefined): Format | undefined {
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (/(^|[/+])json$/.test(mediaType)) return 'json';
  if (/(^|[/+])(x-)?ya?ml$/.test(mediaType)) return 'yaml';
  return undefined;
}

function parseJson(text: string): Validation<unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (e) {
    const at = locateJsonError(text);
    if (!at) return invalid([{ pointer: '', message: `invalid JSON: ${(e as Error).message}` }]);
    const { line, column } = lineColumn(text, at.offset);
    return invalid([{ pointer: '', message: `invalid JSON at line ${line}, column ${column}: ${at.message}` }]);
  }
  if (measure(value, Number.MAX_SAFE_INTEGER, MAX_DEPTH).depth > MAX_DEPTH) return tooDeep();
  return { ok: true, value };
}

function parseYaml(text: string): Validation<unknown> {
  let value: unknown;
  try {
    value = yaml.load(text, { schema: YAML_SCHEMA });
  } catch (e) {
    if (e instanceof yaml.YAMLException) {
      const where = e.mark ? ` at line ${e.mark.line + 1}, column ${e.mark.column + 1}` : '';
      return invalid([{ pointer: '', message: `invalid YAML${where}: ${e.reason}` }]);
    }
    // Anything else (a stack overflow on absurd nesting) is still the document's fault.
    return invalid([{ pointer: '', message: `invalid YAML: ${(e as Error).message}` }]);
  }
  if (value === undefined || value === null) return invalid([{ pointer: '', message: 'document is empty' }]);
  const size = measure(value, MAX_VALUES);
  if (size.values > MAX_VALUES) {
    return invalid([{ pointer: '', message: `document has more than ${MAX_VALUES} values once YAML aliases are expanded` }]);
  }
  if (size.depth > MAX_DEPTH) return tooDeep();
  return { ok: true, value: copyTree(value) };
}
