import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/engine-process';

/**
 * `npm start` as a newcomer runs it (without its build step, which `npm test` did): it says where the
 * engine is, and stopping it stops the engine, whether the signal reaches the whole process group
 * (Ctrl-C in a terminal) or npm alone (kill, a process manager), so the port is never left held.
 */
interface Started {
  npm: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<void>;
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function npmStart(): Promise<Started> {
  const dataDir = mkdtempSync(join(tmpdir(), 'baton-npm-start-'));
  dirs.push(dataDir);
  // detached: its own process group, as a shell gives a foreground job (Ctrl-C signals the group).
  const npm = spawn('npm', ['start', '--ignore-scripts', '--silent'], {
    cwd: repoRoot,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', BATON_DATA_DIR: dataDir, MONGODB_URI: '', LOG_LEVEL: 'info' },
  });
  let text = '';
  npm.stdout?.on('data', (b: Buffer) => (text += b.toString()));
  npm.stderr?.on('data', (b: Buffer) => (text += b.toString()));
  const exited = new Promise<void>((resolve) => npm.once('exit', () => resolve()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    const m = /Baton engine ready at (http:\/\/127\.0\.0\.1:\d+) /.exec(text);
    if (m?.[1]) return { npm, url: m[1], output: () => text, exited };
    if (npm.exitCode !== null || Date.now() > deadline) throw new Error(`npm start did not get ready:\n${text}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** True while any process of the group is alive. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(what: string, ok: () => boolean | Promise<boolean>, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen in 60 s:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const refused = async (url: string): Promise<boolean> => {
  try {
    await fetch(`${url}/health`);
    return false;
  } catch {
    return true;
  }
};

describe('npm start', () => {
  it('prints the URL, the store and how to stop it, then JSON logs; Ctrl-C (SIGINT to the group) stops everything', async () => {
    const s = await npmStart();
    const pgid = s.npm.pid as number;
    try {
      expect(s.output()).toMatch(/Baton engine starting: store SQLite \S+baton-npm-start-\S+\/baton\.sqlite/);
      expect(s.output()).toContain('press Ctrl-C to stop');
      expect(s.output()).toMatch(/\{"level":30,.*"msg":"baton engine listening"\}/);
      expect((await fetch(`${s.url}/health`)).status).toBe(200);
      process.kill(-pgid, 'SIGINT');
      await s.exited;
      await until('the process group ending', () => !groupAlive(pgid), s.output);
      expect(await refused(s.url)).toBe(true);
      // The terminal's SIGINT and npm's forwarded copy: one graceful shutdown, not a second signal's hard exit.
      expect(s.output().match(/"msg":"shutting down"/g)).toHaveLength(1);
      expect(s.output()).not.toContain('exiting now');
    } finally {
      if (groupAlive(pgid)) process.kill(-pgid, 'SIGKILL');
    }
  }, 120_000);

  it('SIGTERM to npm alone stops the engine too', async () => {
    const s = await npmStart();
    const pgid = s.npm.pid as number;
    try {
      s.npm.kill('SIGTERM');
      await until('the engine stopping', () => !groupAlive(pgid), s.output);
      expect(await refused(s.url)).toBe(true);
      expect(s.output()).toMatch(/"signal":"SIGTERM","msg":"shutting down"/);
    } finally {
      if (groupAlive(pgid)) process.kill(-pgid, 'SIGKILL');
    }
  }, 120_000);
});
