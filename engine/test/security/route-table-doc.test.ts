import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { routeTable } from '../../src/api/access/route-table';

/** docs/security.md lists the access table; this keeps the two from drifting apart. */
describe('the route table in docs/security.md', () => {
  const doc = readFileSync(join(__dirname, '../../../docs/security.md'), 'utf8');
  const section = doc.slice(doc.indexOf('### The route table'), doc.indexOf('## Without authentication'));
  const rows = new Map<string, Set<string>>();
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const permission = cells[1]?.replace(/`/g, '');
    if (!permission || !cells[2] || permission === 'permission' || permission.startsWith('---')) continue;
    rows.set(permission, new Set(cells[2].match(/\/[A-Za-z0-9:_\-/*.]+/g) ?? []));
  }

  it.each(routeTable.map((r) => [`${r.method} ${r.path}`, r] as const))('lists %s under its permission', (_name, rule) => {
    const shown = rule.path.startsWith('/api/') ? rule.path.slice(4) : rule.path.replace('*rest', '*');
    const row = rows.get(rule.permission);
    expect([rule.permission, shown, row?.has(shown) || row?.has(rule.path.replace('*rest', '*'))]).toEqual([rule.permission, shown, true]);
  });
});
