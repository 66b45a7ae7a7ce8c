import { parseDocument } from '../src';

describe('parseDocument', () => {
  const def = { name: 'flow', version: 2, tasks: [{ name: 'a', taskReferenceName: 'a', inputParameters: { x: '${workflow.input.x}' } }] };
  const yamlText = [
    'name: flow',
    'version: 2',
    'tasks:',
    '  - name: a',
    '    taskReferenceName: a',
    '    inputParameters:',
    '      x: ${workflow.input.x}',
  ].join('\n');

  it.each<[string, string, string | undefined]>([
    ['JSON with a JSON content type', JSON.stringify(def), 'application/json; charset=utf-8'],
    ['JSON with a +json content type', JSON.stringify(def), 'application/vnd.baton+json'],
    ['JSON without a content type', JSON.stringify(def, null, 2), undefined],
    ['YAML with a YAML content type', yamlText, 'application/yaml'],
    ['YAML with text/x-yaml', yamlText, 'text/x-yaml'],
    ['YAML without a content type', yamlText, undefined],
    ['YAML sent as text/plain', yamlText, 'text/plain'],
    ['JSON sent as YAML (YAML is a superset)', JSON.stringify(def), 'application/yaml'],
  ])('parses %s', (_, text, contentType) => {
    expect(parseDocument(text, contentType)).toEqual({ ok: true, value: def });
  });

  it('keeps YAML dates and version-like values as strings, as JSON would have them', () => {
    const v = parseDocument('created: 2024-01-01\nrelease: "1.10"\non: yes\n', 'application/yaml');
    expect(v).toEqual({ ok: true, value: { created: '2024-01-01', release: '1.10', on: 'yes' } });
  });

  it('expands YAML anchors and merge keys into independent objects', () => {
    const v = parseDocument('base: &b {retryCount: 1}\none:\n  <<: *b\n  name: one\ntwo: *b\n', 'application/yaml');
    expect(v).toEqual({ ok: true, value: { base: { retryCount: 1 }, one: { retryCount: 1, name: 'one' }, two: { retryCount: 1 } } });
    const value = v.ok ? (v.value as Record<string, unknown>) : {};
    expect(value.two).not.toBe(value.base);
  });

  it.each<[string, string, string | undefined, RegExp]>([
    ['a YAML syntax error', 'name: flow\ntasks:\n  - name: a\n   bad: indent\n', 'application/yaml', /^invalid YAML at line 4, column 4: /],
    ['a duplicated YAML key', 'name: a\nname: b\n', undefined, /^invalid YAML at line 2, column 1: duplicated mapping key/],
    [
      'a JSON syntax error V8 gives no position for',
      '{\n  "name": \n}',
      'application/json',
      /^invalid JSON at line 3, column 1: unexpected character '}'$/,
    ],
    [
      'a missing comma',
      '{\n  "a": 1\n  "b": 2\n}',
      'application/json',
      /^invalid JSON at line 3, column 3: expected ',' or '}' after a property value$/,
    ],
    ['a trailing comma', '[1, 2,]', 'application/json', /^invalid JSON at line 1, column 7: unexpected character ']'$/],
    ['truncated JSON', '{"a": [1, 2', 'application/json', /^invalid JSON at line 1, column 12: expected ',' or ']' after an array item$/],
    ['an unterminated string', '{"a": "b', 'application/json', /^invalid JSON at line 1, column 9: unterminated string$/],
    ['broken JSON without a content type', '{"a": 1,, "b": 2}', undefined, /^invalid JSON at line 1, column 9: /],
    ['an empty body', '  \n', 'application/json', /^document is empty$/],
    ['a YAML document with only comments', '# nothing here\n', 'application/yaml', /^document is empty$/],
    ['more than one YAML document', 'a: 1\n---\nb: 2\n', 'application/yaml', /^invalid YAML(: | at line).*expected a single document/],
  ])('reports %s at pointer ""', (_, text, contentType, message) => {
    const v = parseDocument(text, contentType);
    expect(v.ok).toBe(false);
    const problems = v.ok ? [] : v.problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]?.pointer).toBe('');
    expect(problems[0]?.message).toMatch(message);
  });

  it('refuses YAML whose aliases expand into a huge tree', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i <= 6; i++)
      lines.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    const v = parseDocument(lines.join('\n'), 'application/yaml');
    expect(v.ok ? 'parsed' : v.problems[0]?.message).toMatch(/more than 200000 values once YAML aliases are expanded/);
  });

  it('refuses a YAML alias that contains itself', () => {
    const v = parseDocument('&a [*a]', 'application/yaml');
    expect(v.ok).toBe(false);
  });

  it.each<[string | undefined, RegExp]>([
    ['application/json', /^document is nested deeper than 400 levels$/],
    [undefined, /^document is nested deeper than 400 levels$/],
    ['application/yaml', /^invalid YAML at line 1, column \d+: nesting exceeded maxDepth/],
  ])('turns absurd nesting sent as %s into a problem', (contentType, message) => {
    const v = parseDocument('['.repeat(50_000) + ']'.repeat(50_000), contentType);
    expect(v.ok ? [] : v.problems.map((p) => p.pointer)).toEqual(['']);
    expect(v.ok ? '' : v.problems[0]?.message).toMatch(message);
  });
});
