/**
 * The `edgate` command, assembled from the platform's commands (start, serve, migrate, user) and
 * each role module's. Each subcommand reads the same configuration (environment variables) as
 * the server, so `edgate register import` and `edgate serve` always agree on the database.
 */
import { randomBytes } from 'node:crypto';
import type { Config } from '../platform/config.ts';
import { AccountError } from '../platform/auth/accounts.ts';
import { addAccount } from '../platform/auth/account-access.ts';
import { loadSecretBox } from '../platform/auth/secret-key.ts';
import { operator, parseCommand, UsageError } from '../platform/cli/command.ts';
import type { CommandContext } from '../platform/role.ts';
import { ConfigError } from '../platform/settings.ts';
import { ImportError } from '../platform/files/import-problem.ts';
import { accountRolesOf, loadSettings, migrateEdgate, ROLE_MODULES, type AnyRoleModule } from '../edgate.ts';
import { DatabaseInUseError, openConfiguredDatabase } from './database.ts';
import { USER_ACCESS_SUBCOMMANDS, userAccessCommand } from './access-commands.ts';

export function usage(modules: readonly AnyRoleModule[]): string {
  const names = modules.map((m) => m.name).join(', ');
  const accountRoles = accountRolesOf(modules)
    .map((r) => r.name)
    .join(', ');
  const roleUsage = modules.flatMap((m) => (m.commands ?? []).map((c) => c.usage));
  return `edgate — statutory education data feeds

Usage:
  edgate start                         run every role with the demo world (what npm start does)
  edgate serve [ROLE…]                 run the given roles: ${names} or all (default all)
  edgate serve ROLE… --workers N       as many server processes on one port (PostgreSQL only)
  edgate demo reset [--yes]            empty the embedded database of the data folder: the next
                                       start seeds the demo world again (asks first)
  edgate migrate                       bring the database schema up to date
  edgate user add --username U --name "Full Name" --role ROLE [--role ROLE…] [--la CODE]
                                       create a sign-in account; the password comes from
                                       EDGATE_PASSWORD or is generated and printed once.
                                       Roles: ${accountRoles};
                                       an la-officer names its local authority with --la
  edgate user list                     every sign-in account, active or disabled
  edgate user disable|enable --username U
                                       stop (or allow again) an account signing in; disabling
                                       ends its sessions on every instance at once
${roleUsage.join('\n')}

Configuration is read from environment variables: see README.md.`;
}

async function withDatabase<T>(
  config: Config,
  modules: readonly AnyRoleModule[],
  fn: (handle: Awaited<ReturnType<typeof openConfiguredDatabase>>) => Promise<T>,
): Promise<T> {
  const handle = await openConfiguredDatabase(config, { modules });
  try {
    return await fn(handle);
  } finally {
    await handle.close();
  }
}

function parseRoles(names: string[], modules: readonly AnyRoleModule[]): string[] {
  const known = modules.map((m) => m.name);
  if (names.length === 0 || names.includes('all')) return known;
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length > 0)
    throw new UsageError(`Unknown role ${unknown.join(', ')}: choose from ${known.join(', ')} or all`);
  return names;
}

/** Runs one command; the exit code, or -1 for a server that keeps running. */
export async function runCli(
  argv: string[],
  modules: readonly AnyRoleModule[] = ROLE_MODULES,
): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    console.log(usage(modules));
    return command ? 0 : 2;
  }
  const settings = loadSettings(process.env, modules);
  const { config } = settings;

  switch (command) {
    case 'start': {
      // The web stack loads only for the commands that serve it, so the others start quickly.
      const { serve } = await import('./serve.ts');
      await serve(
        settings,
        modules.map((m) => m.name),
        { seedDemo: true, modules },
      );
      return -1; // keep running
    }
    case 'serve': {
      const { positionals, values } = parseCommand(rest, { workers: { type: 'string' } });
      const roles = parseRoles(positionals, modules);
      const workers = Number(values.workers ?? '1');
      const { isWorker, superviseWorkers, MAX_WORKERS } = await import('./workers.ts');
      if (!Number.isInteger(workers) || workers < 1 || workers > MAX_WORKERS)
        throw new UsageError(`--workers must be a whole number from 1 to ${MAX_WORKERS}`);
      if (workers > 1 && !isWorker()) {
        if (!config.databaseUrl)
          throw new UsageError(
            '--workers needs PostgreSQL (DATABASE_URL): the embedded database serves one process',
          );
        await superviseWorkers(config, workers, ['serve', ...positionals]);
        return -1;
      }
      const { serve } = await import('./serve.ts');
      await serve(settings, roles, { seedDemo: false, modules });
      return -1;
    }
    case 'demo': {
      const [sub, ...args] = rest;
      const { values } = parseCommand(args, { yes: { type: 'boolean' } });
      if (sub !== 'reset') throw new UsageError('Usage: edgate demo reset [--yes]');
      const { resetDemo } = await import('./demo-reset.ts');
      return resetDemo(config, values.yes === true);
    }
    case 'migrate': {
      const handle = await openConfiguredDatabase(
        { ...config, databasePoolSize: 1 },
        { migrate: false, modules },
      );
      try {
        for (const report of await migrateEdgate(handle.db, modules)) {
          console.log(
            `${report.schema}: ${report.applied.length ? `applied ${report.applied.join(', ')}` : 'up to date'}`,
          );
        }
      } finally {
        await handle.close();
      }
      return 0;
    }
    case 'user': {
      const [sub, ...args] = rest;
      if (sub && USER_ACCESS_SUBCOMMANDS.includes(sub)) return userAccessCommand(config, sub, args);
      if (sub !== 'add')
        throw new UsageError(
          'Usage: edgate user add --username U --name "Full Name" --role ROLE | user list | user disable|enable --username U',
        );
      const { values } = parseCommand(args, {
        username: { type: 'string' },
        name: { type: 'string' },
        role: { type: 'string', multiple: true },
        la: { type: 'string' },
      });
      if (!values.username || !values.role?.length)
        throw new UsageError('edgate user add needs --username and at least one --role');
      const given = process.env.EDGATE_PASSWORD;
      const password = given ?? randomBytes(15).toString('base64url');
      const account = await withDatabase(config, modules, ({ db }) =>
        addAccount(
          db,
          {
            username: values.username!,
            displayName: values.name ?? values.username!,
            password,
            roles: values.role!,
            laCode: values.la,
          },
          accountRolesOf(modules),
          operator(),
        ),
      );
      console.log(`Created account ${account.username} (${account.roles.join(', ')}).`);
      if (!given) console.log(`Password (shown once): ${password}`);
      return 0;
    }
  }
  for (const module of modules) {
    const roleCommand = module.commands?.find((c) => c.name === command);
    if (!roleCommand) continue;
    const context: CommandContext<unknown> = {
      config,
      settings: settings.roles.get(module.name),
      withDatabase: (fn) => withDatabase(config, modules, fn),
      secretBox: () => loadSecretBox({ key: config.secretKey, dataDir: config.dataDir }),
    };
    return roleCommand.run(rest, context);
  }
  throw new UsageError(`Unknown command "${command}". Run edgate help.`);
}

/** How a failed command ends: plain words and exit 2 for what the operator can fix, else 1. */
export function exitCodeOf(error: unknown, modules: readonly AnyRoleModule[] = ROLE_MODULES): number {
  const plain = [ConfigError, UsageError, AccountError, ...modules.flatMap((m) => m.plainErrors ?? [])];
  if (plain.some((kind) => error instanceof kind)) {
    console.error((error as Error).message);
    return 2;
  }
  if (error instanceof DatabaseInUseError) {
    console.error(error.message);
    return 1;
  }
  if (error instanceof ImportError) {
    console.error(
      `Import refused, nothing was changed. ${error.problems.length} problem(s):\n${error.message}`,
    );
    return 1;
  }
  console.error(error);
  return 1;
}
