/**
 * A role (regulator, la, school, dfe) is one module that describes itself to the platform: its
 * Postgres schema and migrations, the account roles its pages check, the settings it reads, its
 * Fastify plugin, its CLI commands and its demo seeding. The composition root (src/edgate.ts)
 * lists the modules; nothing in src/platform/ names a role.
 *
 * A role's tables join the database's type by augmenting `EdgateDatabase` (db/schema.ts), and its
 * account roles by augmenting `AccountRoleNames` (auth/accounts.ts), so the platform stays typed
 * without importing any role.
 */
import type { FastifyInstance } from 'fastify';
import type { Migration } from 'kysely';
import type { Config } from './config.ts';
import type { DatabaseHandle } from './db/database.ts';
import type { SecretBox } from './auth/secret-box.ts';
import type { AccountRoleDefinition } from './auth/accounts.ts';
import type { SettingsReader } from './settings.ts';

/** What the composition root hands a role's plugin. */
export interface RoleContext<S = unknown> {
  handle: DatabaseHandle;
  /** The platform settings a role may read. */
  config: Pick<Config, 'publicUrl'>;
  /** The role's own settings, as its module's `settings` read them. */
  settings: S;
  /** Seals and opens secrets the services must read back (gateway passwords, signing keys). */
  secretBox: SecretBox;
  /** The clock, for tests; defaults to the real one. */
  now?: () => Date;
}

/** What a role's CLI command is given. */
export interface CommandContext<S = unknown> {
  config: Config;
  settings: S;
  /** Opens the configured database (through the running server when it owns the embedded one), then closes it. */
  withDatabase<T>(fn: (handle: DatabaseHandle) => Promise<T>): Promise<T>;
  secretBox(): SecretBox;
}

export interface RoleCommand<S = unknown> {
  /** The first word: `edgate NAME …`. */
  name: string;
  /** Its lines in `edgate help`, each starting `  edgate NAME`. */
  usage: string;
  /** The exit code; a plain-words refusal is thrown as a UsageError (platform/cli/command.ts). */
  run(args: string[], context: CommandContext<S>): Promise<number>;
}

/** What a role's demo seeding is given, on first start of an empty database. */
export interface DemoContext<S = unknown> {
  handle: DatabaseHandle;
  config: Config;
  settings: S;
  secretBox: SecretBox;
  now: Date;
  /** Prints a progress line at once, for the steps that take seconds. */
  say?: (line: string) => void;
}

export interface DemoSeeded {
  /** What was seeded, one line each, printed at start. */
  lines: string[];
  /** Sign-ins and keys for this local instance only, written to <dataDir>/demo-accounts.txt (0600). */
  credentials: string[];
  /**
   * What the composition root needs to wire this role to the others in the demo world (secrets
   * made once, never printed from here); the role's module says its type.
   */
  handover?: unknown;
}

export interface StartPageLink {
  href: string;
  text: string;
}

/** What the public start page says of a role this instance serves. */
export interface RoleStartPage {
  /** One sentence: who uses these pages, for what. */
  summary: string;
  /** Its main pages (sign-in needed). */
  pages: readonly StartPageLink[];
  /** Its documents for machines: service descriptions, schemas, public APIs. */
  documents?: readonly StartPageLink[];
  /** The demo world's sign-ins for its pages, by account name (shown on a local demo instance only). */
  demoAccounts?: readonly { username: string; what: string }[];
}

export interface RoleModule<S = unknown> {
  /** As on the command line: `edgate serve NAME`. */
  name: string;
  /** One line on what the role is. */
  title: string;
  /** The Postgres schema holding its tables. */
  schema: string;
  /** Forward-only, numbered; run in the role's schema, in name order. */
  migrations: Record<string, Migration>;
  accountRoles?: readonly AccountRoleDefinition[];
  /** Reads its settings; problems go into the reader, reported with everyone else's. */
  settings?(read: SettingsReader): S;
  /** Registered encapsulated: its hooks and opt-outs stay inside the role. */
  plugin?(app: FastifyInstance, context: RoleContext<S>): Promise<void>;
  commands?: readonly RoleCommand<S>[];
  /** Idempotent: seeds only what is not there yet. */
  seedDemo?(context: DemoContext<S>): Promise<DemoSeeded>;
  /** Its part of the public start page (`/`). */
  startPage?: RoleStartPage;
  /** Errors its commands throw whose message is already plain words for the operator. */
  plainErrors?: readonly (abstract new (...args: never[]) => Error)[];
}

/** Keeps a module's settings type attached to its plugin and commands. */
export function defineRole<S>(module: RoleModule<S>): RoleModule<S> {
  return module;
}
