/**
 * The token endpoint's request rules (RFC 6749 §4.4 client credentials, §2.3.1 client
 * authentication, §3.3 scope, §5.2 errors), pure: the route does the I/O around them.
 */
import { LA_READ_SCOPE, type Scope } from './scopes.ts';

export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope';

export interface OAuthError {
  /** 413 and 415: a body too large or not a form, refused before it is read. */
  status: 400 | 401 | 413 | 415;
  error: OAuthErrorCode;
  error_description: string;
}

export interface TokenRequest {
  clientId: string;
  clientSecret: string;
  /** undefined: no `scope` parameter, so the client's registered scopes (§3.3 default). */
  scopes: string[] | undefined;
  /** The client authenticated with HTTP Basic (the 401 must then name the scheme). */
  basic: boolean;
}

/** A parsed form: a repeated parameter arrives as an array. */
export type FormFields = Record<string, string | string[] | undefined>;

export type Parsed = { ok: true; request: TokenRequest } | { ok: false; error: OAuthError };

const fail = (status: 400 | 401, error: OAuthErrorCode, error_description: string): Parsed => ({
  ok: false,
  error: { status, error, error_description },
});

/** §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), joined by single spaces. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** §2.3.1: id and secret are form-urlencoded before Basic encoding, so decode them again. */
function formDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

function parseBasic(header: string): { id: string; secret: string } | undefined {
  const match = /^Basic[ ]+([A-Za-z0-9+/]+=*)[ ]*$/i.exec(header);
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const id = formDecode(decoded.slice(0, colon));
  const secret = formDecode(decoded.slice(colon + 1));
  if (id === undefined || secret === undefined || id === '') return undefined;
  return { id, secret };
}

export function parseTokenRequest(form: FormFields | undefined, authorization: string | undefined): Parsed {
  const fields = form ?? {};
  // §3.2: parameters must not be repeated.
  for (const [name, value] of Object.entries(fields))
    if (Array.isArray(value)) return fail(400, 'invalid_request', `Parameter ${name} is repeated`);
  const field = (name: string): string | undefined => {
    const value = fields[name];
    return typeof value === 'string' ? value : undefined;
  };

  const grantType = field('grant_type');
  if (grantType === undefined || grantType === '')
    return fail(400, 'invalid_request', 'grant_type is required');
  if (grantType !== 'client_credentials')
    return fail(400, 'unsupported_grant_type', 'Only grant_type=client_credentials is supported');

  const bodyId = field('client_id');
  const bodySecret = field('client_secret');
  let clientId: string;
  let clientSecret: string;
  let basic = false;
  if (authorization !== undefined && authorization.trim() !== '') {
    if (!/^Basic\b/i.test(authorization.trim()))
      return fail(401, 'invalid_client', 'Client authentication must use HTTP Basic or the request body');
    const credentials = parseBasic(authorization.trim());
    if (!credentials) return fail(401, 'invalid_client', 'Malformed Basic credentials');
    // §2.3: one authentication method per request.
    if (bodySecret !== undefined)
      return fail(400, 'invalid_request', 'Send client credentials by HTTP Basic or in the body, not both');
    if (bodyId !== undefined && bodyId !== credentials.id)
      return fail(400, 'invalid_request', 'client_id in the body differs from the Basic credentials');
    clientId = credentials.id;
    clientSecret = credentials.secret;
    basic = true;
  } else {
    if (bodyId === undefined || bodyId === '' || bodySecret === undefined)
      return fail(401, 'invalid_client', 'Client authentication is required (client_id and client_secret)');
    clientId = bodyId;
    clientSecret = bodySecret;
  }

  const scope = field('scope');
  let scopes: string[] | undefined;
  if (scope !== undefined) {
    const tokens = scope.split(' ');
    if (tokens.some((t) => !SCOPE_TOKEN.test(t)))
      return fail(400, 'invalid_scope', 'scope must be scope tokens separated by single spaces');
    scopes = [...new Set(tokens)];
  }
  return { ok: true, request: { clientId, clientSecret, scopes, basic } };
}

export interface ClientGrant {
  scopes: readonly Scope[];
  laCode: string | null;
}

export type Granted =
  { ok: true; scopes: Scope[]; la: string | undefined } | { ok: false; error: OAuthError };

/** Decides the scopes of the token for an authenticated client. */
export function grantScopes(requested: string[] | undefined, client: ClientGrant): Granted {
  // LA-scoped read means nothing without an LA: never grant it to a client without one.
  const allowed = client.scopes.filter((s) => s !== LA_READ_SCOPE || client.laCode !== null);
  if (allowed.length === 0)
    return {
      ok: false,
      error: {
        status: 400,
        error: 'unauthorized_client',
        error_description: 'This client may not obtain tokens',
      },
    };
  const scopes = requested ?? allowed;
  const refused = scopes.filter((s) => !(allowed as readonly string[]).includes(s));
  if (refused.length > 0)
    return {
      ok: false,
      error: {
        status: 400,
        error: 'invalid_scope',
        error_description: `Scope not allowed for this client: ${refused.join(' ')}`,
      },
    };
  const granted = scopes as Scope[];
  return {
    ok: true,
    scopes: granted,
    la: granted.includes(LA_READ_SCOPE) ? (client.laCode ?? undefined) : undefined,
  };
}

/** How far a token's `iat` may be ahead of this instance's clock (instances' clocks differ a little). */
export const TOKEN_CLOCK_SKEW_SECONDS = 60;

/**
 * Why a signed token's times cannot be accepted, or undefined: it must say when it was issued and
 * when it expires, live no longer than the configured lifetime, and not be issued in the future
 * (beyond a small skew). The signature, and `exp` against now, are checked by jose.
 */
export function accessTokenTimesProblem(
  times: { iat?: unknown; exp?: unknown },
  now: Date,
  lifetimeSeconds: number,
): string | undefined {
  const { iat, exp } = times;
  if (typeof iat !== 'number' || typeof exp !== 'number' || !Number.isFinite(iat) || !Number.isFinite(exp))
    return 'Token lacks iat or exp';
  if (exp - iat > lifetimeSeconds) return 'Token lifetime is longer than this service issues';
  if (iat > now.getTime() / 1000 + TOKEN_CLOCK_SKEW_SECONDS) return 'Token issued in the future';
  return undefined;
}
