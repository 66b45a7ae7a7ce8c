import { spawn } from 'node:child_process';
import { join } from 'node:path';

/**
 * Idle script and jq threads must never keep a process alive: a stopping engine, a CLI or a test
 * run that forgot to close a pool still exits. (Node refs a worker's port again whenever a
 * 'message' listener is added, so an unref done before the listeners is undone; this caught it.)
 * Runs the built engine (`npm test` builds first) in a child process that uses both pools once
 * and never closes them; the child must end by itself with code 0.
 */
const dist = join(__dirname, '../../dist');

function runChild(source: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', source], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    // A generous ceiling only so a regression fails instead of hanging the suite; a healthy child
    // ends as soon as its work is done.
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, out });
    });
  });
}

describe('worker threads do not keep a process alive', () => {
  it('a script pool that was used and never closed lets the process exit', async () => {
    const r = await runChild(`
      const { ScriptPool, scriptRequest } = require(${JSON.stringify(join(dist, 'sandbox'))});
      (async () => {
        const pool = new ScriptPool({ timeoutMs: 1000, memoryMb: 32, threads: 2 });
        await pool.start();
        const res = await pool.evaluate(scriptRequest('1 + 2', {}, 0));
        console.log(JSON.stringify(res));
      })();
    `);
    expect(r.out).toContain('{"ok":true,"value":3}');
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
  }, 90_000);

  it('a jq pool that was used and never closed lets the process exit', async () => {
    const r = await runChild(`
      const { JqPool } = require(${JSON.stringify(join(dist, 'runtime/system-tasks/jq'))});
      (async () => {
        const pool = new JqPool(2);
        console.log(JSON.stringify(await pool.run({ a: [1, 2] }, '.a | length')));
      })();
    `);
    expect(r.out).toContain('[2]');
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
  }, 90_000);
});
