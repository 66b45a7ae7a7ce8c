import { execFile } from 'node:child_process';
import { join } from 'node:path';

const bin = join(__dirname, '../bin/baton.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The built `baton` command (npm test builds first) as a child process, as an operator or a script
 * runs it: only the environment given here (no BATON_* leaking from the test runner).
 */
export function baton(args: string[], env: Record<string, string> = {}, cwd = join(__dirname, '../..')): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      {
        cwd,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
        timeout: 120_000,
        maxBuffer: 16 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        const code =
          err && typeof (err as NodeJS.ErrnoException & { code?: unknown }).code === 'number'
            ? (err as unknown as { code: number }).code
            : err
              ? -1
              : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

export function json<T = any>(run: CliRun): T {
  try {
    return JSON.parse(run.stdout) as T;
  } catch {
    throw new Error(`stdout is not JSON (exit ${run.code}):\n${run.stdout}\nstderr:\n${run.stderr}`);
  }
}
