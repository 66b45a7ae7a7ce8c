/**
 * What the `baton` command's exit status means (docs/cli.md). Scripts branch on these, so they are
 * part of the CLI's interface: never renumber one.
 */
export const ExitCode = {
  /** The command did what was asked (and a watched run COMPLETED). */
  OK: 0,
  /** The command ran and failed: the engine refused it, a definition is invalid, a watched run did not complete. */
  FAILED: 1,
  /** The command line is wrong: unknown command or flag, a missing argument, unreadable input. */
  USAGE: 2,
  /** What the command names does not exist (404). */
  NOT_FOUND: 3,
  /** No or wrong credentials (401), or the key's role may not do this (403). */
  AUTH: 4,
  /** The engine could not be reached, or answered that it is unavailable (5xx). */
  UNREACHABLE: 5,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A field of a document and what is wrong with it (an RFC 6901 JSON pointer, as the engine reports them). */
export interface FieldProblem {
  pointer: string;
  message: string;
}

/** An error that ends the command with a given exit status; `problems` are shown one per line. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    readonly problems: readonly FieldProblem[] = [],
    readonly code = 'CLI_ERROR',
  ) {
    super(message);
  }
}

export class UsageError extends CliError {
  constructor(message: string) {
    super(message, ExitCode.USAGE, [], 'USAGE');
  }
}
