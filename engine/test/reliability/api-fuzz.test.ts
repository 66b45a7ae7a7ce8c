import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../helpers/engine-process';

/**
 * API fuzzing (docs/reliability.md, "API fuzzing"): schemathesis against the engine's own
 * OpenAPI document, in its examples, coverage, fuzzing and stateful phases, through
 * scripts/fuzz.js. Target: no server error and no answer that breaks the documented schema
 * (status code, content type, headers, body). The reports are kept in fuzz-report/ (the CI
 * artifact; `npm run fuzz` writes the same with more examples when asked: --examples N).
 */
describe('API fuzzing with schemathesis', () => {
  it('finds no server error and no answer off the documented schema', async () => {
    const reportDir = process.env.BATON_FUZZ_REPORT_DIR ?? join(repoRoot, 'fuzz-report');
    let output = '';
    const code = await new Promise<number>((resolve) => {
      const p = spawn(process.execPath, [join(repoRoot, 'scripts/fuzz.js'), '--examples', '20', '--report-dir', reportDir], {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      p.stdout.on('data', (b: Buffer) => (output += b.toString()));
      p.stderr.on('data', (b: Buffer) => (output += b.toString()));
      p.on('exit', (c) => resolve(c ?? 1));
    });
    const jsonFile = readdirSync(reportDir).find((f) => f.startsWith('json-') && f.endsWith('.json'));
    if (!jsonFile) throw new Error(`schemathesis wrote no JSON report (exit ${code}):\n${output.slice(-5000)}`);
    const report = JSON.parse(readFileSync(join(reportDir, jsonFile), 'utf8')) as {
      operations: { tested: number };
      test_cases: { generated: number; with_failures: number };
      failures: Array<{ code: string; title: string; operations: string[] }>;
      errors: unknown[];
      phases: Record<string, { status: string }>;
    };
    // Failures with their operations first (the readable part), then the run's own verdict.
    expect(report.failures.map((f) => `${f.code} ${f.title}: ${f.operations.join(', ')}`)).toEqual([]);
    expect(report.errors).toEqual([]);
    if (code !== 0) throw new Error(`scripts/fuzz.js exited ${code}:\n${output.slice(-5000)}`);
    expect(report.operations.tested).toBeGreaterThanOrEqual(50);
    expect(report.test_cases.generated).toBeGreaterThan(1000);
    for (const phase of ['examples', 'coverage', 'fuzzing', 'stateful'])
      expect([phase, report.phases[phase]?.status]).toEqual([phase, 'success']);
  }, 1_200_000);
});
