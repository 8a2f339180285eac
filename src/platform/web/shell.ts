/**
 * The web shell every role's pages live in: GOV.UK Frontend assets, Nunjucks rendering,
 * sign-in sessions from the database, and CSRF protection on every form.
 *
 * CSRF: a signed-in form carries the session's own token; the sign-in form (no session yet)
 * carries a double-submit token from a `__Host-` cookie. Every unsafe request of a browser,
 * whatever its content type, must present the right one and come from this site, or is refused
 * with 403 before any handler runs.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import nunjucks from 'nunjucks';
import type { Database } from '../db/database.ts';
import { authenticate, type Account, type AccountRole } from '../auth/accounts.ts';
import { endSession, findSession, startSession, type Session } from '../auth/sessions.ts';
import { safeNext } from './next-page.ts';
import { formatClockTime, formatPageTime } from './london-time.ts';
import { formBody, pageFields, typed } from '../http/typed-routes.ts';
import { accountSubject, guessLimited, guessLimits, type GuessOutcome } from '../auth/guess-limit.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const srcDir = path.resolve(here, '../..');
const govukDist = path.resolve(srcDir, '../node_modules/govuk-frontend/dist');

export const SESSION_COOKIE = '__Host-edgate-session';
const LOGIN_CSRF_COOKIE = '__Host-edgate-csrf';

export interface NavigationItem {
  href: string;
  text: string;
  /** Shown only to accounts holding one of these roles. */
  roles: AccountRole[];
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * false: a route for machines, authenticated without cookies, never CSRF-checked. true: always
     * checked, even without cookies (sign-in). Unset: checked when the request carries cookies.
     */
    csrf?: boolean;
  }
  interface FastifyRequest {
    session: Session | undefined;
  }
  interface FastifyReply {
    /** Renders a Nunjucks template (path relative to src/, or a shell view name) inside the layout. */
    view(template: string, context?: Record<string, unknown>): FastifyReply;
  }
  interface FastifyInstance {
    /** A preHandler that lets in only signed-in accounts holding one of the roles. */
    requireRole(...roles: AccountRole[]): (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
    addNavigation(item: NavigationItem): void;
    /**
     * An account's password checked within the guessing limits (per account and address, per
     * address; counted in the database), accepted only for an account holding one of `roles` when
     * given. `refused` and `limited` must look alike to an API client.
     */
    checkAccountPassword(
      request: FastifyRequest,
      username: string,
      password: string,
      roles?: readonly AccountRole[],
    ): Promise<GuessOutcome<Account>>;
  }
}

export interface WebShellOptions {
  db: Database;
  sessionTtlHours: number;
  signInAttemptsPerMinute?: number;
  /** The address people reach the service at (Origin checks). */
  publicUrl?: string;
  /** The public page at `/`: a template (path relative to src/) and what it shows. Default: sign in, then the home page. */
  startPage?: StartPageView;
  now?: () => Date;
}

export interface StartPageView {
  template: string;
  context: Record<string, unknown>;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Which requests must carry a CSRF token: every unsafe one from a browser, that is one carrying
 * this service's cookies (a browser attaches them to a forged request too), and the sign-in and
 * sign-out forms always. Machines authenticate without cookies (HTTP Basic, bearer tokens,
 * WS-Security): a request without the cookies cannot act as a signed-in person. Routes for
 * machines that must never be checked say `csrf: false`.
 */
function csrfApplies(request: FastifyRequest): boolean {
  if (SAFE_METHODS.has(request.method)) return false;
  const setting = request.routeOptions.config.csrf;
  if (setting === false) return false;
  return (
    setting === true ||
    request.cookies[SESSION_COOKIE] !== undefined ||
    request.cookies[LOGIN_CSRF_COOKIE] !== undefined
  );
}

function csrfTokenPresented(body: unknown): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)._csrf : undefined;
}

/**
 * Defence in depth beside the token: a browser says where a request came from. Sec-Fetch-Site
 * where the browser sends it (all current ones); else an Origin naming another host. `Origin:
 * null` proves nothing: Chromium sends it for a form of a page whose Referrer-Policy is
 * no-referrer, as helmet sets here.
 */
function crossSite(request: FastifyRequest, publicHost: string | undefined): boolean {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined) return site !== 'same-origin' && site !== 'none';
  const origin = request.headers.origin;
  if (origin === undefined || origin === 'null') return false;
  try {
    const host = new URL(origin).host;
    return host !== request.host && host !== publicHost;
  } catch {
    return true;
  }
}

function sameToken(a: string | undefined, b: unknown): boolean {
  if (!a || typeof b !== 'string') return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

async function webShell(app: FastifyInstance, options: WebShellOptions): Promise<void> {
  const { db } = options;
  const now = options.now ?? (() => new Date());
  const navigation: NavigationItem[] = [];
  // Behind a proxy the Host header may be an internal name; browsers send the public one as Origin.
  const publicHost = options.publicUrl ? new URL(options.publicUrl).host : undefined;

  const env = new nunjucks.Environment(
    new nunjucks.FileSystemLoader([path.join(here, 'views'), srcDir, govukDist], { noCache: false }),
    { autoescape: true, throwOnUndefined: false },
  );
  env.addFilter('longDate', (value: unknown) => {
    if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(value)) return value ?? '';
    const date = new Date(`${value.slice(0, 10)}T12:00:00Z`);
    return date.toLocaleDateString('en-GB', {
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      timeZone: 'UTC',
    });
  });
  // Times in London, the GOV.UK way: "10:30am on 7 December 2026".
  env.addFilter('londonTime', formatPageTime);
  // A time of day set in London ("07:00"), the same way: "7am".
  env.addFilter('clockTime', (value: unknown) => {
    const match = typeof value === 'string' ? /^(\d{2}):(\d{2})$/.exec(value) : null;
    return match ? formatClockTime(Number(match[1]), Number(match[2])) : value;
  });
  env.addFilter('number', (value: unknown) =>
    typeof value === 'number' ? value.toLocaleString('en-GB') : value,
  );

  await app.register(fastifyCookie);
  await app.register(fastifyFormbody, { bodyLimit: 64 * 1024 });
  await app.register(fastifyStatic, { root: path.join(govukDist, 'govuk'), prefix: '/assets/govuk/' });
  await app.register(fastifyStatic, {
    root: [path.join(here, 'public'), path.join(govukDist, 'govuk', 'assets')],
    prefix: '/assets/',
    decorateReply: false,
  });

  app.decorateRequest('session', undefined);
  app.decorate('addNavigation', (item: NavigationItem) => navigation.push(item));

  app.decorateReply(
    'view',
    function (this: FastifyReply, template: string, context: Record<string, unknown> = {}) {
      const request = this.request;
      const account = request.session?.account;
      const html = env.render(template, {
        account,
        csrfToken: csrfTokenFor(request, this),
        cspNonce: (this as FastifyReply & { cspNonce?: { script: string } }).cspNonce?.script ?? '',
        navigation: account
          ? navigation
              .filter((item) => item.roles.some((role) => account.roles.includes(role)))
              .map((item) => ({
                href: item.href,
                text: item.text,
                active: request.url.startsWith(item.href),
              }))
          : [],
        showPhaseBanner: true,
        ...context,
      });
      // Pages carry CSRF tokens and personal data: no cache keeps them (an asset may say otherwise).
      if (!this.hasHeader('cache-control')) this.header('cache-control', 'no-store');
      return this.type('text/html; charset=utf-8').send(html);
    },
  );

  function csrfTokenFor(request: FastifyRequest, reply: FastifyReply): string {
    if (request.session) return request.session.csrfToken;
    let token = request.cookies[LOGIN_CSRF_COOKIE];
    if (!token) {
      token = randomBytes(24).toString('base64url');
      reply.setCookie(LOGIN_CSRF_COOKIE, token, {
        path: '/',
        httpOnly: true,
        secure: true,
        sameSite: 'strict',
      });
      request.cookies[LOGIN_CSRF_COOKIE] = token;
    }
    return token;
  }

  app.addHook('onRequest', async (request) => {
    const token = request.cookies[SESSION_COOKIE];
    if (token) request.session = await findSession(db, token, now());
  });

  // Runs after the body is parsed, before any handler: an unsafe request of a browser without
  // the right token changes nothing, whatever its content type (handlers read JSON too, and the
  // content type is the sender's to choose).
  app.addHook('preHandler', async (request, reply) => {
    if (!csrfApplies(request)) return;
    const presented = csrfTokenPresented(request.body);
    const expected = request.session ? request.session.csrfToken : request.cookies[LOGIN_CSRF_COOKIE];
    if (!sameToken(expected, presented) || crossSite(request, publicHost)) {
      request.log.info({ route: request.routeOptions.url }, 'request without its CSRF token refused');
      reply.code(403);
      return reply.view('message.njk', {
        pageTitle: 'This form has expired',
        paragraphs: ['The form was out of date or did not come from this service. Nothing was changed.'],
        link: { href: request.url, text: 'Go back and try again' },
      });
    }
  });

  app.decorate(
    'requireRole',
    (...roles: AccountRole[]) =>
      async (request: FastifyRequest, reply: FastifyReply) => {
        // What needs a sign-in is never kept by a browser's or a proxy's cache.
        reply.header('cache-control', 'no-store');
        const account = request.session?.account;
        if (!account) {
          return reply.redirect(`/login?next=${encodeURIComponent(request.url)}`);
        }
        if (!roles.some((role) => account.roles.includes(role))) {
          reply.code(403);
          return reply.view('message.njk', {
            pageTitle: 'You do not have access to this page',
            paragraphs: [
              'Your account does not have the permission this page needs. If you need it, ask your administrator.',
            ],
          });
        }
      },
  );

  const startPage = options.startPage;
  app.get('/', async (request, reply) => {
    // Public: what the service is, and the way in; a signed-in account also sees its own pages.
    if (startPage) return reply.view(startPage.template, { pageTitle: 'edgate', ...startPage.context });
    if (!request.session) return reply.redirect('/login');
    return reply.view('home.njk', { pageTitle: 'Home' });
  });

  typed(app).get('/login', { schema: { querystring: pageFields('next') } }, async (request, reply) => {
    const next = safeNext(request.query.next);
    if (request.session) return reply.redirect(next);
    return reply.view('login.njk', { pageTitle: 'Sign in', next });
  });

  // Password guessing is counted in the database, shared by every instance and by the admin
  // API's HTTP Basic, before any hashing (guess-limit.ts).
  const limits = guessLimits(options.signInAttemptsPerMinute ?? 10);
  app.decorate(
    'checkAccountPassword',
    (request: FastifyRequest, username: string, password: string, roles?: readonly AccountRole[]) =>
      guessLimited(
        db,
        { subject: accountSubject(username), address: request.ip, now: now(), limits },
        async () => {
          const account = username && password ? await authenticate(db, username, password) : undefined;
          // A right password of an account without the roles is a failure like any other.
          if (account && roles && !roles.some((role) => account.roles.includes(role))) return undefined;
          return account;
        },
      ),
  );

  const signIn = { body: formBody('username', 'password', 'next') };
  typed(app).post('/login', { config: { csrf: true }, schema: signIn }, async (request, reply) => {
    const form = request.body;
    const username = typeof form?.username === 'string' ? form.username : '';
    const password = typeof form?.password === 'string' ? form.password : '';
    const next = safeNext(form?.next);
    const checked = await app.checkAccountPassword(request, username, password);
    if (checked.outcome !== 'accepted') {
      const limited = checked.outcome === 'limited';
      request.log.info({ username, limited }, 'sign-in refused');
      reply.code(limited ? 429 : 401);
      const loginError = limited
        ? 'Too many attempts to sign in: wait a minute, then try again'
        : 'Enter a correct username and password';
      return reply.view('login.njk', {
        pageTitle: 'Sign in',
        next,
        username,
        loginError,
        errorSummary: [{ text: loginError, href: '#username' }],
      });
    }
    const account = checked.value;
    const { token } = await startSession(db, account.id, now(), options.sessionTtlHours);
    request.log.info({ username: account.username }, 'signed in');
    // A browser-session cookie: the server's row decides expiry, and closing the browser signs out.
    reply.setCookie(SESSION_COOKIE, token, { path: '/', httpOnly: true, secure: true, sameSite: 'lax' });
    // A `__Host-` cookie is only set, and so only cleared, with Secure and Path=/.
    reply.clearCookie(LOGIN_CSRF_COOKIE, { path: '/', httpOnly: true, secure: true, sameSite: 'strict' });
    return reply.redirect(next, 303);
  });

  app.get('/logout-confirm', async (request, reply) => {
    if (!request.session) return reply.redirect('/login');
    return reply.view('logout.njk', { pageTitle: 'Sign out' });
  });

  app.post('/logout', { config: { csrf: true } }, async (request, reply) => {
    const token = request.cookies[SESSION_COOKIE];
    if (token) await endSession(db, token);
    reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, secure: true, sameSite: 'lax' });
    return reply.redirect('/login', 303);
  });
}

export const setUpWebShell = fastifyPlugin(webShell, { name: 'edgate-web-shell' });
