/**
 * The register's routes in the regulator role: caseworker pages to search the register, read a
 * registration and change its status, and the admin JSON API doing the same for systems integration.
 */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { DatabaseHandle } from '../../platform/db/database.ts';
import { pageFields, typed, type TypedApp } from '../../platform/http/typed-routes.ts';
import { londonDateOf } from '../../platform/calendar.ts';
import { liveLocalAuthorities, localAuthorityByCode } from '../../platform/reference.ts';
import type { Account } from '../../platform/auth/accounts.ts';
import { loadRegistration, statusChangedOn } from './register-store.ts';
import { notFound, statusChangeFromForm, statusChangePages } from './status-change-pages.ts';
import { registrationEndedOn, standingOf } from './registration-standing.ts';
import { registerQueryFrom, searchRegister, type RegisterSearchRow } from './register-search.ts';
import { recordStatusChange, statusChangesOf, type StatusChangeOutcome } from './record-status-change.ts';
import {
  availableStatusChanges,
  CANCELLATION_GROUNDS,
  STATUS_CHANGE_KIND_LABELS,
  type StatusChangeKind,
} from './status-change.ts';
import {
  PROVISION_TYPE_NAMES,
  CONSENT_WITHHELD_MEANING,
  SPECIAL_CONSIDERATIONS_MEANING,
  codeLabel,
  PROVISION_TYPES,
  REGISTRATION_STATUS_NAMES,
  REGISTRATION_STATUSES,
  type ProvisionType,
  type RegistrationStatus,
} from '../../contracts/childcare-extract/registration.ts';

const VIEWS = 'regulator/register/views';

export async function registerRoutes(
  app: FastifyInstance,
  handle: DatabaseHandle,
  now: () => Date,
): Promise<void> {
  const today = () => londonDateOf(now());
  await app.register(
    async (scope) => {
      registerPages(typed(scope), handle, today);
    },
    { prefix: '/regulator' },
  );
  await app.register(
    async (scope) => {
      registerApi(typed(scope), handle, today);
    },
    { prefix: '/api/regulator' },
  );
  app.addNavigation({
    href: '/regulator/registrations',
    text: 'Childcare register',
    roles: ['caseworker', 'admin'],
  });
}

const laOptions = () =>
  liveLocalAuthorities().map((la) => ({ value: la.code, text: `${la.name} (${la.code})` }));
const statusOptions = () =>
  REGISTRATION_STATUSES.map((s) => ({ value: s, text: REGISTRATION_STATUS_NAMES[s] }));
const typeOptions = () => PROVISION_TYPES.map((t) => ({ value: t, text: PROVISION_TYPE_NAMES[t] }));

/** A registration's address; one that names none is answered by the page. */
const RefParams = Type.Object({ ref: Type.String() });

function registerPages(app: TypedApp, handle: DatabaseHandle, today: () => string): void {
  const { db } = handle;
  const caseworker = app.requireRole('caseworker', 'admin');

  const search = { querystring: pageFields('urn', 'name', 'postcode', 'la', 'status', 'type', 'page') };
  app.get('/registrations', { preHandler: caseworker, schema: search }, async (request, reply) => {
    const input: Record<string, unknown> = request.query;
    const query = registerQueryFrom(input);
    const searched = Object.values(query).some((v) => v !== undefined && v !== 1);
    const result = await searchRegister(db, query);
    const params = new URLSearchParams();
    for (const key of ['urn', 'name', 'postcode', 'la', 'status', 'type']) {
      const value = input[key];
      if (typeof value === 'string' && value.trim()) params.set(key, value.trim());
    }
    const pageHref = (page: number) => {
      const p = new URLSearchParams(params);
      p.set('page', String(page));
      return `?${p.toString()}`;
    };
    return reply.view(`${VIEWS}/search.njk`, {
      pageTitle: 'Search the childcare register',
      query: input,
      searched,
      result,
      laOptions: laOptions(),
      statusOptions: statusOptions(),
      typeOptions: typeOptions(),
      laName: (code: string) => localAuthorityByCode(code)?.name ?? code,
      statusName: (s: RegistrationStatus) => REGISTRATION_STATUS_NAMES[s],
      typeName: (t: ProvisionType) => PROVISION_TYPE_NAMES[t] ?? t,
      endedOn: (row: RegisterSearchRow) => registrationEndedOn(row.status, row.statusChangedOn),
      pagination: {
        previous: result.page > 1 ? { href: pageHref(result.page - 1) } : undefined,
        next: result.page < result.pages ? { href: pageHref(result.page + 1) } : undefined,
        items: pageItems(result.page, result.pages).map((n) =>
          n === undefined ? { ellipsis: true } : { number: n, href: pageHref(n), current: n === result.page },
        ),
      },
    });
  });

  const registration = { params: RefParams, querystring: pageFields('changed') };
  app.get('/registrations/:ref', { preHandler: caseworker, schema: registration }, async (request, reply) => {
    const { ref } = request.params;
    const stored = await loadRegistration(db, ref);
    if (!stored) return notFound(reply, ref);
    const changes = await statusChangesOf(db, ref);
    const flash = request.query.changed;
    const r = stored.registration;
    const standing = standingOf({
      status: r.status,
      statusChangedOn: statusChangedOn(r),
      registers: r.registers,
      suspensions: stored.suspensions,
      today: today(),
    });
    return reply.view(`${VIEWS}/registration.njk`, {
      pageTitle: `${stored.registration.provider.name} (${ref})`,
      r,
      version: stored.version,
      standing,
      changes,
      flash,
      la: localAuthorityByCode(stored.registration.laCode),
      statusName: (s: RegistrationStatus) => REGISTRATION_STATUS_NAMES[s] ?? s,
      typeName: PROVISION_TYPE_NAMES[stored.registration.provisionType],
      // Plain labels for every code on the page, from the feed's one code table.
      label: codeLabel,
      consentWithheldMeaning: CONSENT_WITHHELD_MEANING,
      specialConsiderationsMeaning: SPECIAL_CONSIDERATIONS_MEANING,
      kindLabel: (k: StatusChangeKind) => STATUS_CHANGE_KIND_LABELS[k] ?? k,
      canChange: availableStatusChanges({ status: stored.registration.status }).length > 0,
    });
  });

  statusChangePages(app, db, today);
}

/** Page numbers to show, with `undefined` for an ellipsis (GOV.UK pagination pattern). */
export function pageItems(current: number, pages: number): (number | undefined)[] {
  const wanted = new Set([1, pages, current - 1, current, current + 1].filter((n) => n >= 1 && n <= pages));
  const sorted = [...wanted].sort((a, b) => a - b);
  const items: (number | undefined)[] = [];
  sorted.forEach((n, i) => {
    if (i > 0 && n - sorted[i - 1]! > 1) items.push(undefined);
    items.push(n);
  });
  return items;
}

// ---------------------------------------------------------------------------------------------
// The admin JSON API: HTTP Basic as an edgate account with the caseworker or admin role.

const API_ROLES = ['caseworker', 'admin'] as const;

const ErrorBody = Type.Object({ code: Type.String(), message: Type.String() });

const StatusChangeBody = Type.Object(
  {
    kind: Type.Union(
      (
        ['grant', 'withdraw', 'refuse', 'suspend', 'lift-suspension', 'resign', 'cancel', 'correct'] as const
      ).map((k) => Type.Literal(k)),
    ),
    reason: Type.Optional(Type.String({ maxLength: 2000 })),
    grounds: Type.Optional(
      Type.String({ maxLength: 2000, description: 'suspend: the grounds (risk of harm)' }),
    ),
    endDate: Type.Optional(
      Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'suspend: last day of the period' }),
    ),
    investigationCannotFinishSooner: Type.Optional(Type.Boolean()),
    ground: Type.Optional(
      Type.Union(
        CANCELLATION_GROUNDS.map((g) => Type.Literal(g)),
        { description: 'cancel: the ground' },
      ),
    ),
    to: Type.Optional(
      Type.Union(
        REGISTRATION_STATUSES.map((s) => Type.Literal(s)),
        { description: 'correct: the status to set' },
      ),
    ),
    expectedVersion: Type.Optional(
      Type.Integer({ minimum: 1, description: 'Refuse with 409 if the registration has changed since' }),
    ),
  },
  { additionalProperties: false },
);

function registerApi(app: TypedApp, handle: DatabaseHandle, today: () => string): void {
  const { db } = handle;

  // JSON only (forms are for the pages); anything else is a 415 before the body is read.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'string' },
    app.getDefaultJsonParser('error', 'error'),
  );
  app.decorateRequest('apiAccount', undefined);
  // Every failure — no or bad header, unknown account, wrong password, a right password of an
  // account without an API role, a disabled account, too many attempts — answers the same 401.
  app.addHook('onRequest', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    const header = request.headers.authorization ?? '';
    const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header);
    let account: Account | undefined;
    if (match) {
      const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0) {
        const checked = await app.checkAccountPassword(
          request,
          decoded.slice(0, colon),
          decoded.slice(colon + 1),
          API_ROLES,
        );
        if (checked.outcome === 'accepted') account = checked.value;
        else request.log.info({ limited: checked.outcome === 'limited' }, 'admin API sign-in refused');
      }
    }
    if (!account) {
      reply.header('www-authenticate', 'Basic realm="edgate", charset="UTF-8"').code(401);
      return reply.send({
        code: 'unauthorised',
        message: 'Authenticate with HTTP Basic as an edgate caseworker or admin account',
      });
    }
    request.setDecorator<Account>('apiAccount', account);
  });

  const rateLimit = { rateLimit: { max: 300, timeWindow: '1 minute' } };
  const security = [{ basic: [] }];

  app.get(
    '/registrations',
    {
      config: rateLimit,
      schema: {
        tags: ['regulator'],
        summary: 'Search the register',
        security,
        querystring: Type.Object({
          urn: Type.Optional(Type.String()),
          name: Type.Optional(Type.String()),
          postcode: Type.Optional(Type.String()),
          la: Type.Optional(Type.String({ pattern: '^\\d{3}$' })),
          status: Type.Optional(Type.Union(REGISTRATION_STATUSES.map((s) => Type.Literal(s)))),
          type: Type.Optional(Type.Union(PROVISION_TYPES.map((t) => Type.Literal(t)))),
          page: Type.Optional(Type.Integer({ minimum: 1 })),
          pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
        }),
      },
    },
    async (request) => {
      const input = request.query;
      const query = registerQueryFrom(
        Object.fromEntries(Object.entries(input).map(([k, v]) => [k, String(v)])),
      );
      return searchRegister(db, { ...query, pageSize: input.pageSize ?? 25 });
    },
  );

  app.get(
    '/registrations/:ref',
    {
      config: rateLimit,
      schema: { tags: ['regulator'], summary: 'One registration, whole', security, params: RefParams },
    },
    async (request, reply) => {
      const { ref } = request.params;
      const stored = await loadRegistration(db, ref);
      if (!stored) return reply.code(404).send({ code: 'not-found', message: `No registration ${ref}` });
      return stored;
    },
  );

  app.get(
    '/registrations/:ref/status-changes',
    {
      config: rateLimit,
      schema: {
        tags: ['regulator'],
        summary: 'The audit of status changes, newest first',
        security,
        params: RefParams,
      },
    },
    async (request, reply) => {
      const { ref } = request.params;
      const stored = await loadRegistration(db, ref);
      if (!stored) return reply.code(404).send({ code: 'not-found', message: `No registration ${ref}` });
      return statusChangesOf(db, ref);
    },
  );

  app.post(
    '/registrations/:ref/status-changes',
    {
      config: rateLimit,
      schema: {
        tags: ['regulator'],
        summary: 'Change the status of a registration under the Childcare Act 2006',
        security,
        params: RefParams,
        body: StatusChangeBody,
        response: {
          201: Type.Object({
            from: Type.String(),
            to: Type.String(),
            correction: Type.Boolean(),
            version: Type.Integer(),
          }),
          404: ErrorBody,
          409: Type.Object({ code: Type.String(), message: Type.String(), currentVersion: Type.Integer() }),
          422: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const { ref } = request.params;
      const body = request.body;
      const change = statusChangeFromForm({
        ...body,
        investigationCannotFinishSooner: body.investigationCannotFinishSooner ? 'yes' : 'no',
      });
      const actor = request.getDecorator<Account>('apiAccount').username;
      const outcome: StatusChangeOutcome = await recordStatusChange(db, {
        referenceNumber: ref,
        request: change!,
        actor: `${actor} (api)`,
        today: today(),
        expectedVersion: body.expectedVersion,
      });
      switch (outcome.outcome) {
        case 'changed':
          return reply.code(201).send({
            from: outcome.from,
            to: outcome.to,
            correction: outcome.correction,
            version: outcome.version,
          });
        case 'not-found':
          return reply.code(404).send({ code: 'not-found', message: `No registration ${ref}` });
        case 'stale':
          return reply.code(409).send({
            code: 'stale-version',
            message: 'The registration has changed since the version given',
            currentVersion: outcome.currentVersion,
          });
        case 'refused':
          return reply.code(422).send({ code: outcome.code, message: outcome.message });
        default: {
          const unexpected: never = outcome;
          throw new Error(`unexpected outcome ${JSON.stringify(unexpected)}`);
        }
      }
    },
  );
}
