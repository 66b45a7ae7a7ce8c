import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { usage } from '../../src/config';

/**
 * Every option of the engine (engine/src/config.ts: a flag and its environment variable) has a row in
 * the README's configuration table, once, naming both: an option nobody can find is an option nobody
 * can use. Read from the source, so a new option without its row fails here.
 */
const root = join(__dirname, '../../..');
const source = readFileSync(join(root, 'engine/src/config.ts'), 'utf8');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** The `flags` object's keys, and the (flag, VARIABLE) pairs config.ts reads them with (pick/int/bool). */
const declared = [...(/const flags = \{([\s\S]*?)\} as const;/.exec(source)?.[1] ?? '').matchAll(/^\s*'?([a-z-]+)'?: \{/gm)]
  .map((m) => m[1] as string)
  .filter((f) => f !== 'help');
const read = new Map([...source.matchAll(/\(\s*'([a-z-]+)',\s*'([A-Z][A-Z0-9_]+)'/g)].map((m) => [m[1] as string, m[2] as string]));
const rows = [...readme.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \| `(--[a-z-]+)` \|/gm)].map((m) => ({
  variable: m[1] as string,
  flag: (m[2] as string).slice(2),
}));

describe('README configuration table', () => {
  it('is read from config.ts (sanity: the parsing found the options)', () => {
    expect(declared.length).toBeGreaterThan(30);
    expect(declared).toContain('ui-dir');
    expect(read.get('ui-dir')).toBe('BATON_UI_DIR');
  });

  it('has each flag of config.ts with the variable config.ts reads for it', () => {
    const missing = declared
      .filter((flag) => !rows.some((r) => r.flag === flag && r.variable === read.get(flag)))
      .map((f) => `--${f} (${read.get(f) ?? 'no variable read'})`);
    expect(missing).toEqual([]);
  });

  it('and `--help` names each flag', () => {
    expect(declared.filter((flag) => !usage.includes(`--${flag} `))).toEqual([]);
  });

  it('lists each option once and nothing config.ts does not have', () => {
    const counts = new Map<string, number>();
    for (const r of rows) counts.set(r.flag, (counts.get(r.flag) ?? 0) + 1);
    expect([...counts].filter(([, n]) => n > 1).map(([f]) => f)).toEqual([]);
    expect(rows.filter((r) => !declared.includes(r.flag)).map((r) => r.flag)).toEqual([]);
  });
});
