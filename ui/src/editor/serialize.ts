import { dump } from 'js-yaml';
import type { Format } from './check-definition';

/** A definition as text; YAML without anchors (each step written out), long lines kept whole. */
export function toText(value: unknown, format: Format): string {
  return format === 'json' ? `${JSON.stringify(value, null, 2)}\n` : dump(value, { noRefs: true, lineWidth: -1, sortKeys: false });
}
