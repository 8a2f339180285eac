/**
 * The OAuth 2.0 token endpoint of the attendance API (RFC 6749 §4.4, client credentials):
 *
 *   POST /oauth2/token          form-encoded; client by HTTP Basic or body; answers §5.1 JSON
 *                               with `Cache-Control: no-store`, or a §5.2 error.
 *   GET  /.well-known/jwks.json the published ES256 public keys.
 *
 * `requireScope` guards the API's own routes with the bearer token (RFC 6750).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import type { Database } from '../../platform/db/database.ts';
import { authenticateClient, tokenClientActive } from './clients.ts';
import { clientSubject, guessLimited, guessLimits } from '../../platform/auth/guess-limit.ts';
import { useJsonApiSecurityHeaders } from '../../platform/http/server.ts';
import type { AccessClaims, SigningKeys } from './signing-keys.ts';
import { grantScopes, parseTokenRequest, type FormFields, type OAuthError } from './token-rules.ts';

export const TOKEN_PATH = '/oauth2/token';
export const JWKS_PATH = '/.well-known/jwks.json';
const REALM = 'edgate';
const FORM = 'application/x-www-form-urlencoded';
/** A token request is a few hundred bytes. */
const MAX_TOKEN_REQUEST_BYTES = 16 * 1024;

export interface OAuthRouteOptions {
  db: Database;
  issuer: string;
  audience: string;
  lifetimeSeconds: number;
  now?: () => Date;
  /** Shared with `requireScope` on the same instance. */
  keys: SigningKeys;
  /** Secret attempts a minute for one client from one address (10× per address); default 10. */
  secretAttemptsPerMinute?: number;
}

function parseForm(body: string): FormFields {
  const fields: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(body)) {
    const seen = fields[name];
    if (seen === undefined) fields[name] = value;
    else fields[name] = Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return fields;
}

function isFormFields(body: unknown): body is FormFields {
  return typeof body === 'object' && body !== null && !Array.isArray(body);
}

function sendError(reply: FastifyReply, error: OAuthError): FastifyReply {
  // §5.2 lets any invalid_client be a 401; HTTP then requires WWW-Authenticate.
  if (error.status === 401) reply.header('WWW-Authenticate', `Basic realm="${REALM}"`);
  return reply
    .code(error.status)
    .header('Cache-Control', 'no-store')
    .header('Pragma', 'no-cache')
    .send({ error: error.error, error_description: error.error_description });
}

export async function oauthRoutes(app: FastifyInstance, options: OAuthRouteOptions): Promise<void> {
  const now = options.now ?? (() => new Date());
  useJsonApiSecurityHeaders(app);
  const keys = options.keys;
  // Forms only (RFC 6749 §4.4.2), in this plugin's encapsulated scope: any other type is refused
  // before the body is read, and no body is read past the limit.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    FORM,
    { parseAs: 'string', bodyLimit: MAX_TOKEN_REQUEST_BYTES },
    (_request, body, done) => {
      done(null, parseForm(typeof body === 'string' ? body : body.toString('utf8')));
    },
  );
  app.setErrorHandler(async (error: Error & { statusCode?: number }, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status === 415)
      return sendError(reply, {
        status,
        error: 'invalid_request',
        error_description: `Send the token request as ${FORM}`,
      });
    if (status === 413)
      return sendError(reply, {
        status,
        error: 'invalid_request',
        error_description: `The token request is larger than ${MAX_TOKEN_REQUEST_BYTES} bytes`,
      });
    if (status >= 400 && status < 500)
      return sendError(reply, {
        status: 400,
        error: 'invalid_request',
        error_description: 'The token request could not be read',
      });
    request.log.error({ err: error }, 'token request failed');
    return reply.code(500).header('Cache-Control', 'no-store').send({ error: 'server_error' });
  });

  const limits = guessLimits(options.secretAttemptsPerMinute ?? 10);

  // §4.4.2: the request is form-encoded, nothing else; refused before its body is read.
  const formOnly = async (request: FastifyRequest, reply: FastifyReply) => {
    const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== FORM)
      return sendError(reply, {
        status: 400,
        error: 'invalid_request',
        error_description: `The token request must be ${FORM} (RFC 6749 §4.4.2)`,
      });
  };

  // Clients authenticate with their credentials, never cookies: no CSRF token applies.
  const tokenRoute: RouteShorthandOptions = {
    helmet: false,
    config: { csrf: false },
    onRequest: formOnly,
    schema: { tags: ['oauth'], summary: 'OAuth 2.0 client credentials: an access token' },
  };
  app.post(TOKEN_PATH, tokenRoute, async (request, reply) => {
    const authorization = request.headers.authorization;
    const parsed = parseTokenRequest(isFormFields(request.body) ? request.body : undefined, authorization);
    if (!parsed.ok) return sendError(reply, parsed.error);
    const { clientId, clientSecret, scopes: requested } = parsed.request;
    // Secret guesses are counted before hashing, shared by every instance; limited answers alike.
    const checked = await guessLimited(
      options.db,
      { subject: clientSubject(clientId), address: request.ip, now: now(), limits },
      () => authenticateClient(options.db, clientId, clientSecret),
    );
    const client = checked.outcome === 'accepted' ? checked.value : undefined;
    if (!client)
      return sendError(reply, {
        status: 401,
        error: 'invalid_client',
        error_description: 'Unknown client, wrong secret or disabled client',
      });
    const granted = grantScopes(requested, client);
    if (!granted.ok) return sendError(reply, granted.error);
    const scope = granted.scopes.join(' ');
    const claims: AccessClaims = {
      sub: client.clientId,
      client_id: client.clientId,
      scope,
      gen: client.tokenGeneration,
    };
    if (granted.la !== undefined) claims.la = granted.la;
    const accessToken = await keys.sign(claims, {
      issuer: options.issuer,
      audience: options.audience,
      lifetimeSeconds: options.lifetimeSeconds,
      now: now(),
    });
    return reply
      .header('Cache-Control', 'no-store')
      .header('Pragma', 'no-cache')
      .send({ access_token: accessToken, token_type: 'Bearer', expires_in: options.lifetimeSeconds, scope });
  });

  const jwks = { tags: ['oauth'], summary: 'The keys access tokens are signed with' };
  app.get(JWKS_PATH, { helmet: false, schema: jwks }, async (_request, reply) => {
    // Short: verifiers must see a rotated-in key soon, and the list is tiny.
    return reply.header('Cache-Control', 'public, max-age=300').send(await keys.jwks(now()));
  });
}

export interface BearerCheck {
  /** Where the client's current state is read, per request. */
  db: Database;
  keys: SigningKeys;
  issuer: string;
  audience: string;
  now?: () => Date;
}

const claimsOf = new WeakMap<FastifyRequest, AccessClaims>();

/** The verified token claims of a request that passed `requireScope`. */
export function accessClaims(request: FastifyRequest): AccessClaims | undefined {
  return claimsOf.get(request);
}

/** An onRequest or preHandler hook (the token is checked before any body is read). */
type BearerHook = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined>;

function invalidToken(reply: FastifyReply, description: string): FastifyReply {
  return reply
    .code(401)
    .header('WWW-Authenticate', `Bearer realm="${REALM}", error="invalid_token"`)
    .send({ error: 'invalid_token', error_description: description });
}

/** The answer to a token whose client is unknown, disabled, or has moved to a newer generation. */
export function clientCutOff(reply: FastifyReply): FastifyReply {
  return invalidToken(reply, 'The client is unknown or disabled, or the token was revoked');
}

/** The token generation a verified token names (0 on tokens from before generations). */
export function tokenGeneration(claims: AccessClaims): number {
  return claims.gen ?? 0;
}

/**
 * A preHandler: a valid bearer token granting any of `scopes`, from a client that is known, not
 * disabled and of the token's generation (read per request), else 401/403 per RFC 6750 §3.
 */
export function requireScope(check: BearerCheck, ...scopes: string[]): BearerHook {
  return bearerGuard(check, scopes, true);
}

/**
 * As `requireScope`, but the client's state is left to the route, which must check it in a query it
 * makes anyway: `POST /attendances` checks it in its one storing statement.
 */
export function requireScopeClientCheckedByRoute(check: BearerCheck, ...scopes: string[]): BearerHook {
  return bearerGuard(check, scopes, false);
}

function bearerGuard(check: BearerCheck, scopes: string[], checkClient: boolean): BearerHook {
  return async (request, reply) => {
    const match = /^Bearer[ ]+([A-Za-z0-9\-._~+/]+=*)[ ]*$/i.exec(request.headers.authorization ?? '');
    if (!match?.[1]) {
      // §3.1: no error code when the request carried no token at all.
      const header = request.headers.authorization
        ? `Bearer realm="${REALM}", error="invalid_request"`
        : `Bearer realm="${REALM}"`;
      return reply.code(401).header('WWW-Authenticate', header).send({ error: 'invalid_token' });
    }
    let claims: AccessClaims;
    try {
      claims = await check.keys.verify(match[1], {
        issuer: check.issuer,
        audience: check.audience,
        now: (check.now ?? (() => new Date()))(),
      });
    } catch {
      return invalidToken(reply, 'The access token is invalid or has expired');
    }
    const granted = claims.scope.split(' ');
    if (!scopes.some((s) => granted.includes(s)))
      return reply
        .code(403)
        .header(
          'WWW-Authenticate',
          `Bearer realm="${REALM}", error="insufficient_scope", scope="${scopes.join(' ')}"`,
        )
        .send({ error: 'insufficient_scope', error_description: `Needs scope ${scopes.join(' or ')}` });
    if (checkClient && !(await tokenClientActive(check.db, claims.client_id, tokenGeneration(claims))))
      return clientCutOff(reply);
    claimsOf.set(request, claims);
  };
}
