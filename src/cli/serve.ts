/**
 * The composition root: configuration → database (migrated) → demo world on first run →
 * HTTPS server with the chosen roles' plugins → graceful shutdown on SIGTERM/SIGINT.
 */
import path from 'node:path';
import type { FastifyInstance } from 'fastify';

import { openConfiguredDatabase } from './database.ts';
import { createHttpServer } from '../platform/http/server.ts';
import { loadTls, type TlsMaterial } from '../platform/http/tls.ts';
import { loadSecretBox } from '../platform/auth/secret-key.ts';
import type { SecretBox } from '../platform/auth/secret-box.ts';
import type { DatabaseHandle } from '../platform/db/database.ts';
import { accountRolesOf, ROLE_MODULES, type AnyRoleModule, type Settings } from '../edgate.ts';
import { accountPages } from '../platform/auth/account-pages.ts';
import { DEMO_CREDENTIALS_FILE, seedDemoWorld } from './demo-world.ts';
import { trustOwnCertificate, wireDemoAfterListening, wireDemoBeforeListening } from './demo-wiring.ts';
import { startPageView } from './start-page.ts';

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  close(): Promise<void>;
}

export async function serve(
  settings: Settings,
  roles: string[],
  options: {
    seedDemo?: boolean;
    modules?: readonly AnyRoleModule[];
    say?: (line: string) => void;
    /** The clock of the demo seeding, its wiring and the roles (default the system's). */
    now?: () => Date;
  } = {},
): Promise<RunningServer> {
  const { config } = settings;
  const modules = options.modules ?? ROLE_MODULES;
  const say = options.say ?? ((line: string) => console.log(line));
  const demo = options.seedDemo === true && config.seedDemo;
  const started = performance.now();
  const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
  if (demo) say('Starting edgate with the demo world…');
  const handle = await openConfiguredDatabase(config, { serve: true, modules });
  const secretBox = loadSecretBox({ key: config.secretKey, dataDir: config.dataDir });
  const tls = await loadTls({
    certFile: config.tlsCertFile,
    keyFile: config.tlsKeyFile,
    dataDir: config.dataDir,
  });
  trustOwnCertificate(settings, tls, config.dataDir);
  const clock = options.now ?? (() => new Date());
  const now = clock();
  const world = demo ? await seedDemoWorld(handle, settings, secretBox, modules, now, say) : undefined;
  if (world)
    for (const line of await wireDemoBeforeListening(handle, secretBox, settings, world.handovers, tls, now))
      say(line);
  const app = await assembleServer({
    settings,
    roles,
    modules,
    handle,
    secretBox,
    tls,
    ...(options.now ? { now: options.now } : {}),
    ...(demo ? { demoCredentialsFile: path.join(config.dataDir, DEMO_CREDENTIALS_FILE) } : {}),
  });
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = config.publicUrl.replace(`:${config.port}`, `:${port}`);

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await app.close(); // stops accepting, lets in-flight requests finish
      await app.handlersDone(); // and handlers whose clients went away
      await handle.close();
    })());
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      app.log.info({ signal }, 'shutting down');
      const timer = setTimeout(() => process.exit(1), 15_000);
      timer.unref();
      void close().then(() => process.exit(0));
    });
  }

  if (world && Object.keys(world.handovers).length > 0) {
    // The feeds run once through their real paths, over HTTPS to this instance, before the address is given.
    try {
      await wireDemoAfterListening(handle, secretBox, settings, world.handovers, {
        url,
        tls,
        now: clock(),
        say,
      });
    } catch (error) {
      // The server is up and the schedules will try again: a demo step that failed says so and goes on.
      say(`The demo world's first collection or sync failed: ${(error as Error).message}`);
    }
  }
  say(
    `\nedgate (${roles.join(', ')}) is running on ${handle.engine === 'pglite' ? 'the embedded database' : 'PostgreSQL'}${demo ? ` (ready in ${elapsed()})` : ''}.`,
  );
  if (world) for (const line of world.signIns) say(line);
  say(`\nOpen ${url}/${tls.selfSigned ? ' (self-signed certificate: your browser will warn)' : ''}`);
  return { app, url, close };
}

export interface ServerAssembly {
  settings: Settings;
  /** The names of the roles to serve. */
  roles: readonly string[];
  modules: readonly AnyRoleModule[];
  handle: DatabaseHandle;
  secretBox: SecretBox;
  /** None: plain HTTP, for `app.inject` in tests. */
  tls?: TlsMaterial;
  now?: () => Date;
  /** A local demo instance: the start page names the demo sign-ins, and where their passwords are. */
  demoCredentialsFile?: string;
}

/** The platform's server with the chosen roles' plugins, not yet listening: what serve runs, and tests inject into. */
export async function assembleServer(assembly: ServerAssembly): Promise<FastifyInstance> {
  const { settings, handle, secretBox } = assembly;
  const { config } = settings;
  const app = await createHttpServer({
    db: handle.db,
    tls: assembly.tls,
    logLevel: config.logLevel,
    logFormat: config.logFormat,
    sessionTtlHours: config.sessionTtlHours,
    publicUrl: config.publicUrl,
    metricsToken: config.metricsToken,
    startPage: startPageView(assembly.modules, {
      roles: assembly.roles,
      demoCredentialsFile: assembly.demoCredentialsFile,
    }),
    now: assembly.now,
  });
  await mountPlatformPages(app, handle, assembly.modules);
  for (const module of assembly.modules.filter((m) => assembly.roles.includes(m.name))) {
    const plugin = module.plugin;
    if (!plugin) continue;
    // Encapsulated: a role's hooks, decorators and opt-outs stay inside the role.
    const context = {
      handle,
      config,
      settings: settings.roles.get(module.name),
      secretBox,
      now: assembly.now,
    };
    await app.register(async (scope) => plugin(scope, context), { name: `role:${module.name}` } as object);
  }
  return app;
}

/** The platform's own pages (accounts and roles), told the account roles the modules bring. */
export async function mountPlatformPages(
  app: FastifyInstance,
  handle: DatabaseHandle,
  modules: readonly AnyRoleModule[],
): Promise<void> {
  await app.register(
    async (scope) => accountPages(scope, { db: handle.db, accountRoles: accountRolesOf(modules) }),
    {
      name: 'platform:accounts',
    } as object,
  );
}
