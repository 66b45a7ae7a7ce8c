import type { FieldProblem } from './exit-codes';

export interface Sink {
  write(text: string): unknown;
}

/**
 * Where a command's results go: tables and lines for people by default, one JSON document on stdout
 * with `--json` (for scripts: `baton search --json | jq`). Warnings and errors go to stderr in both
 * modes, so stdout stays parseable.
 */
export class Output {
  constructor(
    readonly json: boolean,
    private readonly stdout: Sink = process.stdout,
    private readonly stderr: Sink = process.stderr,
  ) {}

  line(text = ''): void {
    this.stdout.write(`${text}\n`);
  }

  warn(text: string): void {
    this.stderr.write(`${text}\n`);
  }

  data(value: unknown): void {
    this.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** Columns padded to their widest cell; an empty list prints `empty` instead of a bare header. */
  table(headers: readonly string[], rows: ReadonlyArray<readonly string[]>, empty = '(none)'): void {
    if (rows.length === 0) {
      this.line(empty);
      return;
    }
    const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
    const format = (cells: readonly string[]): string =>
      cells
        .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd();
    this.line(format(headers.map((h) => h.toUpperCase())));
    for (const r of rows) this.line(format(r));
  }

  problems(where: string, problems: readonly FieldProblem[]): void {
    for (const p of problems) this.warn(`  ${where}${p.pointer || '/'}: ${p.message}`);
  }
}

/** UTC, to the second: unambiguous whichever zone the operator and the engine are in. */
export function time(ms: number | undefined | null): string {
  if (!ms) return '-';
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, 'Z');
}

export function duration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${Math.round(s % 60)}s`;
  return `${Math.floor(m / 60)}h${m % 60}m`;
}
