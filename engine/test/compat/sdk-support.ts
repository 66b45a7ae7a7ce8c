import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const COMPAT_DIR = resolve(__dirname, '../../../compat');
export const JS_SDK_DIR = join(COMPAT_DIR, 'js-sdk');
export const PY_SDK_DIR = join(COMPAT_DIR, 'python-sdk');
export const PYTHON = join(PY_SDK_DIR, '.venv', 'bin', 'python');

/** The SDKs are installed by scripts/provision-sdks.js (npm test runs it); a missing one is a failure, not a skip. */
export function requireProvisioned(path: string): void {
  if (!existsSync(path))
    throw new Error(`${path} is missing: run \`node scripts/provision-sdks.js\` (npm test does) to install the official SDKs`);
}

export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** True when the process had to be killed after `timeoutMs`. */
  killed: boolean;
}

/** Runs a program to its end (or kills it after `timeoutMs`), collecting its output. */
export function runProgram(
  cmd: string,
  args: string[],
  opts: { cwd: string; env: Record<string, string>; timeoutMs: number },
): Promise<ProcessResult> {
  return new Promise((resolveResult) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolveResult({ code, signal, stdout, stderr, killed });
    });
  });
}
