/**
 * The DfE role's commands, `edgate dfe …`: OAuth clients and signing keys of the attendance API,
 * the schools register, and consents (with changes of supplier, dfe-admin-cli.ts).
 */
import { readFileSync } from 'node:fs';
import { operator, parseCommand, UsageError } from '../platform/cli/command.ts';
import type { CommandContext, RoleCommand } from '../platform/role.ts';
import { DFE_ADMIN_USAGE, dfeAdminCommand } from './dfe-admin-cli.ts';
import type { DfeSettings } from './dfe-settings.ts';

type DfeCommandContext = CommandContext<DfeSettings>;

export const DFE_COMMANDS: RoleCommand<DfeSettings>[] = [
  {
    name: 'dfe',
    usage: `  edgate dfe client add --name NAME [--scope S…] [--la CODE] [--no-consent]
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
${DFE_ADMIN_USAGE}`,
    run: (args, context) => dfeCommand(context, args),
  },
];

async function dfeCommand(context: DfeCommandContext, args: string[]): Promise<number> {
  const handled = await dfeAdminCommand(context, args);
  if (handled !== undefined) return handled;
  const [noun, verb, ...rest] = args;
  if (noun === 'client' && verb === 'add') {
    const { values } = parseCommand(rest, {
      name: { type: 'string' },
      scope: { type: 'string', multiple: true },
      la: { type: 'string' },
      'no-consent': { type: 'boolean' },
    });
    if (!values.name) throw new UsageError('edgate dfe client add needs --name');
    const { createClient, newClientProblem } = await import('./oauth/clients.ts');
    const client = {
      name: values.name,
      scopes: values.scope ?? ['attendance.submit'],
      laCode: values.la,
      requiresConsent: !values['no-consent'],
      by: operator(),
    };
    const problem = newClientProblem(client);
    if (problem) throw new UsageError(problem);
    const created = await context.withDatabase(({ db }) =>
      createClient(db, client as Parameters<typeof createClient>[1]),
    );
    console.log(`Created OAuth client "${values.name}" with scopes ${client.scopes.join(' ')}.`);
    console.log(`client_id: ${created.clientId}`);
    console.log(`client_secret (shown once, stored only as a hash): ${created.clientSecret}`);
    return 0;
  }
  if (noun === 'keys' && verb === 'rotate') {
    const { SigningKeys } = await import('./oauth/signing-keys.ts');
    const box = context.secretBox();
    const now = new Date();
    const { kid } = await context.withDatabase(({ db }) =>
      new SigningKeys(db, { lifetimeSeconds: context.settings.accessTokenLifetimeSeconds, box }).rotate(
        now,
        now,
        operator(),
      ),
    );
    console.log(`New signing key ${kid}; tokens signed by the previous key verify until they expire.`);
    return 0;
  }
  if (noun === 'schools' && (verb === 'import' || verb === 'generate')) {
    const { upsertSchools } = await import('./schools/school-store.ts');
    let schools;
    if (verb === 'import') {
      const { positionals } = parseCommand(rest, {});
      const file = positionals[0];
      if (!file) throw new UsageError('Usage: edgate dfe schools import FILE');
      const { readGiasCsv } = await import('./schools/gias-csv.ts');
      let bytes: Buffer;
      try {
        bytes = readFileSync(file);
      } catch (error) {
        throw new UsageError(`${file}: ${(error as Error).message}`);
      }
      schools = readGiasCsv(bytes, file);
    } else {
      const { values: options } = parseCommand(rest, { scale: { type: 'string' }, seed: { type: 'string' } });
      const scale = options.scale ?? 'demo';
      if (scale !== 'demo' && scale !== 'national') throw new UsageError('--scale must be demo or national');
      const seed = Number(options.seed ?? '1');
      if (!Number.isInteger(seed) || seed < 0) throw new UsageError('--seed must be a whole number');
      const { generateSchools } = await import('./schools/synthetic-schools.ts');
      schools = generateSchools({ scale, seed });
    }
    const counts = await context.withDatabase(({ db }) =>
      db.transaction().execute((trx) => upsertSchools(trx, schools)),
    );
    console.log(`Schools register: ${counts.added} added, ${counts.replaced} replaced.`);
    return 0;
  }
  if (noun === 'consent' && (verb === 'give' || verb === 'withdraw' || verb === 'list'))
    return consentCommand(context, verb, rest);
  throw new UsageError(
    'Usage: edgate dfe client add … | dfe keys rotate | dfe schools import FILE | dfe schools generate [--scale S] [--seed N] | dfe consent give|withdraw|list …',
  );
}

async function consentCommand(
  context: DfeCommandContext,
  verb: 'give' | 'withdraw' | 'list',
  args: string[],
): Promise<number> {
  const { values } = parseCommand(args, {
    client: { type: 'string' },
    urn: { type: 'string' },
    by: { type: 'string' },
    at: { type: 'string' },
  });
  const { parseUrn } = await import('../contracts/attendance/submission.ts');
  const { parseDateTime, parsePersonName, CLOCK_SKEW_MS } = await import('./consent/consent.ts');
  const store = await import('./consent/consent-store.ts');
  const { findClient } = await import('./oauth/clients.ts');
  const { schoolByUrn } = await import('./schools/school-store.ts');
  const urn = values.urn === undefined ? undefined : parseUrn(values.urn);
  if (values.urn !== undefined && urn === undefined)
    throw new UsageError(`--urn ${values.urn}: a URN is 6 digits`);
  return context.withDatabase(async ({ db }) => {
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
