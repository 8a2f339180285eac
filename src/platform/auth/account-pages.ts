/**
 * Accounts and their roles, for an administrator: what `edgate user` does, on pages. The
 * platform knows no role: the account roles there are come from the role modules, through the
 * composition root (`accountRolesOf`).
 *
 *   GET  /admin/accounts                        every account, and a link to the changes
 *   GET  /admin/new-account, POST               create one; its first password is generated and
 *                                               shown once (only its scrypt hash is kept)
 *   GET  /admin/accounts/:username              one account, what can be done to it, its history
 *   GET  /admin/accounts/:username/roles, POST  change its roles (and local authority)
 *   GET  /admin/accounts/:username/disable|enable, POST   check your answers, then do it
 *   GET  /admin/account-changes                 the audit: who changed which account, and when
 *
 * Every change is audited in `platform.account_change` and holds at once on every instance: the
 * session check reads the account's roles and `disabled_at` on each request. An administrator
 * cannot disable themselves or take away their own administrator role (nobody could give it back
 * but another administrator).
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { Database } from '../db/database.ts';
import { liveLocalAuthorities, localAuthorityByCode } from '../reference.ts';
import { formBody, pageFields, typed } from '../http/typed-routes.ts';
import { errorSummaryOf, listOf, textOf } from '../web/form-values.ts';
import { checkThenChange } from '../web/check-then-change.ts';
import { ADMIN_ROLE, AccountError, roleTitle, type Account, type AccountRoleDefinition } from './accounts.ts';
import {
  accountChanges,
  addAccount,
  listAccounts,
  setAccountDisabled,
  setAccountRoles,
  type AccountListing,
} from './account-access.ts';

const VIEWS = 'platform/auth/views';
export const ACCOUNT_PAGES = '/admin/accounts';
const NEW_ACCOUNT = '/admin/new-account';
const ACCOUNT_CHANGES = '/admin/account-changes';

export interface AccountPagesOptions {
  db: Database;
  /** Every account role there is, the platform's and the modules' (`accountRolesOf`). */
  accountRoles: readonly AccountRoleDefinition[];
}

/** Who made a change, as the audit names them. */
export const changedBy = (account: Account): string => `${account.displayName} (${account.username})`;

const ACTIONS: Record<string, string> = {
  create: 'Created',
  roles: 'Roles changed',
  disable: 'Disabled',
  enable: 'Enabled',
};

const UsernameParams = Type.Object({ username: Type.String() });

export async function accountPages(app: FastifyInstance, options: AccountPagesOptions): Promise<void> {
  const { db, accountRoles } = options;
  const titleOf = (name: string) => {
    const role = accountRoles.find((r) => r.name === name);
    return role ? roleTitle(role) : name;
  };
  const laName = (code: string | null) =>
    code ? `${localAuthorityByCode(code)?.name ?? 'Unknown'} (${code})` : undefined;
  const accountView = (a: AccountListing) => ({
    ...a,
    roleTitles: a.roles.map(titleOf).join(', '),
    la: laName(a.laCode),
    state: a.disabledAt ? 'Disabled' : 'Active',
  });
  const laOptions = (selected: string) => [
    { value: '', text: 'None' },
    ...liveLocalAuthorities().map((la) => ({
      value: la.code,
      text: `${la.name} (${la.code})`,
      selected: la.code === selected,
    })),
  ];
  const roleItems = (checked: readonly string[]) =>
    accountRoles.map((role) => ({
      value: role.name,
      text: roleTitle(role),
      hint: { text: `${role.description[0]!.toUpperCase()}${role.description.slice(1)}.` },
      checked: checked.includes(role.name),
    }));
  const forOneLa = accountRoles.filter((r) => r.localAuthority).map(roleTitle);

  /** The roles and local authority a form asks for, or its problems in plain words. */
  function rolesAsked(body: Record<string, unknown> | null) {
    const roles = listOf(body?.roles);
    const laCode = textOf(body?.laCode);
    const problems: Record<string, string> = {};
    const known = accountRoles.map((r) => r.name as string);
    if (roles.length === 0 || roles.some((r) => !known.includes(r)))
      problems.roles = 'Select at least one role';
    const needsLa = accountRoles.some((r) => r.localAuthority && roles.includes(r.name));
    if (needsLa && !localAuthorityByCode(laCode))
      problems.laCode = `Select the local authority a ${forOneLa.join(' or ').toLowerCase()} works for`;
    if (!needsLa && laCode !== '')
      problems.laCode = `Only a ${forOneLa.join(' or ').toLowerCase()} works for one local authority: select None`;
    return { roles, laCode: laCode === '' ? undefined : laCode, problems };
  }

  const notFound = (reply: FastifyReply) => {
    reply.code(404);
    return reply.view('message.njk', {
      pageTitle: 'There is no such account',
      paragraphs: ['Check the address, or find the account in the list.'],
      link: { href: ACCOUNT_PAGES, text: 'Accounts' },
    });
  };
  const findAccount = async (username: string) =>
    (await listAccounts(db)).find((a) => a.username === username.toLowerCase());

  await app.register(async (plain) => {
    const scope = typed(plain);
    const allowed = scope.requireRole('admin');

    scope.get(ACCOUNT_PAGES, { preHandler: allowed, schema: { hide: true } }, async (_request, reply) => {
      const accounts = await listAccounts(db);
      return reply.view(`${VIEWS}/accounts.njk`, {
        pageTitle: 'Accounts',
        accounts: accounts.map(accountView),
        base: ACCOUNT_PAGES,
        newAccount: NEW_ACCOUNT,
        changes: ACCOUNT_CHANGES,
      });
    });

    const renderNew = (reply: FastifyReply, values: Record<string, unknown>, problems = {}) =>
      reply.view(`${VIEWS}/new-account.njk`, {
        pageTitle: 'Create an account',
        values,
        roleItems: roleItems(listOf(values.roles)),
        laOptions: laOptions(textOf(values.laCode)),
        problems,
        errorSummary: errorSummaryOf(problems),
        action: NEW_ACCOUNT,
        back: ACCOUNT_PAGES,
      });

    scope.get(NEW_ACCOUNT, { preHandler: allowed, schema: { hide: true } }, async (_request, reply) =>
      renderNew(reply, {}),
    );

    const newAccount = { body: formBody('displayName', 'username', 'roles', 'laCode'), hide: true };
    scope.post(NEW_ACCOUNT, { preHandler: allowed, schema: newAccount }, async (request, reply) => {
      const body = request.body;
      const values = { ...body };
      const displayName = textOf(body?.displayName);
      const username = textOf(body?.username).toLowerCase();
      const { roles, laCode, problems } = rolesAsked(body);
      const named: Record<string, string> = {};
      if (displayName === '' || displayName.length > 200)
        named.displayName = 'Enter the person’s full name (up to 200 characters)';
      if (!/^[a-z0-9][a-z0-9._@-]{1,63}$/.test(username))
        named.username =
          'Enter a username of 2 to 64 letters, digits, dots, dashes, @ or underscores, such as their email address';
      const all = { ...named, ...problems };
      if (Object.keys(all).length > 0) return renderNew(reply.code(400), values, all);
      // Generated, never chosen here: the administrator hands it over and the person changes it.
      const password = randomBytes(15).toString('base64url');
      let account: Account;
      try {
        account = await addAccount(
          db,
          { username, displayName, password, roles, ...(laCode ? { laCode } : {}) },
          accountRoles,
          changedBy(request.session!.account),
        );
      } catch (error) {
        if (!(error instanceof AccountError)) throw error;
        return renderNew(reply.code(400), values, { username: error.message });
      }
      request.log.info({ username: account.username, roles }, 'account created');
      return reply.view('shown-once.njk', {
        pageTitle: 'Account created',
        caption: `${account.displayName} can sign in as ${account.username}`,
        paragraphs: [
          `Roles: ${account.roles.map(titleOf).join(', ')}${account.laCode ? `, for ${laName(account.laCode)}` : ''}.`,
          'Give them their username and this first password in a safe way, apart from each other.',
        ],
        secrets: [
          { label: 'Username', value: account.username, id: 'username' },
          { label: 'Password', value: password, id: 'password' },
        ],
        link: {
          href: `${ACCOUNT_PAGES}/${account.username}`,
          text: `Go to ${account.displayName}’s account`,
        },
      });
    });

    const detail = { params: UsernameParams, querystring: pageFields('done'), hide: true };
    scope.get(
      `${ACCOUNT_PAGES}/:username`,
      { preHandler: allowed, schema: detail },
      async (request, reply) => {
        const account = await findAccount(request.params.username);
        if (!account) return notFound(reply);
        const done = textOf(request.query.done);
        const self = account.username === request.session!.account.username;
        return reply.view(`${VIEWS}/account.njk`, {
          pageTitle: account.displayName,
          account: accountView(account),
          self,
          done: ['roles', 'disable', 'enable', 'unchanged'].includes(done) ? done : undefined,
          history: (await accountChanges(db, { username: account.username })).map((c) => ({
            ...c,
            what: ACTIONS[c.action] ?? c.action,
          })),
          base: ACCOUNT_PAGES,
        });
      },
    );

    const renderRoles = (
      reply: FastifyReply,
      account: AccountListing,
      values: { roles: readonly string[]; laCode: string },
      problems: Record<string, string> = {},
    ) =>
      reply.view(`${VIEWS}/account-roles.njk`, {
        pageTitle: `Change ${account.displayName}’s roles`,
        account,
        roleItems: roleItems(values.roles),
        laOptions: laOptions(values.laCode),
        problems,
        errorSummary: errorSummaryOf(problems),
        action: `${ACCOUNT_PAGES}/${account.username}/roles`,
        back: `${ACCOUNT_PAGES}/${account.username}`,
      });

    const rolesPage = { params: UsernameParams, hide: true };
    scope.get(
      `${ACCOUNT_PAGES}/:username/roles`,
      { preHandler: allowed, schema: rolesPage },
      async (request, reply) => {
        const account = await findAccount(request.params.username);
        if (!account) return notFound(reply);
        return renderRoles(reply, account, { roles: account.roles, laCode: account.laCode ?? '' });
      },
    );

    const changeRoles = { params: UsernameParams, body: formBody('roles', 'laCode'), hide: true };
    scope.post(
      `${ACCOUNT_PAGES}/:username/roles`,
      { preHandler: allowed, schema: changeRoles },
      async (request, reply) => {
        const account = await findAccount(request.params.username);
        if (!account) return notFound(reply);
        const { roles, laCode, problems } = rolesAsked(request.body);
        const admin = request.session!.account;
        if (account.username === admin.username && !roles.includes(ADMIN_ROLE.name))
          problems.roles = `You cannot take away your own ${roleTitle(ADMIN_ROLE).toLowerCase()} role: ask another administrator`;
        if (Object.keys(problems).length > 0)
          return renderRoles(reply.code(400), account, { roles, laCode: laCode ?? '' }, problems);
        const changed = await setAccountRoles(
          db,
          { username: account.username, roles, ...(laCode ? { laCode } : {}), by: changedBy(admin) },
          accountRoles,
        );
        return reply.redirect(
          `${ACCOUNT_PAGES}/${account.username}?done=${changed ? 'roles' : 'unchanged'}`,
          303,
        );
      },
    );

    checkThenChange(scope, {
      path: `${ACCOUNT_PAGES}/:username/:change`,
      changes: ['disable', 'enable'] as const,
      preHandler: allowed,
      find: (params) => findAccount(params.username ?? ''),
      notFound,
      check: (account, change) => {
        const disable = change === 'disable';
        return {
          caption: 'Accounts',
          pageTitle: `${disable ? 'Disable' : 'Enable'} ${account.displayName}’s account`,
          rows: [
            { key: 'Name', value: account.displayName },
            { key: 'Username', value: account.username },
            { key: 'Roles', value: accountView(account).roleTitles },
            ...(account.laCode ? [{ key: 'Local authority', value: laName(account.laCode)! }] : []),
          ],
          ...(disable
            ? {
                warning:
                  'They are signed out at once, everywhere, and cannot sign in until the account is enabled again.',
              }
            : {}),
          paragraphs: [
            ...(disable ? [] : ['They can sign in again with the password they had.']),
            'Your name is recorded with the change.',
          ],
          button: disable ? 'Disable the account' : 'Enable the account',
          warningButton: disable,
          back: { href: `${ACCOUNT_PAGES}/${account.username}`, text: 'Back to the account' },
        };
      },
      apply: async (account, change, request, reply) => {
        const admin = request.session!.account;
        if (change === 'disable' && account.username === admin.username) {
          reply.code(400);
          return reply.view('message.njk', {
            pageTitle: 'You cannot disable your own account',
            paragraphs: ['Ask another administrator to do it. Nothing was changed.'],
            link: { href: `${ACCOUNT_PAGES}/${account.username}`, text: 'Back to the account' },
          });
        }
        const outcome = await setAccountDisabled(db, {
          username: account.username,
          disabled: change === 'disable',
          by: changedBy(admin),
        });
        return reply.redirect(
          `${ACCOUNT_PAGES}/${account.username}?done=${outcome.changed ? change : 'unchanged'}`,
          303,
        );
      },
    });

    scope.get(ACCOUNT_CHANGES, { preHandler: allowed, schema: { hide: true } }, async (_request, reply) =>
      reply.view(`${VIEWS}/account-changes.njk`, {
        pageTitle: 'Changes to accounts',
        changes: (await accountChanges(db, { limit: 200 })).map((c) => ({
          ...c,
          what: ACTIONS[c.action] ?? c.action,
        })),
        base: ACCOUNT_PAGES,
      }),
    );
  });
  app.addNavigation({ href: ACCOUNT_PAGES, text: 'Accounts', roles: ['admin'] });
}
