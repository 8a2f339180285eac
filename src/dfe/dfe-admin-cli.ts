/**
 * `edgate dfe` commands for cutting an OAuth client off and deciding changes of supplier:
 *
 *   edgate dfe client disable|enable|rotate-secret --client C
 *   edgate dfe consent changes
 *   edgate dfe consent confirm-change|reject-change --urn URN [--client C] [--by NAME]
 *
 * `dfeAdminCommand` answers undefined for any other command.
 */
import { parseArgs } from 'node:util';
import type { CommandContext } from '../platform/role.ts';
import { operator } from '../platform/cli/command.ts';
import type { Database } from '../platform/db/database.ts';

export const DFE_ADMIN_USAGE = `  edgate dfe client disable --client C  refuse the client's tokens and secret at once, on every
                                       instance (C is its id or name)
  edgate dfe client enable --client C   let it obtain tokens again (tokens from before stay refused)
  edgate dfe client rotate-secret --client C
                                       a new secret, printed once; the old one and tokens obtained
                                       with it stop at once
  edgate dfe consent changes           changes of supplier waiting for a decision
  edgate dfe consent confirm-change --urn URN [--client C] [--by NAME]
                                       the school changes supplier: the current supplier's consent
                                       is removed and the new one's recorded (C when several wait)
  edgate dfe consent reject-change --urn URN [--client C] [--by NAME]
                                       the school keeps its current supplier`;

/** A plain-words refusal: printed, exit code 2. */
class Refusal extends Error {}

function options(args: string[]) {
  try {
    return parseArgs({
      args,
      options: { client: { type: 'string' }, urn: { type: 'string' }, by: { type: 'string' } },
      allowPositionals: false,
      strict: true,
    }).values;
  } catch (error) {
    throw new Refusal((error as Error).message);
  }
}

const administrator = (by: string | undefined) => by ?? `administrator (${process.env.USER ?? 'cli'})`;

/** Runs the command if it is one of these; undefined otherwise. */
export async function dfeAdminCommand(
  context: CommandContext<unknown>,
  args: string[],
): Promise<number | undefined> {
  const [noun, verb, ...rest] = args;
  const client = noun === 'client' && (verb === 'disable' || verb === 'enable' || verb === 'rotate-secret');
  const consent =
    noun === 'consent' && (verb === 'changes' || verb === 'confirm-change' || verb === 'reject-change');
  if (!client && !consent) return undefined;
  try {
    const values = options(rest);
    return await context.withDatabase(({ db }) =>
      client ? clientCommand(db, verb, values.client) : consentChangeCommand(db, verb, values),
    );
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    console.error(error.message);
    return 2;
  }
}

type Db = Database;

async function clientCommand(db: Db, verb: string, idOrName: string | undefined): Promise<number> {
  if (!idOrName) throw new Refusal(`edgate dfe client ${verb} needs --client (its id or name)`);
  const clients = await import('./oauth/clients.ts');
  const client = await clients.findClient(db, idOrName);
  if (!client) throw new Refusal(`No OAuth client with id or name "${idOrName}"`);
  if (verb === 'disable') {
    const disabled = await clients.disableClient(db, client.clientId, new Date(), operator());
    console.log(
      disabled
        ? `Disabled "${client.name}": its tokens are refused from its next request, on every instance.`
        : `"${client.name}" was already disabled.`,
    );
    return 0;
  }
  if (verb === 'enable') {
    const enabled = await clients.enableClient(db, client.clientId, operator());
    console.log(
      enabled
        ? `Enabled "${client.name}": it can obtain new tokens; tokens from before stay refused.`
        : `"${client.name}" was not disabled.`,
    );
    return 0;
  }
  const secret = await clients.rotateClientSecret(db, client.clientId, operator());
  if (secret === undefined) throw new Refusal(`No OAuth client with id or name "${idOrName}"`);
  console.log(`New secret for "${client.name}"; the old one, and tokens obtained with it, no longer work.`);
  console.log(`client_secret (shown once, stored only as a hash): ${secret}`);
  if (client.disabled) console.log('The client is still disabled: enable it to use the new secret.');
  return 0;
}

async function consentChangeCommand(
  db: Db,
  verb: string,
  values: { client?: string | undefined; urn?: string | undefined; by?: string | undefined },
): Promise<number> {
  const store = await import('./consent/consent-store.ts');
  if (verb === 'changes') {
    const changes = await store.pendingSupplierChanges(db);
    if (changes.length === 0) console.log('No change of supplier is waiting.');
    for (const c of changes)
      console.log(
        `${c.urn}  ${c.schoolName ?? ''}  from ${c.currentClientName ?? '(nobody)'} to ${c.clientName}` +
          `  (consent given by ${c.givenBy} at ${c.givenAt.toISOString()}, asked ${c.requestedAt.toISOString()})`,
      );
    return 0;
  }
  const { parseUrn } = await import('../contracts/attendance/submission.ts');
  const { parsePersonName } = await import('./consent/consent.ts');
  const urn = values.urn === undefined ? undefined : parseUrn(values.urn);
  if (urn === undefined) throw new Refusal(`edgate dfe consent ${verb} needs --urn, a URN of 6 digits`);
  const by = parsePersonName(administrator(values.by));
  if (by === undefined) throw new Refusal('--by must name a person (1 to 200 characters)');
  let clientId: string | undefined;
  if (values.client !== undefined) {
    const { findClient } = await import('./oauth/clients.ts');
    const client = await findClient(db, values.client);
    if (!client) throw new Refusal(`No OAuth client with id or name "${values.client}"`);
    clientId = client.clientId;
  }
  const decision = verb === 'confirm-change' ? 'confirm' : 'reject';
  const outcome = await store.decideSupplierChange(db, {
    urn,
    ...(clientId === undefined ? {} : { clientId }),
    decision,
    decidedBy: by,
    now: new Date(),
  });
  if (outcome.kind === 'none') throw new Refusal(`No change of supplier is waiting for URN ${urn}.`);
  if (outcome.kind === 'ambiguous')
    throw new Refusal(
      `Several suppliers wait to serve URN ${urn} (${outcome.changes.map((c) => c.clientName).join(', ')}): ` +
        'name one with --client.',
    );
  const change = outcome.change;
  console.log(
    decision === 'confirm'
      ? `Change of supplier confirmed: ${change.clientName} now sends the attendance of URN ${urn}` +
          (change.currentClientName ? `; ${change.currentClientName}'s consent is removed.` : '.')
      : `Change of supplier rejected: ${change.currentClientName ?? 'the current supplier'} keeps URN ${urn}.`,
  );
  return 0;
}
