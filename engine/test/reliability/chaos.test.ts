import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/engine-process';
import { storeKinds } from '../helpers/server';

interface Report {
  ok: boolean;
  started: number;
  completed: number;
  lost: string[];
  stuck: string[];
  failed: string[];
  completedTwice: string[];
  duplicateEffects: number;
  unexplainedDuplicates: string[];
  serverErrors: number;
  kills: Array<{ target: string }>;
}

/**
 * The chaos harness in a small configuration (docs/reliability.md, "Chaos"): real engine and
 * worker processes killed with SIGKILL at random, workers dying mid-task. Nothing here is timed:
 * the harness waits (up to its drain time) until every run ended, and the checks are on what
 * happened, not how fast.
 */
describe.each(storeKinds())('chaos, small configuration (%s)', (kind) => {
  it('loses nothing, leaves nothing stuck, completes no step twice, repeats side effects only after a lapsed lease', async () => {
    const json = join(mkdtempSync(join(tmpdir(), 'baton-chaos-test-')), 'report.json');
    const args =
      kind === 'mongodb'
        ? ['--store', 'mongo', '--engines', '2', '--workers', '3', '--workflows', '40', '--kill-every', '3s', '--duration', '20s']
        : ['--store', 'sqlite', '--workers', '2', '--workflows', '30', '--kill-every', '3s', '--duration', '15s'];
    let output = '';
    const code = await new Promise<number>((resolve) => {
      const p = spawn(process.execPath, [join(repoRoot, 'scripts/dist/chaos.js'), ...args, '--drain', '600s', '--json', json], {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      p.stdout.on('data', (b: Buffer) => (output += b.toString()));
      p.stderr.on('data', (b: Buffer) => (output += b.toString()));
      p.on('exit', (c) => resolve(c ?? 1));
    });
    let report: Report;
    try {
      report = JSON.parse(readFileSync(json, 'utf8')) as Report;
    } catch {
      throw new Error(`the harness wrote no report (exit ${code}):\n${output.slice(-5000)}`);
    }
    expect({ lost: report.lost, stuck: report.stuck, endedOtherwise: report.failed, completedTwice: report.completedTwice }).toEqual({
      lost: [],
      stuck: [],
      endedOtherwise: [],
      completedTwice: [],
    });
    expect(report.unexplainedDuplicates).toEqual([]);
    expect(report.serverErrors).toBe(0);
    expect(report.started).toBe(kind === 'mongodb' ? 40 : 30);
    expect(report.completed).toBe(report.started);
    expect(report.kills.length).toBeGreaterThan(0);
    expect([code, report.ok]).toEqual([0, true]);
  }, 900_000);
});
