/**
 * `edgate school sync|reconcile|receiver …`: the sync by hand, reconciliation, and where the
 * school role sends.
 */
import { operator, parseCommand, UsageError } from '../../platform/cli/command.ts';
import type { CommandContext } from '../../platform/role.ts';
import { parseUrn } from '../../contracts/attendance/submission.ts';
import { databaseSource } from './attendance-source.ts';
import { consentingUrns } from './consent-store.ts';
import { describeDifference, reconcileSchool, shortDate } from './reconcile.ts';
import { loadReceiverSettings, ReceiverSettingsError, saveReceiverSettings } from './receiver-settings.ts';
import { runSchoolSync } from './sync-runner.ts';
import type { SchoolSyncSettings } from './sync-settings.ts';

const SYNC_USAGE = `  edgate school sync [--urn U …]      send every consenting school's window now (today and
                                       the previous 7 school days), a line per school`;
const RECONCILE_USAGE = `  edgate school reconcile [--urn U …] [--resend]
                                       what the DfE last accepted against the registers now,
                                       per date; --resend sends the schools that differ`;
const RECEIVER_USAGE = `  edgate school receiver set --base-url URL --token-url URL --client-id ID --scope S
                             [--app-id A] [--header "Name: value" …]
                                       where to send; the client secret is read from
                                       SCHOOL_RECEIVER_CLIENT_SECRET (sealed at rest)
  edgate school receiver show          the receiver settings, without secrets`;

/** The sync's subcommands of `edgate school`, beside the school data's (school-cli.ts). */
export const SCHOOL_SYNC_SUBCOMMANDS: Record<
  string,
  { usage: string; run(args: string[], context: CommandContext<SchoolSyncSettings>): Promise<number> }
> = {
  sync: { usage: SYNC_USAGE, run: (args, context) => schoolSyncCommand(context, ['sync', ...args]) },
  reconcile: {
    usage: RECONCILE_USAGE,
    run: (args, context) => schoolSyncCommand(context, ['reconcile', ...args]),
  },
  receiver: {
    usage: RECEIVER_USAGE,
    run: (args, context) => schoolSyncCommand(context, ['receiver', ...args]),
  },
};

type Context = CommandContext<SchoolSyncSettings>;

function urnsOf(values: string[] | undefined): number[] | undefined {
  if (!values) return undefined;
  return values.map((value) => {
    const urn = parseUrn(value);
    if (urn === undefined) throw new UsageError(`--urn must be a school's 6-digit URN, not ${value}`);
    return urn;
  });
}

export async function schoolSyncCommand(context: Context, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'sync') {
    const { values } = parseCommand(rest, { urn: { type: 'string', multiple: true } });
    const urns = urnsOf(values.urn);
    return context.withDatabase(async ({ db }) => {
      if (urns) {
        const consenting = await consentingUrns(db);
        const without = urns.filter((urn) => !consenting.includes(urn));
        if (without.length)
          throw new UsageError(`No consent from ${without.join(', ')}: nothing is sent for them.`);
      }
      const results = await runSchoolSync(db, context.secretBox(), context.settings, {
        now: new Date(),
        ...(urns ? { urns } : {}),
        progress: (line, done, total) => console.log(`[${done}/${total}] ${line}`),
      });
      const failed = results.filter(
        (r) =>
          r.note?.startsWith('Not sent') ||
          r.sends.some((s) => s.state === 'failed' || s.state === 'refused'),
      );
      console.log(`${results.length} schools, ${failed.length} with a failed send.`);
      return failed.length > 0 ? 1 : 0;
    });
  }
  if (sub === 'reconcile') {
    const { values } = parseCommand(rest, {
      urn: { type: 'string', multiple: true },
      resend: { type: 'boolean' },
    });
    const urns = urnsOf(values.urn);
    return context.withDatabase(async ({ db }) => {
      const source = databaseSource(db);
      const schools = urns ?? (await consentingUrns(db));
      const differing: number[] = [];
      for (const urn of schools) {
        const result = await reconcileSchool(db, source, urn, new Date());
        if (result.matches) {
          console.log(`${urn}: no differences over ${result.dates.length} school days`);
          continue;
        }
        differing.push(urn);
        console.log(`${urn}: differences`);
        for (const date of result.dates.filter((d) => d.differences.length > 0)) {
          console.log(`  ${shortDate(date.date)}${date.acceptedAt ? '' : ' (never received)'}`);
          for (const difference of date.differences) console.log(`    ${describeDifference(difference)}`);
        }
      }
      if (differing.length && values.resend) {
        const consenting = await consentingUrns(db);
        const results = await runSchoolSync(db, context.secretBox(), context.settings, {
          now: new Date(),
          urns: differing.filter((urn) => consenting.includes(urn)),
          progress: (line) => console.log(`resent ${line}`),
        });
        return results.every((r) => r.sends.every((s) => s.state.startsWith('accepted'))) ? 0 : 1;
      }
      if (differing.length)
        console.log(
          `${differing.length} schools differ: \`edgate school reconcile --resend\` sends them now.`,
        );
      return differing.length > 0 ? 1 : 0;
    });
  }
  if (sub === 'receiver') {
    const [action, ...options] = rest;
    if (action === 'show') {
      return context.withDatabase(async ({ db }) => {
        const saved = await loadReceiverSettings(db, context.secretBox());
        if (!saved) {
          console.log('No receiver is set up.');
          return 1;
        }
        console.log(`base URL    ${saved.baseUrl}`);
        console.log(`token URL   ${saved.tokenUrl}`);
        console.log(`client id   ${saved.clientId}`);
        console.log(`scope       ${saved.scope}`);
        console.log(`app id      ${saved.appId ?? '(none)'}`);
        console.log(`headers     ${Object.keys(saved.extraHeaders).join(', ') || '(none)'} (values sealed)`);
        return 0;
      });
    }
    if (action === 'set') {
      const { values } = parseCommand(options, {
        'base-url': { type: 'string' },
        'token-url': { type: 'string' },
        'client-id': { type: 'string' },
        scope: { type: 'string' },
        'app-id': { type: 'string' },
        header: { type: 'string', multiple: true },
      });
      for (const name of ['base-url', 'token-url', 'client-id', 'scope'] as const)
        if (!values[name]) throw new UsageError(`--${name} is required`);
      const secret = process.env.SCHOOL_RECEIVER_CLIENT_SECRET;
      if (!secret)
        throw new UsageError(
          'Set SCHOOL_RECEIVER_CLIENT_SECRET to the client secret (it is not taken on the command line).',
        );
      const extraHeaders: Record<string, string> = {};
      for (const header of values.header ?? []) {
        const colon = header.indexOf(':');
        if (colon < 1) throw new UsageError(`--header must be "Name: value", not ${header}`);
        extraHeaders[header.slice(0, colon).trim()] = header.slice(colon + 1).trim();
      }
      return context.withDatabase(async ({ db }) => {
        try {
          await saveReceiverSettings(
            db,
            context.secretBox(),
            {
              baseUrl: values['base-url']!,
              tokenUrl: values['token-url']!,
              clientId: values['client-id']!,
              clientSecret: secret,
              scope: values.scope!,
              extraHeaders,
              ...(values['app-id'] ? { appId: values['app-id'] } : {}),
            },
            operator(),
          );
        } catch (error) {
          if (error instanceof ReceiverSettingsError) throw new UsageError(error.message);
          throw error;
        }
        console.log('Receiver saved. The next sync uses it.');
        return 0;
      });
    }
  }
  throw new UsageError(
    `Usage:\n${sub === 'receiver' ? RECEIVER_USAGE : [SYNC_USAGE, RECONCILE_USAGE, RECEIVER_USAGE].join('\n')}`,
  );
}
