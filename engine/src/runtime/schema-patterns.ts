import { usePatternEngine, type RegExpEngine } from '@baton/definitions';
import { RE2 } from 're2-wasm';

/**
 * Patterns of task input and output schemas (`pattern`, `patternProperties`) run on RE2, in
 * linear time: the engine checks inputs in decisions on its event loop, and on JavaScript's
 * backtracking engine a pattern like `^(a+)+$` against a long string would stall it (Ajv's advice
 * against ReDoS; docs/typed-tasks.md). RE2 has no look-around nor back-references: a schema using
 * them is refused when its task definition is registered. RE2 needs the `u` flag; Ajv passes it.
 */
const re2: RegExpEngine = Object.assign((pattern: string, flags: string) => new RE2(pattern, flags.includes('u') ? flags : `${flags}u`), {
  code: 're2-wasm',
});

let installed = false;

export function useLinearPatterns(): void {
  if (installed) return;
  installed = true;
  usePatternEngine(re2);
}
