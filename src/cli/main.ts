/**
 * The `edgate` command. Each subcommand reads the same configuration (environment variables)
 * as the server, so `edgate register import` and `edgate serve` always agree on the database.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError, loadConfig, ROLES, type Config, type Role } from '../platform/config.ts';
import { migrateToLatest } from '../platform/db/migrations.ts';
import { AccountError, ACCOUNT_ROLES, createAccount } from '../platform/auth/accounts.ts';
import { ImportError } from '../platform/files/import-problem.ts';
import {
  importRegisterFile,
  loadGeneratedRegister,
  type ImportFormat,
} from '../regulator/register/register-load.ts';
import { plannedRegisterSize } from '../contracts/childcare-extract/synthetic-register.ts';
import { DatabaseInUseError, openConfiguredDatabase } from './database.ts';
import { runExtracts, UnknownLocalAuthorityError } from '../regulator/extract/extract-runs.ts';
import { extractsOfDate, extractSummary, readyExtract } from '../regulator/extract/extract-store.ts';
import { localAuthorityByCode } from '../platform/reference.ts';
import { loadSecretBox } from '../platform/auth/secret-key.ts';
import {
  addCertificate,
  authorise,
  createGatewayAccount,
  GatewayAdminError,
  revoke,
} from '../regulator/gateway/gateway-store.ts';
import { isCalendarDate, londonDateOf } from '../platform/calendar.ts';
import {
  GATEWAY_ACCESS_SUBCOMMANDS,
  gatewayAccessCommand,
  USER_ACCESS_SUBCOMMANDS,
  userAccessCommand,
} from './access-commands.ts';
import { DFE_ADMIN_USAGE, dfeAdminCommand } from './dfe-admin.ts';

const USAGE = `edgate — statutory education data feeds

Usage:
  edgate start                         run every role with the demo world (what npm start does)
  edgate serve [ROLE…]                 run the given roles: ${ROLES.join(', ')} or all (default all)
  edgate serve ROLE… --workers N       as many server processes on one port (PostgreSQL only)
  edgate migrate                       bring the database schema up to date
  edgate user add --username U --name "Full Name" --role ROLE [--role ROLE…] [--la CODE]
                                       create a sign-in account; the password comes from
                                       EDGATE_PASSWORD or is generated and printed once.
                                       Roles: ${ACCOUNT_ROLES.join(', ')};
                                       an la-officer names its local authority with --la
  edgate user list                     every sign-in account, active or disabled
  edgate user disable|enable --username U
                                       stop (or allow again) an account signing in; disabling
                                       ends its sessions on every instance at once
  edgate register import FILE [--format xml|csv]
                                       load registrations from an extract document or the
                                       register CSV (docs/register-csv.md); all or nothing
  edgate register generate --scale demo|national [--seed N] [--today YYYY-MM-DD]
                                       load a deterministic synthetic register
  edgate extract run [--date YYYY-MM-DD] [--la CODE…]
                                       build the day's extracts now (default today, every
                                       LA); what is already built or being built elsewhere
                                       is left alone
  edgate extract list [--date YYYY-MM-DD]
                                       the extracts of a date, one line per LA
  edgate extract show LA [--date YYYY-MM-DD]
                                       one extract's details
  edgate extract export LA [--date YYYY-MM-DD] [--out FILE]
                                       write one extract's XML to FILE (default stdout)
  edgate gateway account add --username U (--la CODE | --agent "Organisation") [--no-certificate]
                                       an ISPP/FID account for an LA or an authorised agent;
                                       prints its password and FID API key once
  edgate gateway account list          every gateway account, active or disabled
  edgate gateway account disable|enable --username U
                                       refuse (or allow again) the account's SOAP and FID requests
  edgate gateway account rotate-password|rotate-api-key --username U
                                       a new password (or FID API key), printed once; the old
                                       one stops working at once
  edgate gateway certificate add --username U --file CERT.pem
                                       register the X.509 certificate the account signs with
  edgate gateway certificate list [--username U]
                                       registered certificates and their SHA-1 thumbprints
  edgate gateway certificate remove --username U [--thumbprint T]
                                       signatures made with it are refused at once (without
                                       --thumbprint: the account's only certificate)
  edgate gateway authorise --agent "Organisation" --la CODE [--from D] [--until D]
                                       an LA authorises an agent to collect its extract
  edgate gateway revoke --agent "Organisation" --la CODE
                                       end that authorisation now
  edgate dfe client add --name NAME [--scope S…] [--la CODE] [--no-consent]
                                       an OAuth client of the attendance API (a MIS supplier,
                                       or an LA with attendance.read.la); prints its secret once
  edgate dfe keys rotate               a new token-signing key (the old one keeps verifying)
  edgate dfe schools import FILE       load the GIAS establishment CSV (UTF-8 or Windows-1252);
                                       all or nothing, errors name the line
  edgate dfe schools generate [--scale demo|national] [--seed N]
                                       a deterministic synthetic schools register
  edgate dfe consent give --client C --urn URN --by NAME [--at DATETIME]
                                       record that a school consented to supplier C (id or
                                       name) sending its attendance; --at defaults to now
  edgate dfe consent withdraw --client C --urn URN --by NAME
                                       record that the school removed that consent
  edgate dfe consent list [--urn URN] [--client C]
                                       consents recorded, active or removed
${DFE_ADMIN_USAGE}

Configuration is read from environment variables: see README.md.`;

class UsageError extends Error {}

function parse<T extends ParseArgsConfig['options']>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

async function withDatabase<T>(
  config: Config,
  fn: (handle: Awaited<ReturnType<typeof openConfiguredDatabase>>) => Promise<T>,
): Promise<T> {
  const handle = await openConfiguredDatabase(config);
  try {
    return await fn(handle);
  } finally {
    await handle.close();
  }
}

function parseRoles(names: string[]): Role[] {
  if (names.length === 0 || names.includes('all')) return [...ROLES];
  const unknown = names.filter((name) => !(ROLES as readonly string[]).includes(name));
  if (unknown.length > 0)
    throw new UsageError(`Unknown role ${unknown.join(', ')}: choose from ${ROLES.join(', ')} or all`);
  return names as Role[];
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const config = loadConfig();

  switch (command) {
    case 'start': {
      // The web stack loads only for the commands that serve it, so the others start quickly.
      const { serve } = await import('./serve.ts');
      await serve(config, [...ROLES], { seedDemo: true });
      return -1; // keep running
    }
    case 'serve': {
      const { positionals, values } = parse(rest, { workers: { type: 'string' } });
      const roles = parseRoles(positionals);
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
      await serve(config, roles, { seedDemo: false });
      return -1;
    }
    case 'migrate': {
      const handle = await openConfiguredDatabase({ ...config, databasePoolSize: 1 }, { migrate: false });
      try {
        for (const report of await migrateToLatest(handle.db)) {
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
      const { values } = parse(args, {
        username: { type: 'string' },
        name: { type: 'string' },
        role: { type: 'string', multiple: true },
        la: { type: 'string' },
      });
      if (!values.username || !values.role?.length)
        throw new UsageError('edgate user add needs --username and at least one --role');
      const given = process.env.EDGATE_PASSWORD;
      const password = given ?? randomBytes(15).toString('base64url');
      const account = await withDatabase(config, ({ db }) =>
        createAccount(db, {
          username: values.username!,
          displayName: values.name ?? values.username!,
          password,
          roles: values.role!,
          laCode: values.la,
        }),
      );
      console.log(`Created account ${account.username} (${account.roles.join(', ')}).`);
      if (!given) console.log(`Password (shown once): ${password}`);
      return 0;
    }
    case 'register': {
      const [sub, ...args] = rest;
      if (sub === 'import') {
        const { values, positionals } = parse(args, { format: { type: 'string' } });
        if (positionals.length !== 1)
          throw new UsageError('Usage: edgate register import FILE [--format xml|csv]');
        if (values.format && values.format !== 'xml' && values.format !== 'csv') {
          throw new UsageError(`--format must be xml or csv, not ${values.format}`);
        }
        const result = await withDatabase(config, ({ db }) =>
          importRegisterFile(db, positionals[0]!, values.format as ImportFormat | undefined),
        );
        console.log(
          `${result.file}: ${result.records} registrations imported (${result.added} new, ${result.replaced} replaced).`,
        );
        return 0;
      }
      if (sub === 'generate') {
        const { values } = parse(args, {
          scale: { type: 'string' },
          seed: { type: 'string' },
          today: { type: 'string' },
        });
        const scale = values.scale ?? 'demo';
        if (scale !== 'demo' && scale !== 'national')
          throw new UsageError('--scale must be demo or national');
        const seed = Number(values.seed ?? '1');
        if (!Number.isInteger(seed) || seed < 0) throw new UsageError('--seed must be a whole number');
        const today = values.today ?? londonDateOf(new Date());
        if (!isCalendarDate(today)) throw new UsageError('--today must be a date YYYY-MM-DD');
        const options = { scale, seed, today } as const;
        const { total } = plannedRegisterSize(options);
        const started = performance.now();
        const counts = await withDatabase(config, ({ db }) =>
          loadGeneratedRegister(db, options, (written) => {
            if (process.stderr.isTTY)
              process.stderr.write(`\r${written.toLocaleString('en-GB')} / ${total.toLocaleString('en-GB')}`);
          }),
        );
        if (process.stderr.isTTY) process.stderr.write('\n');
        const seconds = (performance.now() - started) / 1000;
        console.log(
          `Generated ${scale} register (seed ${seed}, as of ${today}): ${counts.added} new, ${counts.replaced} replaced in ${seconds.toFixed(1)} s.`,
        );
        return 0;
      }
      throw new UsageError(
        'Usage: edgate register import FILE | edgate register generate --scale demo|national',
      );
    }
    case 'extract':
      return extractCommand(config, rest);
    case 'gateway':
      return gatewayCommand(config, rest);
    case 'dfe':
      return dfeCommand(config, rest);
    default:
      throw new UsageError(`Unknown command "${command}". Run edgate help.`);
  }
}

async function dfeCommand(config: Config, args: string[]): Promise<number> {
  const handled = await dfeAdminCommand(config, args);
  if (handled !== undefined) return handled;
  const [noun, verb, ...rest] = args;
  if (noun === 'client' && verb === 'add') {
    const { values } = parse(rest, {
      name: { type: 'string' },
      scope: { type: 'string', multiple: true },
      la: { type: 'string' },
      'no-consent': { type: 'boolean' },
    });
    if (!values.name) throw new UsageError('edgate dfe client add needs --name');
    const { createClient, newClientProblem } = await import('../dfe/oauth/clients.ts');
    const client = {
      name: values.name,
      scopes: values.scope ?? ['attendance.submit'],
      laCode: values.la,
      requiresConsent: !values['no-consent'],
    };
    const problem = newClientProblem(client);
    if (problem) throw new UsageError(problem);
    const created = await withDatabase(config, ({ db }) =>
      createClient(db, client as Parameters<typeof createClient>[1]),
    );
    console.log(`Created OAuth client "${values.name}" with scopes ${client.scopes.join(' ')}.`);
    console.log(`client_id: ${created.clientId}`);
    console.log(`client_secret (shown once, stored only as a hash): ${created.clientSecret}`);
    return 0;
  }
  if (noun === 'keys' && verb === 'rotate') {
    const { SigningKeys } = await import('../dfe/oauth/signing-keys.ts');
    const box = loadSecretBox({ key: config.gatewaySecretKey, dataDir: config.dataDir });
    const { kid } = await withDatabase(config, ({ db }) =>
      new SigningKeys(db, { lifetimeSeconds: config.accessTokenLifetimeSeconds, box }).rotate(new Date()),
    );
    console.log(`New signing key ${kid}; tokens signed by the previous key verify until they expire.`);
    return 0;
  }
  if (noun === 'schools' && (verb === 'import' || verb === 'generate')) {
    const { upsertSchools } = await import('../dfe/schools/school-store.ts');
    let schools;
    if (verb === 'import') {
      const { positionals } = parse(rest, {});
      const file = positionals[0];
      if (!file) throw new UsageError('Usage: edgate dfe schools import FILE');
      const { readGiasCsv } = await import('../dfe/schools/gias-csv.ts');
      let bytes: Buffer;
      try {
        bytes = readFileSync(file);
      } catch (error) {
        throw new UsageError(`${file}: ${(error as Error).message}`);
      }
      schools = readGiasCsv(bytes, file);
    } else {
      const { values: options } = parse(rest, { scale: { type: 'string' }, seed: { type: 'string' } });
      const scale = options.scale ?? 'demo';
      if (scale !== 'demo' && scale !== 'national') throw new UsageError('--scale must be demo or national');
      const seed = Number(options.seed ?? '1');
      if (!Number.isInteger(seed) || seed < 0) throw new UsageError('--seed must be a whole number');
      const { generateSchools } = await import('../dfe/schools/synthetic-schools.ts');
      schools = generateSchools({ scale, seed });
    }
    const counts = await withDatabase(config, ({ db }) =>
      db.transaction().execute((trx) => upsertSchools(trx, schools)),
    );
    console.log(`Schools register: ${counts.added} added, ${counts.replaced} replaced.`);
    return 0;
  }
  if (noun === 'consent' && (verb === 'give' || verb === 'withdraw' || verb === 'list'))
    return consentCommand(config, verb, rest);
  throw new UsageError(
    'Usage: edgate dfe client add … | dfe keys rotate | dfe schools import FILE | dfe schools generate [--scale S] [--seed N] | dfe consent give|withdraw|list …',
  );
}

async function consentCommand(
  config: Config,
  verb: 'give' | 'withdraw' | 'list',
  args: string[],
): Promise<number> {
  const { values } = parse(args, {
    client: { type: 'string' },
    urn: { type: 'string' },
    by: { type: 'string' },
    at: { type: 'string' },
  });
  const { parseUrn } = await import('../contracts/attendance/submission.ts');
  const { parseDateTime, parsePersonName, CLOCK_SKEW_MS } = await import('../dfe/consent/consent.ts');
  const store = await import('../dfe/consent/consent-store.ts');
  const { findClient } = await import('../dfe/oauth/clients.ts');
  const { schoolByUrn } = await import('../dfe/schools/school-store.ts');
  const urn = values.urn === undefined ? undefined : parseUrn(values.urn);
  if (values.urn !== undefined && urn === undefined)
    throw new UsageError(`--urn ${values.urn}: a URN is 6 digits`);
  return withDatabase(config, async ({ db }) => {
    const client = values.client === undefined ? undefined : await findClient(db, values.client);
    if (values.client !== undefined && !client)
      throw new UsageError(`No OAuth client with id or name "${values.client}"`);
    if (verb === 'list') {
      const consents = await store.listConsents(db, { urn, clientId: client?.clientId });
      if (consents.length === 0) console.log('No consents recorded.');
      for (const c of consents)
        console.log(
          `${c.urn}  ${c.clientName}  given by ${c.givenBy} at ${c.givenAt.toISOString()}` +
            (c.withdrawnAt
              ? `  — removed by ${c.withdrawnBy ?? '?'} at ${c.withdrawnAt.toISOString()}`
              : '  (active)'),
        );
      return 0;
    }
    if (!client || urn === undefined || values.by === undefined)
      throw new UsageError(`edgate dfe consent ${verb} needs --client, --urn and --by`);
    const person = parsePersonName(values.by);
    if (person === undefined) throw new UsageError('--by must name a person (1 to 200 characters)');
    if (!(await schoolByUrn(db, urn))) throw new UsageError(`URN ${urn} is not in the schools register`);
    const now = new Date();
    const recording = {
      clientId: client.clientId,
      urn,
      recordedBy: `administrator (${process.env.USER ?? 'cli'})`,
      now,
    };
    if (verb === 'give') {
      const givenAt = values.at === undefined ? now : parseDateTime(values.at);
      if (givenAt === undefined)
        throw new UsageError('--at must be a date and time with a zone, such as 2026-11-20T09:15:00Z');
      if (givenAt.getTime() > now.getTime() + CLOCK_SKEW_MS) throw new UsageError('--at is in the future');
      const outcome = await store.requestConsent(db, recording, { givenBy: person, givenAt });
      if (outcome.kind === 'pending-change') {
        console.error(
          `Another supplier holds the consent of URN ${urn}: recorded as a change of supplier to ${client.name}, ` +
            `waiting for edgate dfe consent confirm-change --urn ${urn}.`,
        );
        return 1;
      }
      console.log(`Consent recorded: ${client.name} may send the attendance of URN ${urn}.`);
      return 0;
    }
    const withdrawn = await store.withdrawConsent(db, recording, person);
    if (!withdrawn) {
      console.error(`${client.name} holds no active consent of URN ${urn}.`);
      return 1;
    }
    console.log(`Consent removed: ${client.name} may no longer send the attendance of URN ${urn}.`);
    return 0;
  });
}

async function gatewayCommand(config: Config, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const words = sub === 'account' || sub === 'certificate' ? [sub, rest.shift()].join(' ') : sub;
  if (words && GATEWAY_ACCESS_SUBCOMMANDS.includes(words)) return gatewayAccessCommand(config, words, rest);
  const { values } = parse(rest, {
    username: { type: 'string' },
    la: { type: 'string' },
    agent: { type: 'string' },
    'no-certificate': { type: 'boolean' },
    file: { type: 'string' },
    from: { type: 'string' },
    until: { type: 'string' },
  });
  const by = process.env.USER ?? 'edgate-cli';
  switch (words) {
    case 'account add': {
      if (!values.username) throw new UsageError('edgate gateway account add needs --username');
      const box = loadSecretBox({ key: config.gatewaySecretKey, dataDir: config.dataDir });
      const created = await withDatabase(config, ({ db }) =>
        createGatewayAccount(db, box, {
          username: values.username!,
          laCode: values.la,
          agent: values.agent,
          requireCertificate: !values['no-certificate'],
        }),
      );
      console.log(
        `Created gateway account ${created.username} for ${created.kind === 'la' ? `local authority ${created.laCode}` : `agent ${created.organisation}`}.`,
      );
      console.log(`Password (shown once): ${created.password}`);
      console.log(`FID API key (shown once): ${created.apiKey}`);
      return 0;
    }
    case 'certificate add': {
      if (!values.username || !values.file)
        throw new UsageError('edgate gateway certificate add needs --username and --file');
      let pem: string;
      try {
        pem = readFileSync(values.file, 'utf8');
      } catch (error) {
        throw new UsageError(`${values.file}: ${(error as Error).message}`);
      }
      const added = await withDatabase(config, ({ db }) => addCertificate(db, values.username!, pem));
      console.log(
        `Registered certificate ${added.subject} (SHA-1 ${added.thumbprintSha1}, valid to ${added.notAfter.toISOString().slice(0, 10)}).`,
      );
      return 0;
    }
    case 'authorise': {
      if (!values.agent || !values.la)
        throw new UsageError('edgate gateway authorise needs --agent and --la');
      const validFrom = dateOption(values.from);
      const id = await withDatabase(config, ({ db }) =>
        authorise(db, {
          organisation: values.agent!,
          laCode: values.la!,
          validFrom,
          validUntil: values.until,
          by,
        }),
      );
      console.log(
        `Authorisation ${id}: ${values.agent} may collect local authority ${values.la}'s extract from ${validFrom}${values.until ? ` to ${values.until}` : ' until revoked'}.`,
      );
      return 0;
    }
    case 'revoke': {
      if (!values.agent || !values.la) throw new UsageError('edgate gateway revoke needs --agent and --la');
      const count = await withDatabase(config, ({ db }) =>
        revoke(db, { organisation: values.agent!, laCode: values.la!, by }),
      );
      console.log(
        count > 0
          ? `Revoked ${count} authorisation(s).`
          : `No current authorisation of ${values.agent} by ${values.la}.`,
      );
      return count > 0 ? 0 : 1;
    }
    default:
      throw new UsageError(
        'Usage: edgate gateway account add|list|disable|enable|rotate-password|rotate-api-key | certificate add|list|remove | authorise | revoke',
      );
  }
}

function dateOption(value: string | undefined): string {
  const date = value ?? londonDateOf(new Date());
  if (!isCalendarDate(date)) throw new UsageError(`--date must be a date YYYY-MM-DD, not ${date}`);
  return date;
}

async function extractCommand(config: Config, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parse(rest, {
    date: { type: 'string' },
    la: { type: 'string', multiple: true },
    out: { type: 'string' },
  });
  const date = dateOption(values.date);
  switch (sub) {
    case 'run': {
      const started = performance.now();
      const summary = await withDatabase(config, ({ db }) =>
        runExtracts(db, {
          extractDate: date,
          laCodes: values.la,
          leaseSeconds: config.extractLeaseSeconds,
          onProgress: (outcome, done, total) => {
            if (process.stderr.isTTY) {
              const width = 30;
              const filled = Math.round((done / total) * width);
              process.stderr.write(
                `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${outcome.laCode}`,
              );
            } else if (outcome.outcome === 'failed') {
              console.error(`${outcome.laCode}: failed: ${outcome.error}`);
            }
          },
        }),
      );
      if (process.stderr.isTTY) process.stderr.write('\n');
      const records = summary.outcomes.reduce(
        (sum, o) => sum + (o.outcome === 'built' ? o.recordCount : 0),
        0,
      );
      const bytes = summary.outcomes.reduce((sum, o) => sum + (o.outcome === 'built' ? o.sizeBytes : 0), 0);
      console.log(
        `Extracts for ${date}: ${summary.built} built (${records} registrations, ${(bytes / 1e6).toFixed(1)} MB), ` +
          `${summary.skipped} already done or in hand elsewhere, ${summary.failed} failed, in ${((performance.now() - started) / 1000).toFixed(1)} s.`,
      );
      for (const o of summary.outcomes)
        if (o.outcome === 'failed') console.error(`  ${o.laCode}: ${o.error}`);
      return summary.failed > 0 ? 1 : 0;
    }
    case 'list': {
      const extracts = await withDatabase(config, ({ db }) => extractsOfDate(db, date));
      if (extracts.length === 0) console.log(`No extracts for ${date}.`);
      for (const e of extracts) {
        const la = localAuthorityByCode(e.laCode)?.name ?? '';
        const detail =
          e.status === 'ready'
            ? `${e.recordCount} registrations, ${e.sizeBytes} bytes, ${e.buildMs} ms`
            : (e.error ?? e.claimedBy);
        console.log(`${e.laCode}  ${e.status.padEnd(8)}  ${la.padEnd(32)}  ${detail}`);
      }
      return 0;
    }
    case 'show':
    case 'export': {
      const la = positionals[0];
      if (!la || !/^\d{3}$/.test(la))
        throw new UsageError(`Usage: edgate extract ${sub} LA [--date YYYY-MM-DD]`);
      if (sub === 'show') {
        const summary = await withDatabase(config, ({ db }) => extractSummary(db, la, date));
        if (!summary) {
          console.error(`No extract for ${la} on ${date}.`);
          return 1;
        }
        for (const [key, value] of Object.entries(summary))
          console.log(`${key.padEnd(16)} ${value instanceof Date ? value.toISOString() : String(value)}`);
        return 0;
      }
      const stored = await withDatabase(config, ({ db }) => readyExtract(db, la, date));
      if (!stored) {
        console.error(`No ready extract for ${la} on ${date}.`);
        return 1;
      }
      const xml = gunzipSync(stored.content);
      if (values.out) {
        writeFileSync(values.out, xml);
        console.log(`Wrote ${xml.length} bytes (${stored.recordCount} registrations) to ${values.out}.`);
      } else {
        process.stdout.write(xml);
      }
      return 0;
    }
    default:
      throw new UsageError('Usage: edgate extract run|list|show|export');
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    if (
      error instanceof ConfigError ||
      error instanceof UsageError ||
      error instanceof AccountError ||
      error instanceof UnknownLocalAuthorityError ||
      error instanceof GatewayAdminError
    ) {
      console.error(error.message);
      process.exit(2);
    }
    if (error instanceof DatabaseInUseError) {
      console.error(error.message);
      process.exit(1);
    }
    if (error instanceof ImportError) {
      console.error(
        `Import refused, nothing was changed. ${error.problems.length} problem(s):\n${error.message}`,
      );
      process.exit(1);
    }
    console.error(error);
    process.exit(1);
  },
);
