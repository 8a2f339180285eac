/**
 * The collection pages, for an LA officer (their own LA only) and an admin (every LA): the
 * staleness banner, sources (add with check-your-answers, disable, enable), recent attempts with
 * their outcome in plain words, and snapshots (invalid or held ones with their reason; download).
 *
 * A new source is stored disabled, secrets sealed, before its check-your-answers page, so the
 * password never travels back to the browser; confirming enables it, cancelling deletes it.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { EdgateDatabase } from '../../platform/db/schema.ts';
import type { SecretBox } from '../../platform/auth/secret-box.ts';
import { localAuthorityByCode } from '../../platform/reference.ts';
import {
  addSource,
  listSources,
  setSourceEnabled,
  SourceError,
  sourceProblems,
  sourceSummary,
  type NewSource,
} from './sources.ts';
import { latestSnapshots, readSnapshotDocument } from './snapshot-store.ts';
import { collectionStaleness, type Staleness } from './staleness.ts';
import { OUTCOME_WORDS, SNAPSHOT_STATE_WORDS } from './outcome-words.ts';
import { formatLondonTime } from '../../platform/web/london-time.ts';

type Db = Kysely<EdgateDatabase>;
const VIEWS = 'la/collection/views';

/** A time on the collection pages, in London: "7am on 6 November 2026". */
export function londonTime(value: Date | string | null): string {
  return value === null ? '' : formatLondonTime(new Date(value));
}

/** Which LA the page is about: an officer's own, whatever the address asks; an admin's choice, or every LA. */
function laScope(request: FastifyRequest): { officer: boolean; laCode: string | undefined } {
  const account = request.session!.account;
  if (!account.roles.includes('admin')) return { officer: true, laCode: account.laCode ?? '---' };
  const asked = (request.query as Record<string, string | undefined>).la;
  return { officer: false, laCode: asked && /^\d{3}$/.test(asked) ? asked : undefined };
}

/** The banner's words for stale LAs, for any LA page (part 2's included: see the README). */
export function staleBanner(stale: readonly Staleness[]): string | undefined {
  const late = stale.filter((s) => s.stale);
  if (late.length === 0) return undefined;
  const words = late
    .slice(0, 5)
    .map((s) =>
      s.lastNewAt === null
        ? `${localAuthorityByCode(s.laCode)?.name ?? s.laCode} (${s.laCode}) has never had an extract collected`
        : `${localAuthorityByCode(s.laCode)?.name ?? s.laCode} (${s.laCode}) has had no new extract since ${londonTime(s.lastNewAt)}`,
    );
  return `${words.join('; ')}${late.length > 5 ? `; and ${late.length - 5} more local authorities` : ''}. Check the collection attempts below.`;
}

export async function collectionPages(
  app: FastifyInstance,
  options: { db: Db; box: SecretBox; now: () => Date },
): Promise<void> {
  const { db, box, now } = options;
  await app.register(
    async (scope) => {
      const allowed = scope.requireRole('la-officer', 'admin');

      scope.get('/collection', { preHandler: allowed }, async (request, reply) => {
        const { officer, laCode } = laScope(request);
        const [staleness, sources, snapshots, attempts] = await Promise.all([
          collectionStaleness(db, now(), laCode),
          listSources(db, laCode === undefined ? {} : { laCode }),
          latestSnapshots(db, laCode, { limit: 20 }),
          (() => {
            let q = db
              .selectFrom('la.collection_attempt')
              .innerJoin('la.source', 'la.source.id', 'la.collection_attempt.source_id')
              .select([
                'la.collection_attempt.id',
                'la.collection_attempt.la_code',
                'la.collection_attempt.started_at',
                'la.collection_attempt.attempt_number',
                'la.collection_attempt.outcome',
                'la.collection_attempt.gateway_status',
                'la.collection_attempt.error',
                'la.source.name as source_name',
              ])
              .orderBy('la.collection_attempt.id', 'desc')
              .limit(30);
            if (laCode !== undefined) q = q.where('la.collection_attempt.la_code', '=', laCode);
            return q.execute();
          })(),
        ]);
        return reply.view(`${VIEWS}/collection.njk`, {
          pageTitle: 'Collecting the childcare register extract',
          officer,
          la: laCode ? localAuthorityByCode(laCode) : undefined,
          banner: staleBanner(staleness),
          sources: sources.map((s) => ({ ...s, updatedAtText: londonTime(s.updatedAt) })),
          attempts: attempts.map((a) => ({
            ...a,
            when: londonTime(a.started_at),
            words: OUTCOME_WORDS[a.outcome],
          })),
          snapshots: snapshots.map((s) => ({
            ...s,
            collectedAtText: londonTime(s.collectedAt),
            stateWords: SNAPSHOT_STATE_WORDS[s.state],
          })),
        });
      });

      scope.get('/snapshots/:id/download', { preHandler: allowed }, async (request, reply) => {
        const id = Number((request.params as { id: string }).id);
        const { laCode } = laScope(request);
        const row = Number.isInteger(id)
          ? await db.selectFrom('la.snapshot').select(['la_code']).where('id', '=', id).executeTakeFirst()
          : undefined;
        if (!row || (laCode !== undefined && row.la_code !== laCode)) return notFound(reply);
        const bytes = await readSnapshotDocument(db, id);
        return reply
          .header('content-type', 'application/xml; charset=utf-8')
          .header('content-disposition', `attachment; filename="extract-${row.la_code}-snapshot-${id}.xml"`)
          .header('cache-control', 'no-store')
          .send(bytes);
      });

      scope.get('/sources/new', { preHandler: allowed }, async (request, reply) => {
        const { officer, laCode } = laScope(request);
        return reply.view(`${VIEWS}/source-new.njk`, {
          pageTitle: 'Add a source',
          officer,
          values: { kind: 'soap', laCodes: laCode ?? '', collectTime: '06:30' },
          errors: [],
        });
      });

      scope.post('/sources/new', { preHandler: allowed }, async (request, reply) => {
        const { officer, laCode } = laScope(request);
        const body = (request.body ?? {}) as Record<string, string | undefined>;
        const kind = body.kind === 'fid' ? 'fid' : 'soap';
        const laCodes = officer ? [laCode!] : (body.laCodes ?? '').split(/[\s,]+/).filter((c) => c !== '');
        const input: NewSource = {
          name: (body.name ?? '').trim(),
          kind,
          endpointUrl: (body.endpointUrl ?? '').trim(),
          ...(kind === 'soap'
            ? { username: (body.username ?? '').trim(), password: body.password ?? '' }
            : { fidApiKey: (body.fidApiKey ?? '').trim(), fidServiceKey: (body.fidServiceKey ?? '').trim() }),
          laCodes,
          collectTime: (body.collectTime ?? '').trim() || '06:30',
          by: request.session!.account.username,
        };
        const errors = await sourceProblems(input);
        let id: number | undefined;
        if (errors.length === 0) {
          try {
            id = await addSource(db, box, input);
            // Stored off until confirmed on the next page.
            await setSourceEnabled(db, id, false, input.by);
          } catch (error) {
            if (!(error instanceof SourceError)) throw error;
            errors.push(error.message);
          }
        }
        if (id === undefined) {
          return reply.code(400).view(`${VIEWS}/source-new.njk`, {
            pageTitle: 'Add a source',
            officer,
            values: { ...body, password: '', fidApiKey: '', laCodes: laCodes.join(' ') },
            errors,
          });
        }
        return reply.redirect(`/la/sources/${id}/check`, 303);
      });

      const ownSource = async (request: FastifyRequest) => {
        const id = Number((request.params as { id: string }).id);
        if (!Number.isInteger(id)) return undefined;
        const row = await db.selectFrom('la.source').selectAll().where('id', '=', id).executeTakeFirst();
        const { laCode } = laScope(request);
        if (!row || (laCode !== undefined && !row.la_codes.includes(laCode))) return undefined;
        return row;
      };

      scope.get('/sources/:id/check', { preHandler: allowed }, async (request, reply) => {
        const row = await ownSource(request);
        if (!row) return notFound(reply);
        return reply.view(`${VIEWS}/source-check.njk`, {
          pageTitle: 'Check the source before collecting from it',
          source: sourceSummary(row),
          confirmed: row.enabled,
        });
      });

      scope.post('/sources/:id/check', { preHandler: allowed }, async (request, reply) => {
        const row = await ownSource(request);
        if (!row) return notFound(reply);
        const decision = (request.body as { decision?: string } | undefined)?.decision;
        const by = request.session!.account.username;
        if (decision === 'cancel') {
          const used = await db
            .selectFrom('la.collection_attempt')
            .select('id')
            .where('source_id', '=', row.id)
            .executeTakeFirst();
          if (!used && !row.enabled) await db.deleteFrom('la.source').where('id', '=', row.id).execute();
        } else {
          await setSourceEnabled(db, row.id, true, by);
        }
        return reply.redirect('/la/collection', 303);
      });

      scope.post('/sources/:id/:action', { preHandler: allowed }, async (request, reply) => {
        const row = await ownSource(request);
        const action = (request.params as { action: string }).action;
        if (!row || (action !== 'disable' && action !== 'enable')) return notFound(reply);
        await setSourceEnabled(db, row.id, action === 'enable', request.session!.account.username);
        return reply.redirect('/la/collection', 303);
      });
    },
    { prefix: '/la' },
  );
  app.addNavigation({ href: '/la/collection', text: 'Extract collection', roles: ['la-officer', 'admin'] });
}

function notFound(reply: FastifyReply) {
  return reply.code(404).view('message.njk', {
    pageTitle: 'Page not found',
    paragraphs: ['There is no such page for your local authority.'],
    link: { href: '/la/collection', text: 'Extract collection' },
  });
}
