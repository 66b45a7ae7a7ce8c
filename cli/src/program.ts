import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { EngineClient } from './client';
import { defCommands } from './commands/def';
import { keyCommands } from './commands/key';
import { poisonCommands } from './commands/poison';
import { runCommands } from './commands/runs';
import { taskdefCommands } from './commands/taskdef';
import type { Context } from './context';
import { CliError, ExitCode } from './exit-codes';
import { intArg } from './input';
import { Output, type Sink } from './output';

export interface CliIo {
  stdout: Sink;
  stderr: Sink;
}

const EXIT_HELP = `
Exit status: 0 ok; 1 the command failed (the engine refused it, invalid definition, a watched run
did not complete); 2 usage error; 3 not found; 4 authentication or permission; 5 engine unreachable
or unavailable. Details: docs/cli.md`;

/**
 * Runs one command line and answers its exit status (exit-codes.ts). Never calls process.exit, so
 * output written to a pipe is flushed before the process ends (main.ts sets process.exitCode).
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  // Until commander has parsed the options (and for its own usage errors), --json is read off the raw arguments.
  let out = new Output(argv.includes('--json'), io.stdout, io.stderr);
  let client: EngineClient | null = null;
  const program = new Command('baton')
    .description("Baton's operator command line: definitions, runs, policies, poison tasks and keys, over the engine's REST API")
    .version(version(), '-V, --version')
    .addOption(new Option('--url <url>', 'the engine').env('BATON_URL').default('http://localhost:8080'))
    .addOption(new Option('--api-key <keyId:secret>', 'API key, when the engine has authentication on').env('BATON_API_KEY'))
    .option('--json', 'machine-readable output on stdout (JSON; NDJSON for watch)')
    .option('--timeout <ms>', 'per request', '30000')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s), outputError: () => {} })
    .addHelpText('after', EXIT_HELP)
    .showSuggestionAfterError()
    .hook('preAction', (cmd) => {
      const o = cmd.opts<{ json?: boolean }>();
      out = new Output(o.json === true, io.stdout, io.stderr);
    });
  const ctx: Context = {
    get out() {
      return out;
    },
    client() {
      if (client) return client;
      const o = program.opts<{ url: string; apiKey?: string; timeout: string }>();
      client = new EngineClient({ url: o.url, apiKey: o.apiKey ?? null, timeoutMs: intArg('--timeout', o.timeout, 100, 3_600_000) });
      return client;
    },
  };
  defCommands(program, ctx);
  runCommands(program, ctx);
  taskdefCommands(program, ctx);
  poisonCommands(program, ctx);
  keyCommands(program, ctx);
  // Subcommands inherit exitOverride and configureOutput from the program (they are added after them).
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return ExitCode.OK;
  } catch (err) {
    return failure(err, out);
  }
}

function failure(err: unknown, out: Output): ExitCode {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return ExitCode.OK;
    // A bare group (`baton poison`) prints its help as an error: a usage error like any other.
    if (err.code === 'commander.help') return ExitCode.USAGE;
    out.warn(`baton: ${err.message.replace(/^error: /, '')} (baton --help)`);
    return ExitCode.USAGE;
  }
  if (err instanceof CliError) {
    if (out.json) out.warn(JSON.stringify({ error: err.code, message: err.message, exitCode: err.exitCode, problems: err.problems }));
    else {
      out.warn(`baton: ${err.message}`);
      out.problems('', err.problems);
    }
    return err.exitCode;
  }
  out.warn(`baton: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  return ExitCode.FAILED;
}

function version(): string {
  return (JSON.parse(readFileSync(join(__dirname, '../package.json'), 'utf8')) as { version: string }).version;
}
