import { loadSandbox, type ScriptEvaluator } from '../../src/sandbox';

/**
 * The script sandbox: QuickJS in a worker thread, called synchronously. Limits are enforced by
 * QuickJS (interrupt handler, allocator) and, for what it cannot interrupt, by the host's own
 * deadline; every failure is an answer, never an exception.
 */
describe('script sandbox', () => {
  let sandbox: ScriptEvaluator;
  beforeAll(async () => {
    sandbox = await loadSandbox();
  });

  const values: Array<[string, string, Record<string, unknown>, unknown]> = [
    ['arithmetic', '1 + 2', {}, 3],
    ['the last statement is the result', 'if ($.a > 1) { "big"; } else { "small"; }', { $: { a: 2 } }, 'big'],
    ['a function called at the end (Conductor style)', 'function e() { return $.items.map(i => i * 2); } e();', { $: { items: [1, 2] } }, [2, 4]],
    ['objects come back as JSON', '({ n: $.n, list: [true, null, "x"], nested: { d: new Date(0) } })', { $: { n: 1.5 } }, { n: 1.5, list: [true, null, 'x'], nested: { d: '1970-01-01T00:00:00.000Z' } }],
    ['undefined is null', 'undefined', {}, null],
    ['functions are dropped', '({ f() {}, k: 1 })', {}, { k: 1 }],
    ['several bindings', 'a + b', { a: 1, b: 2 }, 3],
    ['no host objects', '[typeof require, typeof process, typeof module, typeof fetch]', {}, ['undefined', 'undefined', 'undefined', 'undefined']],
    ['console exists and discards', 'console.log("x"); 7', {}, 7],
    ['a replaced JSON.stringify cannot fake the result', 'JSON.stringify = () => "\\"faked\\""; 5', {}, 5],
    ['mutating $ stays inside', '$.list.push(3); $.list.length', { $: { list: [1, 2] } }, 3],
  ];
  it.each(values)('%s', (_name, script, bindings, expected) => {
    expect(sandbox.evaluate(script, bindings)).toEqual({ ok: true, value: expected });
  });

  const errors: Array<[string, string, string | RegExp]> = [
    ['a thrown Error', 'throw new Error("boom")', 'Error: boom'],
    ['a thrown value', 'throw { code: 42 }', 'script threw {"code":42}'],
    ['a syntax error', 'let = ;', /^SyntaxError: /],
    ['an unknown name', 'nope + 1', /^ReferenceError: .*nope/],
    ['deep recursion', 'function f() { return f() + 1 } f()', /stack overflow|call stack/i],
    ['an infinite loop', 'while (true) {}', 'script exceeded its 100 ms time limit'],
    ['an infinite loop in a function', '(function spin() { for (;;) {} })()', 'script exceeded its 100 ms time limit'],
    ['a huge string', 'let s = "x"; while (true) s = s + s;', 'script exceeded its 32 MB memory limit'],
    ['a huge array', 'let a = []; while (true) a.push({ i: a.length, pad: "x".repeat(100) });', /script exceeded its (32 MB memory|100 ms time) limit/],
    // QuickJS cannot interrupt a backtracking regular expression: the host's deadline ends it.
    ['catastrophic backtracking', '/(a+)+b/.test("a".repeat(40) + "c")', 'script exceeded its 100 ms time limit'],
  ];
  it.each(errors)('%s gives an error, never an exception', (_name, script, message) => {
    const started = Date.now();
    const r = sandbox.evaluate(script, { $: {} });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(message);
    // The limit is 100 ms; the host's hard deadline is 250 ms, plus restarting a worker.
    expect(Date.now() - started).toBeLessThan(2000);
    expect(sandbox.evaluate('"still working"', {})).toEqual({ ok: true, value: 'still working' });
  });

  it('starts every evaluation in a fresh context', () => {
    expect(sandbox.evaluate('globalThis.leak = 1; Object.prototype.polluted = 2; 0', {})).toEqual({ ok: true, value: 0 });
    expect(sandbox.evaluate('[typeof leak, ({}).polluted === undefined]', {})).toEqual({ ok: true, value: ['undefined', true] });
  });

  it('derives the clock and Math.random from the decision time, so replays agree', () => {
    const script = '[Date.now(), new Date().toISOString(), Math.random(), new Date(86400000).getTime()]';
    const a = sandbox.evaluate(script, {}, { now: 1_700_000_000_000 });
    const b = sandbox.evaluate(script, {}, { now: 1_700_000_000_000 });
    expect(a).toEqual(b);
    expect(a).toMatchObject({ ok: true, value: [1_700_000_000_000, '2023-11-14T22:13:20.000Z', expect.any(Number), 86_400_000] });
  });

  it('applies the limits it was loaded with', async () => {
    const strict = await loadSandbox({ timeoutMs: 20, memoryMb: 4 });
    expect(strict.evaluate('while (true) {}', {})).toEqual({ ok: false, error: 'script exceeded its 20 ms time limit' });
    expect(strict.evaluate('new Array(2e6).fill(1.5).length', {})).toEqual({ ok: false, error: 'script exceeded its 4 MB memory limit' });
    expect(sandbox.evaluate('new Array(2e6).fill(1.5).length', {})).toEqual({ ok: true, value: 2_000_000 });
  });

  it('refuses bindings that are not JSON', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(sandbox.evaluate('1', { $: cyclic })).toMatchObject({ ok: false, error: expect.stringMatching(/not JSON/) });
  });
});
