import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { BatonWorker } from '@baton/workers-sdk';
import { EngineProcess, freePort, waitFor } from '../helpers/engine-process';
import { testEnv } from '../helpers/server';

/**
 * Resource exhaustion on the embedded store (docs/reliability.md, "Resource exhaustion"): the
 * engine's data folder is a small ext4 file system of its own (a loop device), which the test
 * fills up, and which it then turns read-only the way the kernel does on a disk error
 * (errors=remount-ro); another connection holds SQLite's write lock (SQLITE_BUSY). Each time the
 * engine must answer 503 with retryable: true (never a 500), keep everything it acknowledged,
 * and, for a full disk and a held lock, recover by itself once the condition clears. A file
 * system the kernel turned read-only stays so until it is unmounted and checked, so that one
 * is recovered by restarting the engine on the repaired file system.
 *
 * Needs root and loop devices (mount, mkfs.ext4, e2fsck), as `npm test` has on the project's
 * machines; without them the suite is skipped, saying why.
 */
/**
 * FULL: an fsync per commit. A file system the kernel turns read-only drops the writes still in
 * the page cache, as a power loss does, and with NORMAL (the default, which survives kill -9 but
 * not a power loss) the runs acknowledged before the error were lost when this was tried
 * (docs/reliability.md, "Resource exhaustion").
 */
const sync = 'FULL';
const image = join(tmpdir(), `baton-disk-${process.pid}.img`);
const dir = mkdtempSync(join(tmpdir(), 'baton-disk-'));

function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function mountImage(): void {
  sh('mount', ['-o', 'loop,errors=remount-ro', image, dir]);
}

/** Whether this machine lets the test make and mount a file system; null when it does. */
function cannotMount(): string | null {
  try {
    sh('truncate', ['-s', '32M', image]);
    sh('mkfs.ext4', ['-q', '-F', image]);
    mountImage();
    return null;
  } catch (err) {
    rmSync(image, { force: true });
    return `cannot make and mount a loop file system here (${String(err).split('\n')[0]}): needs root, mkfs.ext4 and loop devices`;
  }
}

const why = cannotMount();
if (why) process.stderr.write(`resource-exhaustion: skipped: ${why}\n`);
const suite = why ? describe.skip : describe;

suite('resource exhaustion on the embedded store', () => {
  let engine: EngineProcess;
  const statuses: number[] = [];
  const serverErrors: string[] = [];
  /** Workflows whose start was acknowledged (2xx). */
  const acked: string[] = [];

  async function send(method: string, path: string, body?: unknown): Promise<{ status: number; body: any; text: string }> {
    const res = await fetch(`${engine.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(120_000),
    });
    const text = await res.text();
    let parsed: any = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* a workflow id */
    }
    statuses.push(res.status);
    if (res.status >= 500 && !(res.status === 503 && parsed?.retryable === true && parsed?.code === 'STORE_UNAVAILABLE')) {
      serverErrors.push(`${method} ${path} -> ${res.status} ${text.slice(0, 300)}`);
    }
    return { status: res.status, body: parsed, text };
  }

  /** Starts workflows until one is refused with 503 (every acknowledged one is kept); answers the refusal. */
  async function startUntilRefused(tries: number): Promise<{ status: number; body: any } | null> {
    for (let i = 0; i < tries; i++) {
      const r = await send('POST', '/api/workflow/disk_flow', { pad: 'x'.repeat(20_000), i });
      if (r.status === 200) acked.push(r.text);
      else return r;
    }
    return null;
  }

  /** Starts one workflow, retrying what the engine says to retry, until it is acknowledged: the engine recovered. */
  async function startUntilAccepted(): Promise<void> {
    await waitFor(
      'the engine to accept a start again',
      async () => {
        const r = await send('POST', '/api/workflow/disk_flow', { i: -1 });
        if (r.status === 200) acked.push(r.text);
        return r.status === 200;
      },
      60_000,
      200,
    );
  }

  beforeAll(async () => {
    engine = new EngineProcess(
      await freePort(),
      testEnv('sqlite', { BATON_DATA_DIR: dir, BATON_SWEEP_INTERVAL_MS: '200', BATON_SQLITE_SYNC: sync }),
    );
    await engine.start();
    await send('POST', '/api/metadata/taskdefs', [{ name: 'disk_step', retryCount: 3, retryDelaySeconds: 0, responseTimeoutSeconds: 30 }]);
    await send('POST', '/api/metadata/workflow', {
      name: 'disk_flow',
      tasks: [{ name: 'disk_step', taskReferenceName: 'step', inputParameters: { i: '${workflow.input.i}' } }],
    });
    for (let i = 0; i < 5; i++) acked.push((await send('POST', '/api/workflow/disk_flow', { i })).text);
  }, 120_000);

  afterAll(async () => {
    await engine?.kill('SIGKILL');
    try {
      sh('umount', [dir]);
    } catch {
      /* not mounted */
    }
    rmSync(image, { force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('a full disk: 503 retryable, then it recovers by itself when space is freed', async () => {
    const filler = join(dir, 'filler');
    const fd = openSync(filler, 'w');
    try {
      for (const size of [1 << 20, 1 << 12]) {
        const chunk = Buffer.alloc(size, 1);
        try {
          for (;;) writeSync(fd, chunk);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
        }
      }
    } finally {
      closeSync(fd);
    }
    const refused = await startUntilRefused(500);
    expect(refused).toMatchObject({ status: 503, body: { code: 'STORE_UNAVAILABLE', retryable: true } });
    expect(refused?.body.detail).toMatch(/SQLITE_(FULL|IOERR)/);
    unlinkSync(filler);
    await startUntilAccepted();
  }, 180_000);

  it('SQLite busy (another connection holds the write lock): 503 retryable, then it recovers by itself', async () => {
    const other = new Database(join(dir, 'baton.sqlite'));
    try {
      other.exec('BEGIN IMMEDIATE');
      // Each write waits for the lock (busy_timeout, 5 s), then gives up.
      const refused = await startUntilRefused(3);
      expect(refused).toMatchObject({ status: 503, body: { code: 'STORE_UNAVAILABLE', retryable: true } });
      expect(refused?.body.detail).toMatch(/SQLITE_BUSY/);
      other.exec('ROLLBACK');
    } finally {
      other.close();
    }
    await startUntilAccepted();
  }, 180_000);

  it('a file system turned read-only: 503 retryable; restarted on the repaired file system, nothing acknowledged is lost', async () => {
    const device = sh('findmnt', ['-n', '-o', 'SOURCE', dir]).trim();
    const trigger = `/sys/fs/ext4/${device.replace(/^\/dev\//, '')}/trigger_fs_error`;
    expect(existsSync(trigger)).toBe(true);
    // What the kernel does on a disk error with errors=remount-ro: the file system becomes read-only under the engine.
    writeFileSync(trigger, 'baton reliability test');
    const refused = await startUntilRefused(200);
    expect(refused).toMatchObject({ status: 503, body: { code: 'STORE_UNAVAILABLE', retryable: true } });
    expect(refused?.body.detail).toMatch(/SQLITE_(READONLY|IOERR)/);

    // The file system stays read-only until it is unmounted and checked: restart on the repaired one.
    await engine.kill('SIGKILL');
    sh('umount', [dir]);
    try {
      sh('e2fsck', ['-f', '-y', image]);
    } catch {
      /* exit 1: errors corrected */
    }
    mountImage();
    await engine.start();

    const worker = new BatonWorker({ serverUrl: engine.url, workerId: 'after-disk', pollTimeoutMs: 500 });
    worker.register<{ i: number }, { i: number }>({ taskType: 'disk_step', concurrency: 8, handler: (input) => ({ i: input.i }) });
    try {
      await worker.start();
      const q = encodeURIComponent('workflowType IN (disk_flow) AND status IN (COMPLETED)');
      await waitFor(
        `all ${acked.length} acknowledged runs to complete`,
        async () => (await send('GET', `/api/workflow/search?query=${q}&size=1`)).body.totalHits >= acked.length,
        120_000,
        500,
      ).catch(
        () => undefined, // the checks below name the runs that did not complete
      );
    } finally {
      await worker.stop();
    }
    for (const id of acked) {
      const wf = await send('GET', `/api/workflow/${id}`);
      expect([id, wf.status, wf.body.status, wf.body.tasks?.map((t: { status: string }) => t.status)]).toEqual([
        id,
        200,
        'COMPLETED',
        ['COMPLETED'],
      ]);
    }
    expect(acked.length).toBeGreaterThanOrEqual(7);
    expect(serverErrors).toEqual([]);
  }, 300_000);
});
