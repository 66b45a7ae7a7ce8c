import { ScriptPool, scriptRequest, type ScriptResult } from '../../src/sandbox';

/**
 * The script pool: QuickJS on worker threads, awaited. Limits are enforced by QuickJS (interrupt
 * handler, allocator) and, for what it cannot interrupt, by the pool's own deadline; every
 * failure is an answer, never an exception, and the engine's event loop never waits for a script.
 */
describe('script pool', () => {
  let pool: ScriptPool;
  beforeAll(async () => {
    pool = new ScriptPool({ timeoutMs: 100, memoryMb: 32, threads: 2 });
    await pool.start();
  });
  afterAll(async () => {
    await pool.close();
  });

  const run = (p: ScriptPool, script: string, bindings: Record<string, unknown> = {}, now = 0, owner = ''): Promise<ScriptResult> => {
    const req = scriptRequest(script, bindings, now);
    if ('error' in req) return Promise.resolve({ ok: false, error: req.error });
    return p.evaluate(req, owner);
  };

  const values: Array<[string, string, Record<string, unknown>, unknown]> = [
    ['arithmetic', '1 + 2', {}, 3],
    ['the last statement is the result', 'if ($.a > 1) { "big"; } else { "small"; }', { $: { a: 2 } }, 'big'],
    [
      'a function called at the end (Conductor style)',
      'function e() { return $.items.map(i => i * 2); } e();',
      { $: { items: [1, 2] } },
      [2, 4],
    ],
    [
      'objects come back as JSON',
      '({ n: $.n, list: [true, null, "x"], nested: { d: new Date(0) } })',
      { $: { n: 1.5 } },
      { n: 1.5, list: [true, null, 'x'], nested: { d: '1970-01-01T00:00:00.000Z' } },
    ],
    ['undefined is null', 'undefined', {}, null],
    ['functions are dropped', '({ f() {}, k: 1 })', {}, { k: 1 }],
    ['several bindings', 'a + b', { a: 1, b: 2 }, 3],
    [
      'no host objects',
      '[typeof require, typeof process, typeof module, typeof fetch]',
      {},
      ['undefined', 'undefined', 'undefined', 'undefined'],
    ],
    ['console exists and discards', 'console.log("x"); 7', {}, 7],
    ['a replaced JSON.stringify cannot fake the result', 'JSON.stringify = () => "\\"faked\\""; 5', {}, 5],
    ['mutating $ stays inside', '$.list.push(3); $.list.length', { $: { list: [1, 2] } }, 3],
  ];
  it.each(values)('%s', async (_name, script, bindings, expected) => {
    expect(await run(pool, script, bindings)).toEqual({ ok: true, value: expected });
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
    [
      'a huge array',
      'let a = []; while (true) a.push({ i: a.length, pad: "x".repeat(100) });',
      /script exceeded its (32 MB memory|100 ms time) limit/,
    ],
    // QuickJS cannot interrupt a backtracking regular expression: the pool's deadline ends it.
    ['catastrophic backtracking', '/(a+)+b/.test("a".repeat(40) + "c")', 'script exceeded its 100 ms time limit'],
  ];
  it.each(errors)('%s gives an error, never an exception, and the pool goes on', async (_name, script, message) => {
    const r = await run(pool, script, { $: {} });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(message);
    expect(await run(pool, '"still working"')).toEqual({ ok: true, value: 'still working' });
  });

  it('never holds the event loop: timers fire while scripts spin on every thread', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const spinning = [run(pool, 'while (true) {}'), run(pool, 'while (true) {}'), run(pool, 'while (true) {}')];
    // While three scripts (more than there are threads) run to their limit, the loop is free.
    await new Promise((r) => setTimeout(r, 30));
    const during = ticks;
    const results = await Promise.all(spinning);
    clearInterval(timer);
    expect(during).toBeGreaterThan(0);
    for (const r of results) expect(r).toEqual({ ok: false, error: 'script exceeded its 100 ms time limit' });
  });

  it('serves waiting askers in turn: one workflow with many scripts does not starve another', async () => {
    const small = new ScriptPool({ timeoutMs: 50, memoryMb: 8, threads: 1 });
    await small.start();
    try {
      const order: string[] = [];
      const hog = Array.from({ length: 4 }, (_, i) => run(small, 'while (true) {}', {}, 0, 'hog').then(() => order.push(`hog${i}`)));
      const other = run(small, '1', {}, 0, 'other').then(() => order.push('other'));
      await Promise.all([...hog, other]);
      // The other asker's script runs right after the hog's first, not after all four.
      expect(order.indexOf('other')).toBeLessThanOrEqual(1);
    } finally {
      await small.close();
    }
  });

  it('starts every evaluation in a fresh context', async () => {
    expect(await run(pool, 'globalThis.leak = 1; Object.prototype.polluted = 2; 0')).toEqual({ ok: true, value: 0 });
    expect(await run(pool, '[typeof leak, ({}).polluted === undefined]')).toEqual({ ok: true, value: ['undefined', true] });
  });

  it('derives the clock and Math.random from the decision time, so replays agree', async () => {
    const script = '[Date.now(), new Date().toISOString(), Math.random(), new Date(86400000).getTime()]';
    const a = await run(pool, script, {}, 1_700_000_000_000);
    const b = await run(pool, script, {}, 1_700_000_000_000);
    expect(a).toEqual(b);
    expect(a).toMatchObject({ ok: true, value: [1_700_000_000_000, '2023-11-14T22:13:20.000Z', expect.any(Number), 86_400_000] });
  });

  it('applies the limits it was started with', async () => {
    const strict = new ScriptPool({ timeoutMs: 20, memoryMb: 4, threads: 1 });
    await strict.start();
    try {
      expect(await run(strict, 'while (true) {}')).toEqual({ ok: false, error: 'script exceeded its 20 ms time limit' });
      expect(await run(strict, 'new Array(2e6).fill(1.5).length')).toEqual({ ok: false, error: 'script exceeded its 4 MB memory limit' });
    } finally {
      await strict.close();
    }
    expect(await run(pool, 'new Array(2e6).fill(1.5).length')).toEqual({ ok: true, value: 2_000_000 });
  });

  it("counts the script's own run time only: copying large bindings in does not use up the limit", async () => {
    const strict = new ScriptPool({ timeoutMs: 5, memoryMb: 64, threads: 1 });
    await strict.start();
    try {
      // Parsing ~4 MB of bindings inside QuickJS takes far longer than 5 ms; the script itself is quick.
      const items = Array.from({ length: 40_000 }, (_, i) => ({
        id: i,
        name: `item-${i}`,
        tags: ['a', 'b', 'c'],
        price: i * 1.5,
        note: 'x'.repeat(40),
      }));
      expect(await run(strict, '$.items.length', { $: { items } })).toEqual({ ok: true, value: 40_000 });
    } finally {
      await strict.close();
    }
  });

  it('refuses bindings that are not JSON', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(scriptRequest('1', { $: cyclic }, 0)).toMatchObject({ error: expect.stringMatching(/not JSON/) });
  });
});
