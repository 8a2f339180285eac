/**
 * The gateway's accounts, certificates and agents' authorisations, for an administrator: what
 * `edgate gateway` does, on pages, through the same store functions.
 *
 *   GET  /regulator/gateway/accounts                      accounts and authorisations
 *   GET  /regulator/gateway/new-account                   who collects with it: an LA or an agent
 *   POST /regulator/gateway/new-account/kind              → ?kind=la|agent
 *   GET  /regulator/gateway/new-account?kind=K, POST      create one: password and FID API key
 *                                                         shown once (sealed and hashed at rest)
 *   GET  /regulator/gateway/accounts/:username            one account: certificates, history
 *   GET  /regulator/gateway/accounts/:username/certificate, POST   register a certificate (PEM
 *                                                         file or pasted, multipart form)
 *   GET  /regulator/gateway/accounts/:username/certificates/:thumbprint/remove, POST
 *   GET  /regulator/gateway/accounts/:username/disable|enable, POST
 *   GET  /regulator/gateway/new-authorisation, POST       an LA authorises an agent
 *   GET  /regulator/gateway/authorisations/:id/revoke, POST
 *   GET  /regulator/gateway/changes                       the audit of all of these
 *
 * Whatever cuts a client off asks first (check your answers) and holds from its next request on
 * every instance: SOAP and FID read the account, its certificates and authorisations per request.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { Database } from '../../platform/db/database.ts';
import type { SecretBox } from '../../platform/auth/secret-box.ts';
import type { Account } from '../../platform/auth/accounts.ts';
import { liveLocalAuthorities, localAuthorityByCode } from '../../platform/reference.ts';
import { londonDateOf } from '../../platform/calendar.ts';
import { formBody, pageFields, typed } from '../../platform/http/typed-routes.ts';
import { dateFromParts, errorSummaryOf, textOf } from '../../platform/web/form-values.ts';
import { acceptFormsWithFiles, fileField } from '../../platform/web/form-with-files.ts';
import { checkThenChange } from '../../platform/web/check-then-change.ts';
import {
  addCertificate,
  authorise,
  createGatewayAccount,
  GatewayAdminError,
  revoke,
} from './gateway-store.ts';
import {
  gatewayChanges,
  listAuthorisations,
  listCertificates,
  listGatewayAccounts,
  normaliseThumbprint,
  removeCertificate,
  setGatewayAccountDisabled,
  type AuthorisationListing,
  type GatewayAccountListing,
  type GatewayChange,
} from './gateway-access.ts';

const VIEWS = 'regulator/gateway/views';
const BASE = '/regulator/gateway';
export const GATEWAY_ACCOUNT_PAGES = `${BASE}/accounts`;
const NEW_ACCOUNT = `${BASE}/new-account`;
const NEW_AUTHORISATION = `${BASE}/new-authorisation`;
const CHANGES = `${BASE}/changes`;
/** A PEM certificate is a few kilobytes; a chain a little more. */
const CERTIFICATE_FORM_BYTES = 64 * 1024;

const CHANGE_WORDS: Record<GatewayChange['action'], string> = {
  create: 'Account created',
  'add-certificate': 'Certificate registered',
  'remove-certificate': 'Certificate removed',
  disable: 'Account disabled',
  enable: 'Account enabled',
  'rotate-password': 'New password',
  'rotate-api-key': 'New FID API key',
  authorise: 'Agent authorised',
  'revoke-authorisation': 'Authorisation revoked',
};

const laName = (code: string | null) =>
  code ? `${localAuthorityByCode(code)?.name ?? 'Unknown local authority'} (${code})` : '';

/** "CN=Agent Ltd gateway\nO=Agent Ltd\nC=GB" as people read it: "Agent Ltd gateway, Agent Ltd, GB". */
export function subjectInWords(subject: string): string {
  const parts = Object.fromEntries(
    subject
      .split('\n')
      .map((line) => line.split('='))
      .filter((pair) => pair.length >= 2)
      .map(([key, ...value]) => [key!.trim(), value.join('=').trim()]),
  );
  const words = [parts.CN, parts.OU, parts.O, parts.L, parts.C].filter((w): w is string => !!w);
  return words.length > 0 ? words.join(', ') : subject.replace(/\n/g, ', ');
}

/** A SHA-1 thumbprint as certificate tools print it: AB:CD:… */
export const thumbprintInWords = (hex: string) => hex.toUpperCase().match(/../g)!.join(':');

const longDate = (date: Date) =>
  date.toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'Europe/London',
  });

/** When a certificate stops being accepted, in plain words. */
export function expiryInWords(notAfter: Date, now: Date): string {
  const days = Math.floor((notAfter.getTime() - now.getTime()) / 86_400_000);
  if (days < 0) return `Expired on ${longDate(notAfter)}: signatures with it are refused`;
  if (days < 31)
    return `Expires on ${longDate(notAfter)}, in ${days} day${days === 1 ? '' : 's'}: register its successor`;
  return `Valid until ${longDate(notAfter)}`;
}

const UsernameParams = Type.Object({ username: Type.String() });

export interface GatewayAdminPagesOptions {
  db: Database;
  box: SecretBox;
  now: () => Date;
}

const who = (account: Account) => `${account.displayName} (${account.username})`;

export async function gatewayAdminPages(
  app: FastifyInstance,
  options: GatewayAdminPagesOptions,
): Promise<void> {
  const { db, box, now } = options;
  const accountView = (a: GatewayAccountListing) => ({
    ...a,
    forWhom: a.kind === 'la' ? `Local authority: ${laName(a.laCode)}` : `Agent: ${a.organisation}`,
    state: a.disabledAt ? 'Disabled' : 'Active',
    signing: a.requireCertificate ? 'Signed with a registered certificate' : 'Signature not needed',
  });
  const authorisationView = (a: AuthorisationListing) => ({
    ...a,
    la: laName(a.laCode),
    current: a.revokedAt === null && (a.validUntil === null || a.validUntil >= londonDateOf(now())),
    period: `${a.validFrom}${a.validUntil ? ` to ${a.validUntil}` : ' until revoked'}`,
  });
  const changeView = (c: GatewayChange) => ({
    ...c,
    what: CHANGE_WORDS[c.action] ?? c.action,
    la: laName(c.laCode),
  });
  const laOptions = (selected: string) => [
    { value: '', text: 'Choose a local authority' },
    ...liveLocalAuthorities().map((la) => ({
      value: la.code,
      text: `${la.name} (${la.code})`,
      selected: la.code === selected,
    })),
  ];
  const findAccount = async (username: string) =>
    (await listGatewayAccounts(db)).find((a) => a.username === username.trim().toLowerCase());
  const notFound = (reply: FastifyReply, what = 'gateway account') => {
    reply.code(404);
    return reply.view('message.njk', {
      pageTitle: `There is no such ${what}`,
      paragraphs: ['Check the address, or find it in the list.'],
      link: { href: GATEWAY_ACCOUNT_PAGES, text: 'Gateway accounts' },
    });
  };

  await app.register(async (plain) => {
    const scope = typed(plain);
    const allowed = scope.requireRole('admin');
    await acceptFormsWithFiles(plain, {
      limits: { fileSize: CERTIFICATE_FORM_BYTES, files: 1, fields: 4 },
      mayPost: allowed,
      refuse: (_request, reply, status, message) => reply.code(status).type('text/plain').send(message),
    });

    const list = { querystring: pageFields('done', 'organisation', 'la'), hide: true };
    scope.get(GATEWAY_ACCOUNT_PAGES, { preHandler: allowed, schema: list }, async (request, reply) => {
      const done = textOf(request.query.done);
      return reply.view(`${VIEWS}/accounts.njk`, {
        pageTitle: 'Gateway accounts',
        accounts: (await listGatewayAccounts(db)).map(accountView),
        authorisations: (await listAuthorisations(db)).map(authorisationView),
        done: done === 'authorised' || done === 'revoked' ? done : undefined,
        doneText: `${textOf(request.query.organisation)}, ${laName(textOf(request.query.la))}`,
        base: GATEWAY_ACCOUNT_PAGES,
        newAccount: NEW_ACCOUNT,
        newAuthorisation: NEW_AUTHORISATION,
        changes: CHANGES,
        authorisationBase: `${BASE}/authorisations`,
      });
    });

    type Kind = 'la' | 'agent';
    const kindOf = (value: unknown): Kind | undefined => {
      const kind = textOf(value);
      return kind === 'la' || kind === 'agent' ? kind : undefined;
    };
    /** The kind question, or (with a kind) the account's details: one question a page, no reveal. */
    const renderNew = (
      reply: FastifyReply,
      values: Record<string, unknown>,
      problems: Record<string, string> = {},
    ) => {
      const kind = problems.kind ? undefined : kindOf(values.kind);
      return reply.view(`${VIEWS}/new-account.njk`, {
        pageTitle: !kind
          ? 'Who will collect with the gateway account?'
          : kind === 'la'
            ? 'Create a local authority’s gateway account'
            : 'Create an agent’s gateway account',
        step: kind ? 'details' : 'kind',
        values: { requireCertificate: 'yes', ...values },
        laOptions: laOptions(textOf(values.laCode)),
        problems,
        errorSummary: errorSummaryOf(problems),
        action: kind ? NEW_ACCOUNT : `${NEW_ACCOUNT}/kind`,
        back: kind
          ? { text: 'Back', href: NEW_ACCOUNT }
          : { text: 'Back to the gateway accounts', href: GATEWAY_ACCOUNT_PAGES },
      });
    };
    const kindMissing = (reply: FastifyReply, values: Record<string, unknown>) =>
      renderNew(reply.code(400), values, { kind: 'Select who collects with the account' });
    const newAccountPage = { querystring: pageFields('kind'), hide: true };
    scope.get(NEW_ACCOUNT, { preHandler: allowed, schema: newAccountPage }, async (request, reply) =>
      renderNew(reply, { kind: kindOf(request.query.kind) }),
    );
    const newAccountKind = { body: formBody('kind'), hide: true };
    scope.post(
      `${NEW_ACCOUNT}/kind`,
      { preHandler: allowed, schema: newAccountKind },
      async (request, reply) => {
        const kind = kindOf(request.body?.kind);
        if (!kind) return kindMissing(reply, {});
        return reply.redirect(`${NEW_ACCOUNT}?kind=${kind}`, 303);
      },
    );

    const newAccount = {
      body: formBody('username', 'kind', 'laCode', 'organisation', 'requireCertificate'),
      hide: true,
    };
    scope.post(NEW_ACCOUNT, { preHandler: allowed, schema: newAccount }, async (request, reply) => {
      const values = { ...request.body };
      const username = textOf(values.username).toLowerCase();
      const kind = textOf(values.kind);
      const laCode = textOf(values.laCode);
      const organisation = textOf(values.organisation);
      const requireCertificate = textOf(values.requireCertificate);
      const problems: Record<string, string> = {};
      if (!/^[a-z0-9][a-z0-9._@-]{1,63}$/.test(username))
        problems.username = 'Enter a username of 2 to 64 letters, digits, dots, dashes, @ or underscores';
      if (kind !== 'la' && kind !== 'agent') return kindMissing(reply, values);
      if (kind === 'la' && !localAuthorityByCode(laCode)) problems.laCode = 'Select the local authority';
      if (kind === 'agent' && (organisation.length < 2 || organisation.length > 200))
        problems.organisation = 'Enter the agent’s organisation name (2 to 200 characters)';
      if (requireCertificate !== 'yes' && requireCertificate !== 'no')
        problems.requireCertificate = 'Select whether its SOAP requests must be signed';
      if (Object.keys(problems).length > 0) return renderNew(reply.code(400), values, problems);
      let created;
      try {
        created = await createGatewayAccount(db, box, {
          username,
          ...(kind === 'la' ? { laCode } : { agent: organisation }),
          requireCertificate: requireCertificate === 'yes',
          by: who(request.session!.account),
        });
      } catch (error) {
        if (!(error instanceof GatewayAdminError)) throw error;
        return renderNew(reply.code(400), values, { username: error.message });
      }
      request.log.info({ username: created.username }, 'gateway account created');
      return reply.view('shown-once.njk', {
        pageTitle: 'Gateway account created',
        caption: `${created.username}, for ${created.kind === 'la' ? laName(created.laCode) : created.organisation}`,
        paragraphs: [
          'The password is for the ISPP SOAP service (WS-Security UsernameToken), the API key for the FID service (APIKEY header).',
          requireCertificate === 'yes'
            ? 'Its SOAP requests must also be signed: register the certificate it signs with on its page.'
            : 'Its SOAP requests need no signature.',
        ],
        secrets: [
          { label: 'Username', value: created.username, id: 'username' },
          { label: 'Password', value: created.password, id: 'password' },
          { label: 'FID API key', value: created.apiKey, id: 'api-key' },
        ],
        link: { href: `${GATEWAY_ACCOUNT_PAGES}/${created.username}`, text: `Go to ${created.username}` },
      });
    });

    const detail = { params: UsernameParams, querystring: pageFields('done'), hide: true };
    scope.get(
      `${GATEWAY_ACCOUNT_PAGES}/:username`,
      { preHandler: allowed, schema: detail },
      async (request, reply) => {
        const account = await findAccount(request.params.username);
        if (!account) return notFound(reply);
        const done = textOf(request.query.done);
        return reply.view(`${VIEWS}/account.njk`, {
          pageTitle: account.username,
          account: accountView(account),
          certificates: (await listCertificates(db, account.username)).map((c) => ({
            ...c,
            subjectText: subjectInWords(c.subject),
            thumbprintText: thumbprintInWords(c.thumbprintSha1),
            expiry: expiryInWords(c.notAfter, now()),
          })),
          history: (await gatewayChanges(db, { username: account.username })).map(changeView),
          done: ['certificate', 'removed', 'disable', 'enable', 'unchanged'].includes(done)
            ? done
            : undefined,
          base: `${GATEWAY_ACCOUNT_PAGES}/${account.username}`,
          back: GATEWAY_ACCOUNT_PAGES,
        });
      },
    );

    const renderCertificate = (reply: FastifyReply, account: GatewayAccountListing, problem?: string) =>
      reply.view(`${VIEWS}/certificate.njk`, {
        pageTitle: `Register a certificate for ${account.username}`,
        account,
        problem,
        errorSummary: problem ? errorSummaryOf({ certificate: problem }) : [],
        action: `${GATEWAY_ACCOUNT_PAGES}/${account.username}/certificate`,
        back: `${GATEWAY_ACCOUNT_PAGES}/${account.username}`,
      });
    const certificatePage = { params: UsernameParams, hide: true };
    scope.get(
      `${GATEWAY_ACCOUNT_PAGES}/:username/certificate`,
      { preHandler: allowed, schema: certificatePage },
      async (request, reply) => {
        const account = await findAccount(request.params.username);
        return account ? renderCertificate(reply, account) : notFound(reply);
      },
    );
    const certificateForm = { params: UsernameParams, body: formBody('certificate', 'pem'), hide: true };
    scope.post(
      `${GATEWAY_ACCOUNT_PAGES}/:username/certificate`,
      { preHandler: allowed, schema: certificateForm },
      async (request, reply) => {
        const account = await findAccount(request.params.username);
        if (!account) return notFound(reply);
        const body = (request.body ?? {}) as Record<string, unknown>;
        const pem = fileField(body, 'certificate')?.toString('utf8').trim() || textOf(body.pem);
        if (pem === '')
          return renderCertificate(
            reply.code(400),
            account,
            'Choose the certificate file, or paste the certificate',
          );
        try {
          await addCertificate(db, account.username, pem, who(request.session!.account), now());
        } catch (error) {
          if (!(error instanceof GatewayAdminError)) throw error;
          return renderCertificate(reply.code(400), account, error.message);
        }
        return reply.redirect(`${GATEWAY_ACCOUNT_PAGES}/${account.username}?done=certificate`, 303);
      },
    );

    const back = (username: string) => ({
      href: `${GATEWAY_ACCOUNT_PAGES}/${username}`,
      text: 'Back to the account',
    });
    const recorded = 'Your name is recorded with the change.';
    checkThenChange(scope, {
      path: `${GATEWAY_ACCOUNT_PAGES}/:username/certificates/:thumbprint/:change`,
      changes: ['remove'] as const,
      preHandler: allowed,
      find: async (params) => {
        const thumbprint = normaliseThumbprint(params.thumbprint ?? '');
        const account = await findAccount(params.username ?? '');
        if (!account || !thumbprint) return undefined;
        const certificates = await listCertificates(db, account.username);
        const certificate = certificates.find((c) => c.thumbprintSha1 === thumbprint);
        return certificate && { account, certificate };
      },
      notFound: (reply) => notFound(reply, 'certificate'),
      check: ({ account, certificate }) => ({
        caption: account.username,
        pageTitle: 'Remove the certificate',
        rows: [
          { key: 'Account', value: `${account.username} (${accountView(account).forWhom})` },
          { key: 'Certificate', value: subjectInWords(certificate.subject) },
          { key: 'SHA-1 thumbprint', value: thumbprintInWords(certificate.thumbprintSha1) },
          { key: 'Expiry', value: expiryInWords(certificate.notAfter, now()) },
        ],
        warning:
          'SOAP requests signed with this certificate are refused from the next one on. This cannot be undone: the certificate would have to be registered again.',
        paragraphs: [recorded],
        button: 'Remove the certificate',
        warningButton: true,
        back: back(account.username),
      }),
      apply: async ({ account, certificate }, _change, request, reply) => {
        await removeCertificate(db, {
          username: account.username,
          thumbprint: certificate.thumbprintSha1,
          by: who(request.session!.account),
        });
        return reply.redirect(`${GATEWAY_ACCOUNT_PAGES}/${account.username}?done=removed`, 303);
      },
    });

    checkThenChange(scope, {
      path: `${GATEWAY_ACCOUNT_PAGES}/:username/:change`,
      changes: ['disable', 'enable'] as const,
      preHandler: allowed,
      find: (params) => findAccount(params.username ?? ''),
      notFound,
      check: (account, change) => {
        const disable = change === 'disable';
        return {
          caption: 'Gateway accounts',
          pageTitle: `${disable ? 'Disable' : 'Enable'} ${account.username}`,
          rows: [
            { key: 'Account', value: account.username },
            { key: 'Collects for', value: accountView(account).forWhom },
            { key: 'Certificates', value: String(account.certificates) },
          ],
          ...(disable
            ? {
                warning:
                  'Its SOAP and FID requests are refused from the next one on, until it is enabled again.',
              }
            : {}),
          paragraphs: [
            disable
              ? 'Its password, API key and certificates are kept.'
              : 'It collects again with its current password, API key and certificates.',
            recorded,
          ],
          button: disable ? 'Disable the account' : 'Enable the account',
          warningButton: disable,
          back: back(account.username),
        };
      },
      apply: async (account, change, request, reply) => {
        const changed = await setGatewayAccountDisabled(db, {
          username: account.username,
          disabled: change === 'disable',
          by: who(request.session!.account),
        });
        return reply.redirect(
          `${GATEWAY_ACCOUNT_PAGES}/${account.username}?done=${changed ? change : 'unchanged'}`,
          303,
        );
      },
    });

    const agentOrganisations = async () =>
      [
        ...new Set(
          (await listGatewayAccounts(db)).filter((a) => a.kind === 'agent').map((a) => a.organisation),
        ),
      ].sort();
    const renderAuthorise = async (
      reply: FastifyReply,
      values: Record<string, unknown>,
      problems: Record<string, string> = {},
    ) =>
      reply.view(`${VIEWS}/new-authorisation.njk`, {
        pageTitle: 'Authorise an agent',
        values,
        organisations: [
          { value: '', text: 'Choose an agent' },
          ...(await agentOrganisations()).map((o) => ({
            value: o,
            text: o,
            selected: o === textOf(values.organisation),
          })),
        ],
        laOptions: laOptions(textOf(values.laCode)),
        problems,
        errorSummary: errorSummaryOf(problems),
        action: NEW_AUTHORISATION,
        back: GATEWAY_ACCOUNT_PAGES,
      });
    scope.get(NEW_AUTHORISATION, { preHandler: allowed, schema: { hide: true } }, async (_request, reply) => {
      const [year, month, day] = londonDateOf(now()).split('-');
      return renderAuthorise(reply, {
        'from-day': String(Number(day)),
        'from-month': String(Number(month)),
        'from-year': year,
      });
    });
    const dateFields = [
      'from-day',
      'from-month',
      'from-year',
      'until-day',
      'until-month',
      'until-year',
    ] as const;
    const authoriseForm = { body: formBody('organisation', 'laCode', ...dateFields), hide: true };
    scope.post(NEW_AUTHORISATION, { preHandler: allowed, schema: authoriseForm }, async (request, reply) => {
      const values = { ...request.body };
      const organisation = textOf(values.organisation);
      const laCode = textOf(values.laCode);
      const problems: Record<string, string> = {};
      if (!(await agentOrganisations()).includes(organisation)) problems.organisation = 'Select the agent';
      if (!localAuthorityByCode(laCode)) problems.laCode = 'Select the local authority that authorises it';
      const validFrom = dateFromParts(values['from-day'], values['from-month'], values['from-year']);
      if (!validFrom)
        problems['from-day'] = 'Enter the first day it may collect, as a real date, for example 2 11 2026';
      const untilGiven = [values['until-day'], values['until-month'], values['until-year']].some(
        (v) => textOf(v) !== '',
      );
      const validUntil = untilGiven
        ? dateFromParts(values['until-day'], values['until-month'], values['until-year'])
        : undefined;
      if (untilGiven && !validUntil)
        problems['until-day'] = 'Enter the last day it may collect as a real date, or leave it empty';
      else if (validFrom && validUntil && validUntil < validFrom)
        problems['until-day'] = 'The last day must be on or after the first day';
      if (Object.keys(problems).length > 0) return renderAuthorise(reply.code(400), values, problems);
      await authorise(db, {
        organisation,
        laCode,
        validFrom: validFrom!,
        ...(validUntil ? { validUntil } : {}),
        by: who(request.session!.account),
      });
      const done = new URLSearchParams({ done: 'authorised', organisation, la: laCode });
      return reply.redirect(`${GATEWAY_ACCOUNT_PAGES}?${done}`, 303);
    });

    checkThenChange(scope, {
      path: `${BASE}/authorisations/:id/:change`,
      changes: ['revoke'] as const,
      preHandler: allowed,
      find: async (params) => {
        const id = Number(params.id);
        if (!Number.isSafeInteger(id) || id <= 0) return undefined;
        const found = (await listAuthorisations(db, { id }))[0];
        return found && found.revokedAt === null ? authorisationView(found) : undefined;
      },
      notFound: (reply) => notFound(reply, 'current authorisation'),
      check: (view) => ({
        caption: 'Gateway accounts',
        pageTitle: 'Revoke the authorisation',
        rows: [
          { key: 'Agent', value: view.organisation },
          { key: 'Local authority', value: view.la },
          { key: 'Period', value: view.period },
          { key: 'Authorised by', value: `${view.createdBy}, ${longDate(view.createdAt)}` },
        ],
        warning: `${view.organisation} cannot collect ${view.la}’s extract from its next request. To let it again, authorise it anew.`,
        paragraphs: [recorded],
        button: 'Revoke the authorisation',
        warningButton: true,
        back: { href: GATEWAY_ACCOUNT_PAGES, text: 'Back to the gateway accounts' },
      }),
      apply: async (authorisation, _change, request, reply) => {
        await revoke(db, {
          organisation: authorisation.organisation,
          laCode: authorisation.laCode,
          by: who(request.session!.account),
        });
        const done = new URLSearchParams({
          done: 'revoked',
          organisation: authorisation.organisation,
          la: authorisation.laCode,
        });
        return reply.redirect(`${GATEWAY_ACCOUNT_PAGES}?${done}`, 303);
      },
    });

    scope.get(CHANGES, { preHandler: allowed, schema: { hide: true } }, async (_request, reply) =>
      reply.view(`${VIEWS}/changes.njk`, {
        pageTitle: 'Changes to gateway access',
        changes: (await gatewayChanges(db, { limit: 200 })).map(changeView),
        base: GATEWAY_ACCOUNT_PAGES,
      }),
    );
  });
  app.addNavigation({ href: GATEWAY_ACCOUNT_PAGES, text: 'Gateway accounts', roles: ['admin'] });
}
