/**
 * The LA's pages (role `la-officer` for their own LA, `admin` for any): the review queue, one
 * change against the version a person last accepted, accept / reject / bulk accept, the history
 * of decisions, snapshots held by the guard, the directory and its records' local fields.
 *
 *   GET  /la/review, /la/directory             to the officer's own LA (an admin chooses)
 *   GET  /la/:code/review                      pending changes, filtered, with counts
 *   GET  /la/:code/review/history              decisions taken
 *   GET  /la/:code/review/accept-all           check your answers: accept every change shown
 *   POST /la/:code/review/accept-all
 *   GET  /la/:code/review/:id                  one change, field by field
 *   POST /la/:code/review/:id/accept
 *   GET  /la/:code/review/:id/reject           the reason
 *   POST /la/:code/review/:id/reject
 *   GET  /la/:code/snapshots/held              snapshots held by the guard
 *   GET  /la/:code/snapshots/:id/:decision     check your answers (confirm | discard)
 *   POST /la/:code/snapshots/:id/:decision
 *   GET  /la/:code/directory                   search
 *   GET  /la/:code/directory/:ref              one record; its local fields (POST to change them)
 *   GET  /la/:code/settings, POST              auto-apply and the guard's share
 *
 * An officer asking for another LA's address gets "page not found": the LA in the address is
 * checked before anything is read, and every query names it.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../platform/db/database.ts';
import type { Account } from '../../platform/auth/accounts.ts';
import { localAuthorityByCode } from '../../platform/reference.ts';
import {
  CHILDCARE_PERIOD_NAMES,
  PROVISION_TYPE_NAMES,
  REGISTRATION_STATUS_NAMES,
  type ProvisionType,
  type RegistrationStatus,
} from '../../contracts/childcare-extract/codes.ts';
import type { FieldChange } from '../changes/change.ts';
import {
  acceptChange,
  againstAccepted,
  bulkAccept,
  CHANGE_KINDS,
  changeById,
  changesSince,
  changesOfRecord,
  decidedChanges,
  directoryRecord,
  DirectoryError,
  laSettings,
  localEdits,
  localFieldProblems,
  LOCAL_FIELD_LABELS,
  pendingChanges,
  pendingCounts,
  rejectChange,
  searchDirectory,
  setLaSettings,
  updateLocalFields,
  type ChangeFilter,
  type ChangeKind,
  type ChangeRow,
  type DirectoryRecord,
  type LocalFields,
} from './directory-store.ts';
import { describeChangeRow, KIND_LABELS, provisionName } from './change-words.ts';
import { changesCsv, changesJson, londonMidnight } from './change-export.ts';
import { addDays, isCalendarDate, londonDateOf } from '../../platform/calendar.ts';
import { heldSnapshots, snapshotSummary } from './snapshot-access.ts';
import { discardSnapshot, takeInSnapshot } from './take-in.ts';

const VIEWS = 'la/directory/views';
const PAGE_SIZE = 50;

const londonDateTime = new Intl.DateTimeFormat('en-GB', {
  dateStyle: 'long',
  timeStyle: 'short',
  timeZone: 'Europe/London',
});
const when = (d: Date | null | undefined): string => (d ? londonDateTime.format(d) : '');

/** The LAs an account may see: an officer's own, or (admin) any. */
export function mayAct(account: Account, laCode: string): boolean {
  if (account.roles.includes('admin')) return Boolean(localAuthorityByCode(laCode));
  return account.roles.includes('la-officer') && account.laCode === laCode;
}

const person = (account: Account): string => `${account.displayName} (${account.username})`;

function valueText(value: unknown): string {
  if (value === undefined || value === null || value === '') return '(none)';
  return String(value);
}

function fieldRows(fields: readonly FieldChange[]) {
  return fields
    .filter((f) => !f.housekeeping)
    .map((f) => ({
      label: f.field.label + (f.item ? ` (item ${(f.item.new ?? f.item.old ?? 0) + 1})` : ''),
      old: valueText(f.old),
      new: valueText(f.new),
    }));
}

/** The registration status is not a field of the diff (it is the change's own kind): its row. */
function statusRow(change: ChangeRow, record: DirectoryRecord | undefined) {
  if (change.kind === 'left' || change.kind === 'disappeared') return [];
  const from = record ? record.registration.status : change.statusFrom;
  const to = change.registration.status;
  if (!from || from === to) return [];
  const name = (s: string) => REGISTRATION_STATUS_NAMES[s as RegistrationStatus] ?? s;
  return [{ label: 'Registration status', old: name(from), new: name(to) }];
}

function changeSummary(c: ChangeRow) {
  return {
    id: c.id,
    referenceNumber: c.referenceNumber,
    kind: c.kind,
    kindLabel: KIND_LABELS[c.kind],
    name: provisionName(c),
    provisionType: PROVISION_TYPE_NAMES[c.provisionType as ProvisionType] ?? c.provisionType,
    district: c.postcodeDistrict ?? '',
    line: describeChangeRow(c),
    foundAt: when(c.foundAt),
    reviewState: c.reviewState,
    decidedBy: c.decidedBy ?? '',
    decidedAt: when(c.decidedAt),
    reason: c.reason ?? '',
  };
}

function filterOf(laCode: string, query: Record<string, unknown>): ChangeFilter {
  const kind = CHANGE_KINDS.includes(query.kind as ChangeKind) ? (query.kind as ChangeKind) : undefined;
  const type = typeof query.type === 'string' && query.type in PROVISION_TYPE_NAMES ? query.type : undefined;
  const district =
    typeof query.district === 'string' && /^[A-Za-z]{1,2}\d[A-Za-z\d]?$/.test(query.district.trim())
      ? query.district.trim().toUpperCase()
      : undefined;
  const upTo = Number(query.upTo);
  return {
    laCode,
    ...(kind ? { kind } : {}),
    ...(type ? { provisionType: type } : {}),
    ...(district ? { postcodeDistrict: district } : {}),
    ...(Number.isSafeInteger(upTo) && upTo > 0 ? { upTo } : {}),
  };
}

function filterParams(filter: ChangeFilter): Record<string, string> {
  return {
    ...(filter.kind ? { kind: filter.kind } : {}),
    ...(filter.provisionType ? { type: filter.provisionType } : {}),
    ...(filter.postcodeDistrict ? { district: filter.postcodeDistrict } : {}),
  };
}

function filterWords(filter: ChangeFilter): string {
  const parts = [
    filter.kind ? `kind “${KIND_LABELS[filter.kind]}”` : '',
    filter.provisionType
      ? `provision type “${PROVISION_TYPE_NAMES[filter.provisionType as ProvisionType]}”`
      : '',
    filter.postcodeDistrict ? `postcode district ${filter.postcodeDistrict}` : '',
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : 'no filter (every pending change)';
}

function registrationRows(r: ChangeRow['registration']) {
  const address = (a: {
    addressLine1: string;
    addressLine2?: string;
    town: string;
    county?: string;
    postcode?: string;
  }) => [a.addressLine1, a.addressLine2, a.town, a.county, a.postcode].filter(Boolean).join(', ');
  return [
    { key: 'Reference number', value: r.referenceNumber },
    { key: 'Provision type', value: PROVISION_TYPE_NAMES[r.provisionType] ?? r.provisionType },
    { key: 'Status', value: REGISTRATION_STATUS_NAMES[r.status] ?? r.status },
    { key: 'Provider', value: r.provider.name },
    { key: 'Provider address', value: address(r.provider.address) },
    ...(r.setting
      ? [
          { key: 'Setting', value: r.setting.name },
          { key: 'Setting address', value: address(r.setting.address) },
        ]
      : []),
    {
      key: 'Address withheld from the public',
      value: r.specialConsiderations ? `Yes (${r.specialConsiderations})` : 'No',
    },
    { key: "Provider's personal details withheld", value: r.provider.consentWithheld === 'Y' ? 'Yes' : 'No' },
    {
      key: 'Childcare periods',
      value: r.childcarePeriods.map((p) => CHILDCARE_PERIOD_NAMES[p] ?? p).join(', ') || '(none)',
    },
    { key: 'Last change date', value: r.lastChangeDate },
  ];
}

export async function directoryPages(
  app: FastifyInstance,
  options: { db: Database; now: () => Date },
): Promise<void> {
  const { db, now } = options;

  const notFound = (reply: FastifyReply, title = 'Page not found') => {
    reply.code(404);
    return reply.view('message.njk', {
      pageTitle: title,
      paragraphs: ['If you typed the web address, check it is correct.'],
    });
  };

  /** The LA of the address, when the account may act for it; else the refusal is sent. */
  const laOf = (request: FastifyRequest, reply: FastifyReply): string | undefined => {
    const code = (request.params as { code?: string }).code ?? '';
    if (!/^\d{3}$/.test(code) || !mayAct(request.session!.account, code)) {
      void notFound(reply);
      return undefined;
    }
    return code;
  };
  const numberParam = (value: unknown): number | undefined => {
    const n = Number(value);
    return typeof value === 'string' && /^\d{1,15}$/.test(value) && Number.isSafeInteger(n) && n > 0
      ? n
      : undefined;
  };
  const laTitle = (code: string) => `${localAuthorityByCode(code)?.name ?? 'LA'} (${code})`;

  await app.register(
    async (scope) => {
      const allowed = scope.requireRole('la-officer', 'admin');

      // Entry points: an officer goes to their own LA; an admin chooses one.
      for (const section of ['review', 'directory'] as const) {
        scope.get(`/${section}`, { preHandler: allowed }, async (request, reply) => {
          const account = request.session!.account;
          if (!account.roles.includes('admin') && account.laCode)
            return reply.redirect(`/la/${account.laCode}/${section}`);
          const code = (request.query as { la?: string }).la;
          if (code && /^\d{3}$/.test(code) && mayAct(account, code))
            return reply.redirect(`/la/${code}/${section}`);
          const rows = await db.selectFrom('la.take_in').select('la_code').orderBy('la_code').execute();
          return reply.view(`${VIEWS}/choose-la.njk`, {
            pageTitle: section === 'review' ? 'Changes to review' : 'Directory',
            section,
            las: rows.map((r) => ({ code: r.la_code.trim(), name: laTitle(r.la_code.trim()) })),
          });
        });
      }

      scope.get('/:code/review', { preHandler: allowed }, async (request, reply) => {
        const laCode = laOf(request, reply);
        if (!laCode) return reply;
        const query = request.query as Record<string, unknown>;
        const filter = filterOf(laCode, query);
        delete filter.upTo;
        const page = Math.max(1, numberParam(query.page) ?? 1);
        const found = await pendingChanges(db, filter, { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
        const counts = await pendingCounts(db, laCode);
        const held = await heldSnapshots(db, [laCode]);
        const pages = Math.max(1, Math.ceil(found.total / PAGE_SIZE));
        const params = (n: number) => `?${new URLSearchParams({ ...filterParams(filter), page: String(n) })}`;
        const decided = (request.query as { decided?: string }).decided;
        return reply.view(`${VIEWS}/review.njk`, {
          pageTitle: 'Changes to review',
          laCode,
          laTitle: laTitle(laCode),
          changes: found.changes.map(changeSummary),
          total: found.total,
          allTotal: counts.total,
          lastId: found.lastId,
          filter: filterParams(filter),
          filtered: Boolean(filter.kind || filter.provisionType || filter.postcodeDistrict),
          filterQuery: new URLSearchParams({
            ...filterParams(filter),
            ...(found.lastId ? { upTo: String(found.lastId) } : {}),
          }).toString(),
          kindOptions: CHANGE_KINDS.filter((k) => k !== 'housekeeping').map((k) => ({
            value: k,
            text: `${KIND_LABELS[k]} (${counts.byKind.get(k) ?? 0})`,
            selected: filter.kind === k,
          })),
          typeOptions: [...counts.byProvisionType].map(([t, n]) => ({
            value: t,
            text: `${PROVISION_TYPE_NAMES[t as ProvisionType] ?? t} (${n})`,
            selected: filter.provisionType === t,
          })),
          districtOptions: [...counts.byDistrict]
            .filter(([d]) => d)
            .map(([d, n]) => ({ value: d, text: `${d} (${n})`, selected: filter.postcodeDistrict === d })),
          held: held.length,
          decided: ['accepted', 'rejected', 'bulk'].includes(decided ?? '') ? decided : undefined,
          decidedCount: numberParam((request.query as { n?: string }).n),
          page,
          pages,
          previous: page > 1 ? params(page - 1) : undefined,
          next: page < pages ? params(page + 1) : undefined,
          exportSince: addDays(londonDateOf(now()), -7),
        });
      });

      // Exports: every change found since a London date, this LA's only, as CSV or JSON.
      for (const format of ['csv', 'json'] as const) {
        scope.get(`/:code/review/changes.${format}`, { preHandler: allowed }, async (request, reply) => {
          const laCode = laOf(request, reply);
          if (!laCode) return reply;
          const since = (request.query as { since?: unknown }).since;
          if (typeof since !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(since) || !isCalendarDate(since)) {
            reply.code(400);
            return reply.view('message.njk', {
              pageTitle: 'Enter the date to download changes from',
              paragraphs: ['Give a date as YYYY-MM-DD, for example 2026-12-01, then download again.'],
            });
          }
          const changes = await changesSince(db, { since: londonMidnight(since), laCode });
          const file = `edgate-la-${laCode}-changes-since-${since}.${format}`;
          return reply
            .header('content-disposition', `attachment; filename="${file}"`)
            .header('cache-control', 'no-store')
            .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8')
            .send(format === 'csv' ? changesCsv(changes) : changesJson(changes, since));
        });
      }

      scope.get('/:code/review/history', { preHandler: allowed }, async (request, reply) => {
        const laCode = laOf(request, reply);
        if (!laCode) return reply;
        const page = Math.max(1, numberParam((request.query as { page?: string }).page) ?? 1);
        const rows = await decidedChanges(db, laCode, {
          limit: PAGE_SIZE + 1,
          offset: (page - 1) * PAGE_SIZE,
        });
        return reply.view(`${VIEWS}/history.njk`, {
          pageTitle: 'Decisions taken',
          laCode,
          laTitle: laTitle(laCode),
          changes: rows.slice(0, PAGE_SIZE).map(changeSummary),
          previous: page > 1 ? `?page=${page - 1}` : undefined,
          next: rows.length > PAGE_SIZE ? `?page=${page + 1}` : undefined,
        });
      });

      scope.get('/:code/review/accept-all', { preHandler: allowed }, async (request, reply) => {
        const laCode = laOf(request, reply);
        if (!laCode) return reply;
        const filter = filterOf(laCode, request.query as Record<string, unknown>);
        const found = await pendingChanges(db, filter, { limit: 1, offset: 0 });
        return reply.view(`${VIEWS}/accept-all.njk`, {
          pageTitle: 'Accept these changes',
          laCode,
          laTitle: laTitle(laCode),
          total: found.total,
          upTo: filter.upTo ?? found.lastId ?? 0,
          filter: filterParams(filter),
          filterWords: filterWords(filter),
          back: `/la/${laCode}/review?${new URLSearchParams(filterParams(filter))}`,
        });
      });

      scope.post('/:code/review/accept-all', { preHandler: allowed }, async (request, reply) => {
        const laCode = laOf(request, reply);
        if (!laCode) return reply;
        const body = (request.body ?? {}) as Record<string, unknown>;
        const filter = filterOf(laCode, body);
        if (filter.upTo === undefined) return notFound(reply);
        const count = await bulkAccept(db, filter, person(request.session!.account), now());
        request.log.info({ laCode, count, filter }, 'changes accepted in bulk');
        return reply.redirect(`/la/${laCode}/review?decided=bulk&n=${count}`, 303);
      });

      scope.get('/:code/review/:id', { preHandler: allowed }, async (request, reply) => {
        const laCode = laOf(request, reply);
        if (!laCode) return reply;
        const id = numberParam((request.params as { id: string }).id);
        const change = id === undefined ? undefined : await changeById(db, laCode, id);
        if (!change) return notFound(reply, 'This change is not in your local authority’s queue');
        const record = await directoryRecord(db, laCode, change.referenceNumber);
        return reply.view(`${VIEWS}/change.njk`, {
          pageTitle: `${KIND_LABELS[change.kind]}: ${change.referenceNumber}`,
          laCode,
          laTitle: laTitle(laCode),
          change: changeSummary(change),
          line: describeChangeRow(change),
          fields: [...statusRow(change, record), ...fieldRows(againstAccepted(change, record))],
          againstAccepted: Boolean(record),
          registration: registrationRows(change.registration),
          pending: change.reviewState === 'pending',
        });
      });

      scope.post('/:code/review/:id/accept', { preHandler: allowed }, async (request, reply) => {
        const laCode = laOf(request, reply);
        if (!laCode) return reply;
        const id = numberParam((request.params as { id: string }).id);
        if (id === undefined) return notFound(reply);
        const outcome = await acceptChange(db, {
          laCode,
          id,
          by: person(request.session!.account),
          now: now(),
        });
        if (outcome.kind === 'not-found')
          return notFound(reply, 'This change is not in your local authority’s queue');
        if (outcome.kind === 'not-pending') return alreadyDecided(reply, laCode, outcome.change);
        return reply.redirect(`/la/${laCode}/review?decided=accepted&n=1`, 303);
      });

      scope.get('/:code/review/:id/reject', { preHandler: allowed }, async (request, reply) => {
        const laCode = laOf(request, reply);
        if (!laCode) return reply;
        const id = numberParam((request.params as { id: string }).id);
        const change = id === undefined ? undefined : await changeById(db, laCode, id);
        if (!change) return notFound(reply, 'This change is not in your local authority’s queue');
        if (change.reviewState !== 'pending') return alreadyDecided(reply, laCode, change);
        return reply.view(`${VIEWS}/reject.njk`, {
          pageTitle: 'Why are you rejecting this change?',
          laCode,
          change: changeSummary(change),
        });
      });

      scope.post('/:code/review/:id/reject', { preHandler: allowed }, async (request, reply) => {
        const laCode = laOf(request, reply);
        if (!laCode) return reply;
        const id = numberParam((request.params as { id: string }).id);
        const change = id === undefined ? undefined : await changeById(db, laCode, id);
        if (!change) return notFound(reply, 'This change is not in your local authority’s queue');
        const reason = String((request.body as { reason?: unknown } | undefined)?.reason ?? '');
        try {
          const outcome = await rejectChange(db, {
            laCode,
            id: change.id,
            by: person(request.session!.account),
            now: now(),
            reason,
          });
          if (outcome.kind === 'not-pending') return alreadyDecided(reply, laCode, outcome.change);
        } catch (error) {
          if (!(error instanceof DirectoryError)) throw error;
          reply.code(400);
          return reply.view(`${VIEWS}/reject.njk`, {
            pageTitle: 'Why are you rejecting this change?',
            laCode,
            change: changeSummary(change),
            reason,
            reasonError: error.message,
            errorSummary: [{ text: error.message, href: '#reason' }],
          });
        }
        return reply.redirect(`/la/${laCode}/review?decided=rejected&n=1`, 303);
      });

      // --- held snapshots -----------------------------------------------------------------------

      scope.get('/:code/snapshots/held', { preHandler: allowed }, async (request, reply) => {
        const laCode = laOf(request, reply);
        if (!laCode) return reply;
        const held = await heldSnapshots(db, [laCode]);
        const decided = (request.query as { decided?: string }).decided;
        return reply.view(`${VIEWS}/held.njk`, {
          pageTitle: 'Snapshots held for a person',
          laCode,
          laTitle: laTitle(laCode),
          decided: decided === 'confirm' || decided === 'discard' ? decided : undefined,
          snapshots: held.map((s) => ({
            id: s.id,
            collectedAt: when(s.collectedAt),
            recordCount: s.recordCount,
            reasons: (s.problem ?? '').split('\n').filter(Boolean),
          })),
        });
      });

      const heldDecision = (value: unknown) =>
        value === 'confirm' || value === 'discard' ? value : undefined;

      scope.get('/:code/snapshots/:id/:decision', { preHandler: allowed }, async (request, reply) => {
        const laCode = laOf(request, reply);
        if (!laCode) return reply;
        const params = request.params as { id: string; decision: string };
        const id = numberParam(params.id);
        const decision = heldDecision(params.decision);
        const snapshot = id === undefined ? undefined : await snapshotSummary(db, id);
        if (!decision || !snapshot || snapshot.laCode !== laCode || snapshot.state !== 'held')
          return notFound(reply, 'This snapshot is not held');
        return reply.view(`${VIEWS}/held-check.njk`, {
          pageTitle: decision === 'confirm' ? 'Take in this snapshot anyway' : 'Discard this snapshot',
          laCode,
          decision,
          snapshot: {
            id: snapshot.id,
            collectedAt: when(snapshot.collectedAt),
            recordCount: snapshot.recordCount,
            reasons: (snapshot.problem ?? '').split('\n').filter(Boolean),
          },
        });
      });

      scope.post('/:code/snapshots/:id/:decision', { preHandler: allowed }, async (request, reply) => {
        const laCode = laOf(request, reply);
        if (!laCode) return reply;
        const params = request.params as { id: string; decision: string };
        const id = numberParam(params.id);
        const decision = heldDecision(params.decision);
        const snapshot = id === undefined ? undefined : await snapshotSummary(db, id);
        if (!decision || !snapshot || snapshot.laCode !== laCode || snapshot.state !== 'held')
          return notFound(reply, 'This snapshot is not held');
        const by = person(request.session!.account);
        if (decision === 'discard')
          await discardSnapshot(db, snapshot.id, { now: now(), by, laCodes: [laCode] });
        else await takeInSnapshot(db, snapshot.id, { now: now(), by, confirmHeld: true });
        request.log.info({ laCode, snapshot: snapshot.id, decision }, 'held snapshot decided');
        return reply.redirect(`/la/${laCode}/snapshots/held?decided=${decision}`, 303);
      });

      // --- the directory ------------------------------------------------------------------------

      scope.get('/:code/directory', { preHandler: allowed }, async (request, reply) => {
        const laCode = laOf(request, reply);
        if (!laCode) return reply;
        const query = request.query as { q?: string; page?: string };
        const text = typeof query.q === 'string' ? query.q.slice(0, 100) : '';
        const page = Math.max(1, numberParam(query.page) ?? 1);
        const found = await searchDirectory(db, laCode, {
          text,
          limit: PAGE_SIZE,
          offset: (page - 1) * PAGE_SIZE,
        });
        const pages = Math.max(1, Math.ceil(found.total / PAGE_SIZE));
        const params = (n: number) =>
          `?${new URLSearchParams({ ...(text ? { q: text } : {}), page: String(n) })}`;
        return reply.view(`${VIEWS}/directory.njk`, {
          pageTitle: 'Directory',
          laCode,
          laTitle: laTitle(laCode),
          q: text,
          total: found.total,
          records: found.records.map((r) => ({
            referenceNumber: r.referenceNumber,
            name: r.registration.setting?.name ?? r.registration.provider.name,
            type: PROVISION_TYPE_NAMES[r.registration.provisionType] ?? r.registration.provisionType,
            status: REGISTRATION_STATUS_NAMES[r.registration.status] ?? r.registration.status,
            town: r.registration.setting?.address.town ?? r.registration.provider.address.town,
            published: r.inFeed && r.listedPublicly,
          })),
          previous: page > 1 ? params(page - 1) : undefined,
          next: page < pages ? params(page + 1) : undefined,
        });
      });

      const recordPage = async (
        reply: FastifyReply,
        laCode: string,
        referenceNumber: string,
        extra: Record<string, unknown> = {},
      ) => {
        const record = await directoryRecord(db, laCode, referenceNumber);
        if (!record) return notFound(reply, 'This provider is not in your local authority’s directory');
        const history = await changesOfRecord(db, laCode, referenceNumber);
        const edits = await localEdits(db, laCode, referenceNumber);
        return reply.view(`${VIEWS}/record.njk`, {
          pageTitle: record.registration.setting?.name ?? record.registration.provider.name,
          laCode,
          laTitle: laTitle(laCode),
          record: {
            referenceNumber: record.referenceNumber,
            inFeed: record.inFeed,
            feedUpdatedAt: when(record.feedUpdatedAt),
          },
          local: {
            publicDescription: record.publicDescription ?? '',
            openingHours: record.openingHours ?? '',
            website: record.website ?? '',
            listedPublicly: record.listedPublicly,
          },
          registration: registrationRows(record.registration),
          history: history.map((c) => ({
            ...changeSummary(c),
            fields: fieldRows(c.fields).map((f) => f.label),
          })),
          edits: edits.map((e) => ({
            field: LOCAL_FIELD_LABELS[e.field as keyof typeof LOCAL_FIELD_LABELS] ?? e.field,
            old: valueText(e.old_value),
            new: valueText(e.new_value),
            by: e.changed_by,
            at: when(new Date(e.changed_at)),
          })),
          ...extra,
        });
      };

      scope.get('/:code/directory/:ref', { preHandler: allowed }, async (request, reply) => {
        const laCode = laOf(request, reply);
        if (!laCode) return reply;
        const ref = (request.params as { ref: string }).ref;
        if (!/^[A-Z0-9]{1,20}$/.test(ref)) return notFound(reply);
        const saved = (request.query as { saved?: string }).saved;
        return recordPage(reply, laCode, ref, { saved: saved === '1' });
      });

      scope.post('/:code/directory/:ref', { preHandler: allowed }, async (request, reply) => {
        const laCode = laOf(request, reply);
        if (!laCode) return reply;
        const ref = (request.params as { ref: string }).ref;
        if (!/^[A-Z0-9]{1,20}$/.test(ref)) return notFound(reply);
        const body = (request.body ?? {}) as Record<string, unknown>;
        const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
        const fields: LocalFields = {
          publicDescription: text(body.publicDescription) || null,
          openingHours: text(body.openingHours) || null,
          website: text(body.website) || null,
          listedPublicly: body.listedPublicly === 'yes',
        };
        const problems = localFieldProblems(fields);
        if (Object.keys(problems).length > 0) {
          reply.code(400);
          return recordPage(reply, laCode, ref, {
            problems,
            errorSummary: Object.entries(problems).map(([k, text]) => ({ text, href: `#${k}` })),
            local: {
              ...fields,
              publicDescription: fields.publicDescription ?? '',
              openingHours: fields.openingHours ?? '',
              website: text(body.website),
            },
          });
        }
        if (!(await directoryRecord(db, laCode, ref)))
          return notFound(reply, 'This provider is not in your local authority’s directory');
        await updateLocalFields(db, laCode, ref, fields, person(request.session!.account), now());
        return reply.redirect(`/la/${laCode}/directory/${ref}?saved=1`, 303);
      });

      // --- settings -----------------------------------------------------------------------------

      scope.get('/:code/settings', { preHandler: allowed }, async (request, reply) => {
        const laCode = laOf(request, reply);
        if (!laCode) return reply;
        const settings = await laSettings(db, laCode);
        return reply.view(`${VIEWS}/settings.njk`, {
          pageTitle: 'Directory settings',
          laCode,
          laTitle: laTitle(laCode),
          autoApply: settings.autoApply,
          share: Math.round(settings.maxRemovedShare * 1000) / 10,
          saved: (request.query as { saved?: string }).saved === '1',
        });
      });

      scope.post('/:code/settings', { preHandler: allowed }, async (request, reply) => {
        const laCode = laOf(request, reply);
        if (!laCode) return reply;
        const body = (request.body ?? {}) as Record<string, unknown>;
        const share = Number(String(body.share ?? '').trim());
        if (!(typeof body.share === 'string' && /^\d{1,3}(\.\d)?$/.test(body.share.trim()) && share <= 100)) {
          reply.code(400);
          const message = 'Enter a share from 0 to 100, such as 10';
          return reply.view(`${VIEWS}/settings.njk`, {
            pageTitle: 'Directory settings',
            laCode,
            laTitle: laTitle(laCode),
            autoApply: body.autoApply === 'on',
            share: body.share,
            shareError: message,
            errorSummary: [{ text: message, href: '#share' }],
          });
        }
        await setLaSettings(
          db,
          laCode,
          { autoApply: body.autoApply === 'on', maxRemovedShare: share / 100 },
          person(request.session!.account),
          now(),
        );
        return reply.redirect(`/la/${laCode}/settings?saved=1`, 303);
      });
    },
    { prefix: '/la' },
  );

  function alreadyDecided(reply: FastifyReply, laCode: string, change: ChangeRow) {
    reply.code(409);
    return reply.view('message.njk', {
      pageTitle: 'This change was already decided',
      paragraphs: [
        `Change ${change.id} is ${change.reviewState}${change.decidedBy ? ` by ${change.decidedBy}` : ''}${change.decidedAt ? `, ${when(change.decidedAt)}` : ''}. Nothing was changed.`,
      ],
      link: { href: `/la/${laCode}/review`, text: 'Changes to review' },
    });
  }

  app.addNavigation({ href: '/la/review', text: 'Changes to review', roles: ['la-officer', 'admin'] });
  app.addNavigation({ href: '/la/directory', text: 'Directory', roles: ['la-officer', 'admin'] });
}
