/**
 * `edgate la webhook set|show|remove --la CODE`: the LA's webhook from the command line. A secret
 * is read from a file or a variable (never the command line), or made and printed this once.
 */
import { localAuthorityByCode } from '../../platform/reference.ts';
import { operator, parseCommand, UsageError } from '../../platform/cli/command.ts';
import type { CommandContext } from '../../platform/role.ts';
import type { LaSettings } from '../la-settings.ts';
import { secretOption } from '../cli-secret.ts';
import { findWebhook, recentDeliveries, removeWebhook, setWebhook } from './webhook-store.ts';
import { deliverDue } from './webhook-sender.ts';

export const WEBHOOK_USAGE = `  edgate la webhook set --la CODE --url URL [--secret-file F|--secret-env VAR] [--new-secret]
                                       post a signed message after each collection of the LA;
                                       without a secret one is made and printed once
  edgate la webhook show|remove --la CODE
                                       the webhook and its latest deliveries, or stop it`;

export async function webhookCommand(args: string[], context: CommandContext<LaSettings>): Promise<number> {
  const [sub, ...rest] = args;
  const { values } = parseCommand(rest, {
    la: { type: 'string' },
    url: { type: 'string' },
    'secret-file': { type: 'string' },
    'secret-env': { type: 'string' },
    'new-secret': { type: 'boolean' },
  });
  const laCode = values.la;
  if (!laCode || !['set', 'show', 'remove'].includes(sub ?? ''))
    throw new UsageError('Usage: edgate la webhook set|show|remove --la CODE …');
  if (!localAuthorityByCode(laCode))
    throw new UsageError(`${laCode} is not the 3-digit code of a local authority.`);
  switch (sub) {
    case 'set': {
      if (!values.url) throw new UsageError('edgate la webhook set needs --url');
      const secret = secretOption(values, 'secret');
      const box = context.secretBox();
      const made = await context.withDatabase(({ db }) =>
        setWebhook(db, box, {
          laCode,
          url: values.url!,
          ...(secret ? { secret } : {}),
          keepSecret: !values['new-secret'],
          by: operator(),
          now: new Date(),
        }),
      );
      console.log(`LA ${laCode}'s collections are posted to ${values.url}, signed.`);
      if (made.secret) console.log(`Signing secret (shown this once; it is stored sealed): ${made.secret}`);
      return 0;
    }
    case 'show': {
      const [webhook, deliveries] = await context.withDatabase(
        async ({ db }) => [await findWebhook(db, laCode), await recentDeliveries(db, laCode, 10)] as const,
      );
      if (!webhook) console.log(`LA ${laCode} has no webhook.`);
      else
        console.log(
          `${webhook.url}\tset by ${webhook.changedBy} at ${webhook.changedAt.toISOString()}\tsecret: set, never shown`,
        );
      for (const d of deliveries) {
        const last = d.attempts.at(-1);
        console.log(
          [
            d.createdAt.toISOString(),
            d.outcome,
            d.state,
            `${d.attempts.length} tries`,
            last ? (last.error ?? `HTTP ${last.httpStatus}`) : '',
          ].join('\t'),
        );
      }
      return 0;
    }
    default: {
      const removed = await context.withDatabase(({ db }) => removeWebhook(db, laCode));
      console.log(
        removed ? `LA ${laCode}'s webhook removed; nothing more is sent.` : `LA ${laCode} had no webhook.`,
      );
      return 0;
    }
  }
}

/** After a collection from the CLI: one pass over what is due, each receiver given a few seconds. */
export async function deliverAfterCommand(
  context: CommandContext<LaSettings>,
  db: Parameters<typeof deliverDue>[0],
): Promise<void> {
  await deliverDue(db, {
    secretBox: context.secretBox(),
    now: () => new Date(),
    ...(context.settings.webhookCa ? { ca: context.settings.webhookCa } : {}),
    timeoutMs: 5_000,
  });
}
