import type { Command } from 'commander';
import { CliError, ExitCode, UsageError } from '../exit-codes';
import type { Context } from '../context';
import { time } from '../output';

interface KeyView {
  keyId: string;
  role: string;
  taskTypes: string[];
  description: string;
  createdAt?: number;
  createdBy?: string;
  source: 'store' | 'configuration';
  keySecret?: string;
}

const ROLES = ['admin', 'operator', 'worker', 'viewer'];

/** API keys (docs/security.md, "API keys"); admin keys only, and only with authentication on. */
export function keyCommands(program: Command, ctx: Context): void {
  const key = program.command('key').description('API keys and their roles (needs an admin key)');
  key
    .command('create')
    .description('create a key; its secret is shown once')
    .requiredOption('-r, --role <role>', ROLES.join(', '))
    .option('--task-types <list>', 'worker keys: task types it serves, comma-separated (names, prefix*, or *)')
    .option('-d, --description <text>', 'what the key is for')
    .option('--id <keyId>', 'the key id (default: a UUID)')
    .action(async (opts: { role: string; taskTypes?: string; description?: string; id?: string }) => {
      if (!ROLES.includes(opts.role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}, got '${opts.role}'`);
      const taskTypes = opts.taskTypes
        ?.split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const body = {
        role: opts.role,
        ...(taskTypes ? { taskTypes } : {}),
        ...(opts.description ? { description: opts.description } : {}),
        ...(opts.id ? { keyId: opts.id } : {}),
      };
      const { body: created } = await keyCall(() => ctx.client().post<KeyView>('/admin/keys', body));
      if (ctx.out.json) return ctx.out.data(created);
      ctx.out.line(`key ${created.keyId} (${created.role}) created`);
      ctx.out.line(`secret: ${created.keySecret ?? ''}`);
      ctx.out.line(`use it as BATON_API_KEY=${created.keyId}:<secret>; the secret is not shown again`);
    });

  key
    .command('list')
    .description('every key (never secrets)')
    .action(async () => {
      const { body } = await keyCall(() => ctx.client().get<KeyView[]>('/admin/keys'));
      if (ctx.out.json) return ctx.out.data(body);
      ctx.out.table(
        ['key id', 'role', 'task types', 'created (UTC)', 'by', 'description'],
        body.map((k) => [
          k.keyId,
          k.role,
          k.taskTypes.join(',') || '-',
          k.source === 'configuration' ? 'configuration' : time(k.createdAt),
          k.createdBy ?? '-',
          k.description,
        ]),
      );
    });

  key
    .command('revoke')
    .description('delete a key; its tokens stop working')
    .argument('<keyId>')
    .action(async (keyId: string) => {
      await keyCall(() => ctx.client().delete(`/admin/keys/${encodeURIComponent(keyId)}`));
      if (ctx.out.json) return ctx.out.data({ keyId, revoked: true });
      ctx.out.line(`key ${keyId} revoked`);
    });
}

/**
 * Without authentication the engine serves no key routes, so `key list` would otherwise say only
 * "not found". A missing key (revoke) is a plain not-found.
 */
async function keyCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof CliError && err.exitCode === ExitCode.NOT_FOUND && /^no route/.test(err.message)) {
      throw new CliError('this engine serves no API keys: authentication is off (docs/security.md)', ExitCode.NOT_FOUND, [], err.code);
    }
    throw err;
  }
}
