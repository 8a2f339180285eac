/**
 * The webhook's page, for an LA officer (their own LA) or an admin: where the LA's collection
 * events go, set or changed (a made secret is shown once, on the answer to the form, and stored
 * only sealed) or removed, and the latest deliveries with every try.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { EdgateDatabase } from '../../platform/db/schema.ts';
import type { SecretBox } from '../../platform/auth/secret-box.ts';
import { localAuthorityByCode } from '../../platform/reference.ts';
import { mayAct } from '../directory/directory-pages.ts';
import { OUTCOME_PLAIN_WORDS, type CollectionOutcome } from './collection-event.ts';
import { londonTime } from '../collection/collection-pages.ts';
import {
  findWebhook,
  makeDueNow,
  recentDeliveries,
  removeWebhook,
  setWebhook,
  WebhookError,
  webhookUrlProblem,
} from './webhook-store.ts';

type Db = Kysely<EdgateDatabase>;
const VIEW = 'la/webhook/views/webhook.njk';

const STATE_WORDS = {
  pending: 'Waiting to be sent',
  delivered: 'Delivered',
  'gave-up': 'Not delivered: every try failed',
  cancelled: 'Not sent: the webhook was removed',
} as const;

export async function webhookPages(
  app: FastifyInstance,
  options: { db: Db; box: SecretBox; now: () => Date; kick: () => void },
): Promise<void> {
  const { db, box, now } = options;

  const laOf = (request: FastifyRequest, reply: FastifyReply): string | undefined => {
    const code = (request.params as { code?: string }).code ?? '';
    if (/^\d{3}$/.test(code) && mayAct(request.session!.account, code)) return code;
    reply.code(404);
    void reply.view('message.njk', {
      pageTitle: 'Page not found',
      paragraphs: ['There is no such page for your local authority.'],
    });
    return undefined;
  };

  async function page(
    reply: FastifyReply,
    laCode: string,
    extra: { errors?: string[]; values?: Record<string, unknown>; secretShown?: string; saved?: string } = {},
  ) {
    const [webhook, deliveries] = await Promise.all([findWebhook(db, laCode), recentDeliveries(db, laCode)]);
    const la = localAuthorityByCode(laCode);
    return reply.view(VIEW, {
      pageTitle: 'Webhook after each collection',
      laCode,
      laTitle: `${la?.name ?? 'LA'} (${laCode})`,
      webhook: webhook && { ...webhook, changedAtText: londonTime(webhook.changedAt) },
      deliveries: deliveries.map((d) => ({
        ...d,
        createdAtText: londonTime(d.createdAt),
        outcomeWords: OUTCOME_PLAIN_WORDS[d.outcome as CollectionOutcome] ?? d.outcome,
        stateWords:
          d.state === 'pending' && d.attempts.length > 0
            ? `Failed; tried again after ${londonTime(d.nextAttemptAt)}`
            : STATE_WORDS[d.state],
        attempts: d.attempts.map((a) => ({
          ...a,
          when: londonTime(a.startedAt),
          words: a.error ?? `Delivered (HTTP ${a.httpStatus})`,
        })),
      })),
      errors: extra.errors ?? [],
      values: extra.values ?? { url: webhook?.url ?? '' },
      secretShown: extra.secretShown,
      saved: extra.saved,
    });
  }

  await app.register(
    async (scope) => {
      const allowed = scope.requireRole('la-officer', 'admin');

      scope.get('/:code/webhook', { preHandler: allowed }, async (request, reply) => {
        const laCode = laOf(request, reply);
        if (!laCode) return reply;
        const removed = (request.query as { removed?: string }).removed === '1';
        return page(reply, laCode, removed ? { saved: 'The webhook was removed.' } : {});
      });

      scope.post('/:code/webhook', { preHandler: allowed }, async (request, reply) => {
        const laCode = laOf(request, reply);
        if (!laCode) return reply;
        const body = (request.body ?? {}) as Record<string, string | undefined>;
        const url = (body.url ?? '').trim();
        const secret = (body.secret ?? '').trim();
        const existing = await findWebhook(db, laCode);
        const errors = [webhookUrlProblem(url)].filter((e): e is string => e !== undefined);
        if (secret !== '' && secret.length < 24)
          errors.push('The secret must be at least 24 characters long.');
        if (errors.length === 0) {
          try {
            const made = await setWebhook(db, box, {
              laCode,
              url,
              ...(secret ? { secret } : {}),
              keepSecret: body.newSecret !== 'yes',
              by: request.session!.account.username,
              now: now(),
            });
            return page(reply, laCode, {
              saved: existing ? 'The webhook was changed.' : 'The webhook was set.',
              ...(made.secret ? { secretShown: made.secret } : {}),
            });
          } catch (error) {
            if (!(error instanceof WebhookError)) throw error;
            errors.push(error.message);
          }
        }
        reply.code(400);
        return page(reply, laCode, { errors, values: { url } });
      });

      scope.post('/:code/webhook/remove', { preHandler: allowed }, async (request, reply) => {
        const laCode = laOf(request, reply);
        if (!laCode) return reply;
        await removeWebhook(db, laCode);
        return reply.redirect(`/la/${laCode}/webhook?removed=1`, 303);
      });

      scope.post('/:code/webhook/send', { preHandler: allowed }, async (request, reply) => {
        const laCode = laOf(request, reply);
        if (!laCode) return reply;
        await makeDueNow(db, laCode, now());
        options.kick();
        return reply.redirect(`/la/${laCode}/webhook`, 303);
      });
    },
    { prefix: '/la' },
  );
}
