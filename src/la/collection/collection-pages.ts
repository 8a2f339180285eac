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
  auditSource,
  DEFAULT_COLLECT_TIME,
  describeSourceChanges,
  listSources,
  setSourceEnabled,
  sourceAudit,
  sourceChangeProblems,
  SourceError,
  sourceProblems,
  sourceSummary,
  updateSource,
  type NewSource,
  type SourceChanges,
} from './sources.ts';
import { acceptFormsWithFiles, fileField } from '../../platform/web/form-with-files.ts';
import type { CertificateMaterial } from './client-certificate.ts';
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
export function laScope(request: FastifyRequest): { officer: boolean; laCode: string | undefined } {
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
        const [audit, staleness, sources, snapshots, attempts] = await Promise.all([
          sourceAudit(db, laCode),
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
          audit: audit.map((a) => ({ ...a, when: londonTime(a.changedAt) })),
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

      const ownSource = async (request: FastifyRequest) => {
        const id = Number((request.params as { id: string }).id);
        if (!Number.isInteger(id)) return undefined;
        const row = await db.selectFrom('la.source').selectAll().where('id', '=', id).executeTakeFirst();
        const { laCode } = laScope(request);
        if (!row || (laCode !== undefined && !row.la_codes.includes(laCode))) return undefined;
        return row;
      };

      // The forms that may carry a certificate (PEM or PFX files): parsed as multipart here only.
      await scope.register(async (forms) => {
        await acceptFormsWithFiles(forms, {
          limits: { fileSize: 64 * 1024, files: 3, fields: 16 },
          mayPost: allowed,
          refuse: (request, reply, status, message) => {
            reply.code(status);
            return reply.view('message.njk', {
              pageTitle: 'The form could not be read',
              paragraphs: [`${message} Nothing was changed.`],
              link: { href: '/la/collection', text: 'Extract collection' },
            });
          },
        });

        forms.post('/sources/new', { preHandler: allowed }, async (request, reply) => {
          const { officer, laCode } = laScope(request);
          const body = (request.body ?? {}) as Record<string, unknown>;
          const form = sourceForm(body, officer ? [laCode!] : undefined);
          const kind = text(body, 'kind') === 'fid' ? 'fid' : 'soap';
          const input: NewSource = {
            name: form.changes.name ?? '',
            kind,
            endpointUrl: form.changes.endpointUrl ?? '',
            ...(kind === 'soap'
              ? {
                  username: form.changes.username ?? '',
                  password: form.changes.password ?? '',
                  ...(form.changes.certificate ? { certificate: form.changes.certificate } : {}),
                  ...(form.changes.signatureAlgorithm
                    ? { signatureAlgorithm: form.changes.signatureAlgorithm }
                    : {}),
                }
              : { fidApiKey: form.changes.fidApiKey ?? '', fidServiceKey: form.changes.fidServiceKey ?? '' }),
            laCodes: form.changes.laCodes ?? [],
            collectTime: form.changes.collectTime || DEFAULT_COLLECT_TIME,
            by: request.session!.account.username,
          };
          const errors = [...form.problems, ...(await sourceProblems(input))];
          let id: number | undefined;
          if (errors.length === 0) {
            try {
              id = await addSource(db, box, input);
              // Stored off until confirmed on the next page.
              await setSourceEnabled(db, id, false, input.by, { audit: false });
            } catch (error) {
              if (!(error instanceof SourceError)) throw error;
              errors.push(error.message);
            }
          }
          if (id === undefined) {
            return reply.code(400).view(`${VIEWS}/source-new.njk`, {
              pageTitle: 'Add a source',
              officer,
              values: { ...shownValues(body), laCodes: input.laCodes.join(' ') },
              errors,
            });
          }
          return reply.redirect(`/la/sources/${id}/check`, 303);
        });

        forms.post('/sources/:id/edit', { preHandler: allowed }, async (request, reply) => {
          const row = await ownSource(request);
          if (!row) return notFound(reply);
          const { officer } = laScope(request);
          const body = (request.body ?? {}) as Record<string, unknown>;
          const form = sourceForm(body, officer ? [...row.la_codes] : undefined);
          const errors = [...form.problems, ...(await sourceChangeProblems(db, row, form.changes))];
          const lines = errors.length === 0 ? describeSourceChanges(row, form.changes) : [];
          if (errors.length === 0 && lines.length === 0)
            errors.push('Nothing was changed: change a field, or go back.');
          if (errors.length > 0) {
            return reply.code(400).view(`${VIEWS}/source-edit.njk`, {
              pageTitle: `Change ${row.name}`,
              officer,
              source: sourceSummary(row),
              values: shownValues(body),
              errors,
            });
          }
          // Kept sealed until confirmed: the change may hold a password, a key or a certificate.
          const draft = await db
            .insertInto('la.source_draft')
            .values({
              source_id: row.id,
              changes_sealed: box.seal(JSON.stringify(form.changes)),
              drafted_by: request.session!.account.username,
              drafted_at: now(),
            })
            .returning('id')
            .executeTakeFirstOrThrow();
          return reply.redirect(`/la/sources/${row.id}/changes/${draft.id}`, 303);
        });
      });

      scope.get('/sources/:id/edit', { preHandler: allowed }, async (request, reply) => {
        const row = await ownSource(request);
        if (!row) return notFound(reply);
        const summary = sourceSummary(row);
        return reply.view(`${VIEWS}/source-edit.njk`, {
          pageTitle: `Change ${row.name}`,
          officer: laScope(request).officer,
          source: summary,
          values: {
            name: row.name,
            endpointUrl: row.endpoint_url ?? '',
            username: row.username ?? '',
            fidServiceKey: row.fid_service_key ?? '',
            laCodes: row.la_codes.join(' '),
            collectTime: row.collect_time,
            algorithm: row.signature_algorithm,
          },
          errors: [],
        });
      });

      const ownDraft = async (request: FastifyRequest) => {
        const row = await ownSource(request);
        const draftId = Number((request.params as { draft: string }).draft);
        if (!row || !Number.isInteger(draftId)) return undefined;
        const draft = await db
          .selectFrom('la.source_draft')
          .selectAll()
          .where('id', '=', draftId)
          .where('source_id', '=', row.id)
          .executeTakeFirst();
        return draft && { row, draft, changes: JSON.parse(box.open(draft.changes_sealed)) as SourceChanges };
      };

      scope.get('/sources/:id/changes/:draft', { preHandler: allowed }, async (request, reply) => {
        const found = await ownDraft(request);
        if (!found) return notFound(reply);
        return reply.view(`${VIEWS}/source-change-check.njk`, {
          pageTitle: `Check the changes to ${found.row.name}`,
          source: sourceSummary(found.row),
          draftId: found.draft.id,
          lines: describeSourceChanges(found.row, found.changes),
        });
      });

      scope.post('/sources/:id/changes/:draft', { preHandler: allowed }, async (request, reply) => {
        const found = await ownDraft(request);
        if (!found) return notFound(reply);
        const decision = (request.body as { decision?: string } | undefined)?.decision;
        if (decision === 'confirm') {
          try {
            await updateSource(
              db,
              box,
              found.row.id,
              found.changes,
              request.session!.account.username,
              now(),
            );
          } catch (error) {
            if (!(error instanceof SourceError)) throw error;
            reply.code(409);
            return reply.view('message.njk', {
              pageTitle: 'The source was not changed',
              paragraphs: [
                error.message,
                'The source changed since the form was filled in: change it again.',
              ],
              link: { href: `/la/sources/${found.row.id}/edit`, text: `Change ${found.row.name}` },
            });
          }
        }
        await db.deleteFrom('la.source_draft').where('id', '=', found.draft.id).execute();
        return reply.redirect('/la/collection', 303);
      });

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
          if (!used && !row.enabled) {
            await db.deleteFrom('la.source').where('id', '=', row.id).execute();
            await auditSource(db, {
              source: row,
              action: 'cancelled',
              detail: 'Not added: cancelled on its check page',
              by,
            });
          }
        } else if (!row.enabled) {
          await setSourceEnabled(db, row.id, true, by, { audit: false });
          await auditSource(db, {
            source: row,
            action: 'enabled',
            detail: 'Confirmed on its check page: collected daily',
            by,
          });
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

function text(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  return typeof value === 'string' ? value.trim() : undefined;
}

/** What a source form may show back: never a secret, never a file. */
function shownValues(body: Record<string, unknown>): Record<string, string> {
  const shown: Record<string, string> = {};
  for (const name of [
    'name',
    'kind',
    'endpointUrl',
    'username',
    'fidServiceKey',
    'laCodes',
    'collectTime',
    'algorithm',
  ])
    shown[name] = text(body, name) ?? '';
  return shown;
}

/**
 * A source form (add or change) as changes: a field sent is a change, a secret left empty is
 * kept, a certificate is PEM files (certificate and key) or a PFX file and its password. The
 * rules on the values are the CLI's (`sourceProblems`); here only what the form itself can get
 * wrong. `laCodes` given: an officer's own, whatever the form says.
 */
export function sourceForm(
  body: Record<string, unknown>,
  laCodes: string[] | undefined,
): { changes: SourceChanges; problems: string[] } {
  const problems: string[] = [];
  const changes: SourceChanges = {};
  for (const name of ['name', 'endpointUrl', 'username', 'fidServiceKey', 'collectTime'] as const) {
    const value = text(body, name);
    if (value !== undefined) changes[name] = value;
  }
  for (const name of ['password', 'fidApiKey'] as const) {
    const value = text(body, name);
    if (value) changes[name] = value;
  }
  const codes =
    laCodes ??
    text(body, 'laCodes')
      ?.split(/[\s,]+/)
      .filter((c) => c !== '');
  if (codes) changes.laCodes = codes;
  const algorithm = text(body, 'algorithm');
  if (algorithm === 'rsa-sha1' || algorithm === 'rsa-sha256') changes.signatureAlgorithm = algorithm;
  const certificatePem = fileField(body, 'certificatePem');
  const keyPem = fileField(body, 'keyPem');
  const pfx = fileField(body, 'pfx');
  let certificate: CertificateMaterial | undefined;
  if (pfx && (certificatePem || keyPem))
    problems.push('Choose a PFX file, or a certificate and its private key (PEM), not both.');
  else if (pfx)
    certificate = {
      format: 'pfx',
      pfxBase64: pfx.toString('base64'),
      password: text(body, 'pfxPassword') ?? '',
    };
  else if (certificatePem && keyPem)
    certificate = {
      format: 'pem',
      certificatePem: certificatePem.toString('utf8'),
      keyPem: keyPem.toString('utf8'),
    };
  else if (certificatePem || keyPem)
    problems.push('Choose both the certificate and its private key (PEM files).');
  if (certificate) changes.certificate = certificate;
  else if (text(body, 'removeCertificate') === 'yes') changes.removeCertificate = true;
  return { changes, problems };
}
