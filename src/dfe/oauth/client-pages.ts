/**
 * OAuth clients of the attendance API and its signing keys, for an administrator: what
 * `edgate dfe client …` and `edgate dfe keys rotate` do, on pages, through the same functions.
 *
 *   GET  /dfe/oauth-clients                        clients (scopes, LA, supplier, state), keys
 *   GET  /dfe/oauth-clients/new, POST              create one: its secret is shown once (only its
 *                                                  scrypt hash is kept)
 *   GET  /dfe/oauth-clients/:id                    one client and its history
 *   GET  /dfe/oauth-clients/:id/disable|enable|rotate-secret, POST   check your answers, then do it
 *   GET  /dfe/oauth-clients/signing-keys/rotate, POST
 *   GET  /dfe/oauth-clients/changes                the audit
 *
 * A disable or a new secret moves the client's token generation on: a token already issued is
 * refused at its next use, on every instance (clients.ts). A new signing key signs from now; the
 * old one stays published, so tokens it signed verify until they expire (signing-keys.ts).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { Database } from '../../platform/db/database.ts';
import type { Account } from '../../platform/auth/accounts.ts';
import { liveLocalAuthorities, localAuthorityByCode } from '../../platform/reference.ts';
import { formBody, pageFields, typed } from '../../platform/http/typed-routes.ts';
import { errorSummaryOf, listOf, textOf } from '../../platform/web/form-values.ts';
import { checkThenChange } from '../../platform/web/check-then-change.ts';
import {
  createClient,
  disableClient,
  enableClient,
  findClient,
  listClients,
  newClientProblem,
  oauthChanges,
  rotateClientSecret,
  type ClientListing,
  type OAuthChange,
} from './clients.ts';
import { listSigningKeys, type SigningKeys } from './signing-keys.ts';
import { LA_READ_SCOPE, SCOPES, type Scope } from './scopes.ts';

const VIEWS = 'dfe/oauth/views';
export const CLIENT_PAGES = '/dfe/oauth-clients';
const KEY_ROTATION = `${CLIENT_PAGES}/signing-keys/rotate`;
const CHANGES = `${CLIENT_PAGES}/changes`;

/** Each scope in plain words, its name beside it for the supplier's developers. */
export const SCOPE_WORDS: Record<Scope, string> = {
  'attendance.submit': 'Send schools’ attendance',
  'attendance.read': 'Read national and every local authority’s statistics',
  'attendance.read.la': 'Read one local authority’s statistics',
};

const CHANGE_WORDS: Record<OAuthChange['action'], string> = {
  create: 'Client created',
  disable: 'Client disabled',
  enable: 'Client enabled',
  'rotate-secret': 'New client secret',
  'rotate-signing-key': 'New signing key',
};

const ClientParams = Type.Object({ id: Type.String() });

export interface ClientPagesOptions {
  db: Database;
  keys: SigningKeys;
  /** How long a token lives: a retired key stays published this long. */
  lifetimeSeconds: number;
  now: () => Date;
}

const who = (account: Account) => `${account.displayName} (${account.username})`;
const laName = (code: string | null) =>
  code ? `${localAuthorityByCode(code)?.name ?? 'Unknown local authority'} (${code})` : undefined;

export async function clientPages(app: FastifyInstance, options: ClientPagesOptions): Promise<void> {
  const { db, keys, now } = options;
  const clientView = (c: ClientListing) => ({
    ...c,
    scopeWords: c.scopes.map((s) => `${SCOPE_WORDS[s]} (${s})`),
    la: laName(c.laCode) ?? 'None',
    supplier: c.requiresConsent
      ? 'Yes: sends a school’s attendance only with its consent'
      : 'No consent needed',
    state: c.disabledAt ? 'Disabled' : 'Active',
  });
  const changeView = (c: OAuthChange) => ({ ...c, what: CHANGE_WORDS[c.action] ?? c.action });
  const findListed = async (id: string) => (await listClients(db)).find((c) => c.clientId === id);
  const notFound = (reply: FastifyReply) => {
    reply.code(404);
    return reply.view('message.njk', {
      pageTitle: 'There is no such OAuth client',
      paragraphs: ['Check the address, or find the client in the list.'],
      link: { href: CLIENT_PAGES, text: 'OAuth clients' },
    });
  };

  await app.register(async (plain) => {
    const scope = typed(plain);
    const allowed = scope.requireRole('admin');

    const list = { querystring: pageFields('done'), hide: true };
    scope.get(CLIENT_PAGES, { preHandler: allowed, schema: list }, async (request, reply) => {
      const at = now().getTime();
      const lifetimeMs = options.lifetimeSeconds * 1000;
      return reply.view(`${VIEWS}/clients.njk`, {
        pageTitle: 'OAuth clients',
        clients: (await listClients(db)).map(clientView),
        signingKeys: (await listSigningKeys(db)).map((k) => ({
          ...k,
          state:
            k.activatedAt.getTime() > at
              ? 'Published, signs from its start'
              : k.retiredAt === null || k.retiredAt.getTime() > at
                ? 'Signs new tokens'
                : k.retiredAt.getTime() + lifetimeMs > at
                  ? 'Retired: verifies the tokens it signed until they expire'
                  : 'Retired: no token it signed is still valid',
        })),
        done: textOf(request.query.done) === 'rotated' ? 'rotated' : undefined,
        base: CLIENT_PAGES,
        keyRotation: KEY_ROTATION,
        changes: CHANGES,
      });
    });

    const renderNew = (
      reply: FastifyReply,
      values: Record<string, unknown>,
      problems: Record<string, string> = {},
    ) => {
      const scopes = listOf(values.scopes);
      const laCode = textOf(values.laCode);
      return reply.view(`${VIEWS}/new-client.njk`, {
        pageTitle: 'Create an OAuth client',
        values,
        scopeItems: SCOPES.map((s) => ({
          value: s,
          text: SCOPE_WORDS[s],
          hint: { text: `Scope ${s}` },
          checked: scopes.includes(s),
        })),
        laOptions: [
          { value: '', text: 'None' },
          ...liveLocalAuthorities().map((la) => ({
            value: la.code,
            text: `${la.name} (${la.code})`,
            selected: la.code === laCode,
          })),
        ],
        problems,
        errorSummary: errorSummaryOf(problems),
        action: `${CLIENT_PAGES}/new`,
        back: CLIENT_PAGES,
      });
    };
    scope.get(
      `${CLIENT_PAGES}/new`,
      { preHandler: allowed, schema: { hide: true } },
      async (_request, reply) => renderNew(reply, { requiresConsent: 'yes' }),
    );

    const newClient = { body: formBody('name', 'scopes', 'laCode', 'requiresConsent'), hide: true };
    scope.post(`${CLIENT_PAGES}/new`, { preHandler: allowed, schema: newClient }, async (request, reply) => {
      const values = { ...request.body };
      const name = textOf(values.name);
      const scopes = listOf(values.scopes);
      const laCode = textOf(values.laCode);
      const requiresConsent = textOf(values.requiresConsent);
      const problems: Record<string, string> = {};
      if (name === '' || name.length > 200) problems.name = 'Enter the client’s name (up to 200 characters)';
      else if (await findClient(db, name)) problems.name = `There is already a client named "${name}"`;
      if (scopes.length === 0) problems.scopes = 'Select at least one scope';
      if (laCode !== '' && !localAuthorityByCode(laCode)) problems.laCode = 'Select a local authority';
      else if (scopes.includes(LA_READ_SCOPE) && laCode === '')
        problems.laCode = `Select the local authority whose statistics it reads (${SCOPE_WORDS[LA_READ_SCOPE]})`;
      if (requiresConsent !== 'yes' && requiresConsent !== 'no')
        problems.requiresConsent = 'Select whether it needs each school’s consent';
      const client = {
        name,
        scopes,
        ...(laCode ? { laCode } : {}),
        requiresConsent: requiresConsent === 'yes',
        by: who(request.session!.account),
      };
      const problem = Object.keys(problems).length === 0 ? newClientProblem(client) : undefined;
      if (problem) problems.scopes = problem;
      if (Object.keys(problems).length > 0) return renderNew(reply.code(400), values, problems);
      const created = await createClient(db, client);
      request.log.info({ clientId: created.clientId, name }, 'OAuth client created');
      return reply.view('shown-once.njk', {
        pageTitle: 'OAuth client created',
        caption: name,
        paragraphs: [
          `Scopes: ${scopes.join(', ')}. It obtains tokens at /oauth2/token with the client credentials grant.`,
          'Give the client ID and secret to the supplier in a safe way, apart from each other.',
        ],
        secrets: [
          { label: 'Client ID', value: created.clientId, id: 'client-id' },
          { label: 'Client secret', value: created.clientSecret, id: 'client-secret' },
        ],
        link: { href: `${CLIENT_PAGES}/${created.clientId}`, text: `Go to ${name}` },
      });
    });

    scope.get(CHANGES, { preHandler: allowed, schema: { hide: true } }, async (_request, reply) =>
      reply.view(`${VIEWS}/changes.njk`, {
        pageTitle: 'Changes to OAuth clients and signing keys',
        history: (await oauthChanges(db, { limit: 200 })).map(changeView),
        showClient: true,
        base: CLIENT_PAGES,
      }),
    );

    scope.get(KEY_ROTATION, { preHandler: allowed, schema: { hide: true } }, async (_request, reply) =>
      reply.view('check-answers.njk', {
        caption: 'OAuth clients',
        pageTitle: 'Rotate the signing keys',
        rows: [
          { key: 'Keys kept now', value: String((await listSigningKeys(db)).length) },
          { key: 'Tokens live for', value: `${Math.round(options.lifetimeSeconds / 60)} minutes` },
        ],
        paragraphs: [
          'A new key signs every token from now on. The current key is retired but stays published, so tokens it signed keep working until they expire: no client notices.',
          'Do this on a schedule, or at once if a key may have been exposed. Your name is recorded with the change.',
        ],
        action: KEY_ROTATION,
        button: 'Rotate the signing keys',
        back: { href: CLIENT_PAGES, text: 'Back to the OAuth clients' },
      }),
    );
    scope.post(
      KEY_ROTATION,
      { preHandler: allowed, schema: { body: formBody(), hide: true } },
      async (request, reply) => {
        const at = now();
        const { kid } = await keys.rotate(at, at, who(request.session!.account));
        request.log.info({ kid }, 'signing keys rotated');
        return reply.redirect(`${CLIENT_PAGES}?done=rotated`, 303);
      },
    );

    const detail = { params: ClientParams, querystring: pageFields('done'), hide: true };
    scope.get(`${CLIENT_PAGES}/:id`, { preHandler: allowed, schema: detail }, async (request, reply) => {
      const client = await findListed(request.params.id);
      if (!client) return notFound(reply);
      const done = textOf(request.query.done);
      return reply.view(`${VIEWS}/client.njk`, {
        pageTitle: client.name,
        client: clientView(client),
        history: (await oauthChanges(db, { clientId: client.clientId })).map(changeView),
        done: ['disable', 'enable', 'unchanged'].includes(done) ? done : undefined,
        base: `${CLIENT_PAGES}/${client.clientId}`,
        back: CLIENT_PAGES,
      });
    });

    const CHANGES_ASKED = {
      disable: {
        title: 'Disable',
        button: 'Disable the client',
        warning:
          'Its tokens are refused from their next use and it cannot obtain new ones, until it is enabled again. Tokens issued before stay refused even then.',
      },
      enable: {
        title: 'Enable',
        button: 'Enable the client',
        warning: undefined,
      },
      'rotate-secret': {
        title: 'Make a new secret for',
        button: 'Make a new secret',
        warning:
          'The current secret stops working at once, and so do the tokens obtained with it. The new secret is shown once, on the next page.',
      },
    } as const;
    checkThenChange(scope, {
      path: `${CLIENT_PAGES}/:id/:change`,
      changes: ['disable', 'enable', 'rotate-secret'] as const,
      preHandler: allowed,
      find: (params) => findListed(params.id ?? ''),
      notFound,
      check: (client, change) => {
        const asked = CHANGES_ASKED[change];
        const view = clientView(client);
        return {
          caption: 'OAuth clients',
          pageTitle: `${asked.title} ${client.name}`,
          rows: [
            { key: 'Client', value: client.name },
            { key: 'Client ID', value: client.clientId },
            { key: 'Scopes', value: view.scopeWords.join('; ') },
            { key: 'State', value: view.state },
          ],
          ...(asked.warning ? { warning: asked.warning } : {}),
          paragraphs: [
            change === 'enable'
              ? 'It can obtain new tokens with its current secret. Tokens issued before it was disabled stay refused.'
              : 'Tell the supplier first if you can.',
            'Your name is recorded with the change.',
          ],
          button: asked.button,
          warningButton: change !== 'enable',
          back: { href: `${CLIENT_PAGES}/${client.clientId}`, text: 'Back to the client' },
        };
      },
      apply: async (client, change, request, reply) => {
        const by = who(request.session!.account);
        if (change === 'rotate-secret') {
          const secret = await rotateClientSecret(db, client.clientId, by);
          if (secret === undefined) return notFound(reply);
          return reply.view('shown-once.njk', {
            pageTitle: 'New client secret',
            caption: client.name,
            paragraphs: [
              'The old secret, and tokens obtained with it, no longer work.',
              ...(client.disabledAt
                ? ['The client is still disabled: enable it for the new secret to work.']
                : []),
            ],
            secrets: [
              { label: 'Client ID', value: client.clientId, id: 'client-id' },
              { label: 'Client secret', value: secret, id: 'client-secret' },
            ],
            link: { href: `${CLIENT_PAGES}/${client.clientId}`, text: `Go to ${client.name}` },
          });
        }
        const changed =
          change === 'disable'
            ? await disableClient(db, client.clientId, now(), by)
            : await enableClient(db, client.clientId, by);
        return reply.redirect(
          `${CLIENT_PAGES}/${client.clientId}?done=${changed ? change : 'unchanged'}`,
          303,
        );
      },
    });
  });
  app.addNavigation({ href: CLIENT_PAGES, text: 'OAuth clients', roles: ['admin'] });
}
