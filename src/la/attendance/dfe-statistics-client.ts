/**
 * The LA's client of the DfE's statistics API: OAuth 2.0 client credentials with the LA's own
 * client (scope `attendance.read.la`), then `GET`s with the bearer token. As the school role's
 * receiver client does, the token is kept in this process per token address, client and secret,
 * and renewed a minute (or a tenth of its life) before it expires, or at once when the DfE answers
 * 401 (revoked, keys rotated). Nothing here assumes edgate on the other side: every answer is
 * untrusted JSON, read within a size limit (the collector's HTTPS transport: gzip bombs, stalls);
 * the caller checks its shape.
 */
import { createHash } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import type { AttendanceSource } from './attendance-source.ts';
import { httpsTransport, TooLargeError, TransportError, type Transport } from '../collection/transport.ts';

export const READ_LA_SCOPE = 'attendance.read.la';
/** The largest answer read: an LA's schools on a day are a few hundred kilobytes at most. */
export const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

/** An answer's JSON, or why there is none, in a plain sentence. */
export type ApiResult =
  { ok: true; body: unknown } | { ok: false; status: number | undefined; reason: string };

export interface DfeClientOptions {
  now?: () => Date;
  timeoutMs?: number;
  /** HTTPS with a byte limit and a timeout (collection/transport.ts) unless given. */
  transport?: Transport;
}

interface Answer {
  status: number;
  text: string;
}

// One token per token address, client and secret, shared by every fetch of this process. A
// revoked token costs one 401, after which a new one is asked for: nothing a revocation can miss.
const tokens = new Map<string, { token: string; renewAt: number }>();

/** Forgets every kept token (tests). */
export function forgetDfeTokens(): void {
  tokens.clear();
}

export class DfeStatisticsClient {
  private readonly now: () => Date;
  private readonly transport: Transport;

  constructor(
    private readonly source: AttendanceSource,
    options: DfeClientOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.transport =
      options.transport ??
      httpsTransport({
        ...(source.caPem ? { ca: [...rootCertificates, source.caPem] } : {}),
        timeoutMs: options.timeoutMs ?? 15_000,
        peer: 'DfE',
      });
  }

  /** `GET {baseUrl}{path}` with a bearer token: renewed once on 401. */
  async get(path: string): Promise<ApiResult> {
    const base = this.source.baseUrl.endsWith('/') ? this.source.baseUrl : `${this.source.baseUrl}/`;
    const url = new URL(path, base).toString();
    for (let renewed = false; ; renewed = true) {
      const token = await this.token();
      if (!token.ok) return token;
      const answer = await this.exchange('GET', url, undefined, {
        authorization: `Bearer ${token.body as string}`,
        accept: 'application/json',
      });
      if (!('status' in answer)) return { ok: false, status: undefined, reason: answer.reason };
      if (answer.status === 401 && !renewed) {
        tokens.delete(this.tokenKey());
        continue;
      }
      if (answer.status !== 200) return { ok: false, status: answer.status, reason: refusal(answer) };
      const body = readJson(answer.text);
      if (body === undefined)
        return { ok: false, status: 200, reason: 'The DfE answered with something that is not JSON.' };
      return { ok: true, body };
    }
  }

  private tokenKey(): string {
    const s = this.source;
    return createHash('sha256')
      .update(JSON.stringify([s.tokenUrl, s.clientId, s.clientSecret]))
      .digest('hex');
  }

  private async token(): Promise<ApiResult> {
    const key = this.tokenKey();
    const kept = tokens.get(key);
    if (kept && this.now().getTime() < kept.renewAt) return { ok: true, body: kept.token };
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: this.source.clientId,
      client_secret: this.source.clientSecret,
      scope: READ_LA_SCOPE,
    }).toString();
    const answer = await this.exchange('POST', this.source.tokenUrl, form, {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    });
    if (!('status' in answer)) return { ok: false, status: undefined, reason: answer.reason };
    const read = readJson(answer.text) as Record<string, unknown> | undefined;
    const token = read && typeof read === 'object' ? read.access_token : undefined;
    if (answer.status !== 200 || typeof token !== 'string' || token === '') {
      const code = read && typeof read.error === 'string' ? read.error.slice(0, 50) : undefined;
      return {
        ok: false,
        status: answer.status,
        reason:
          code === 'invalid_client'
            ? 'The DfE did not accept the LA’s client id and secret: check them with edgate la attendance-source show.'
            : code === 'invalid_scope'
              ? `The DfE does not let the LA’s client read its schools (scope ${READ_LA_SCOPE}).`
              : `The DfE’s token service answered ${answer.status}${code ? ` (${code})` : ''} without a token.`,
      };
    }
    const expiresIn = read?.expires_in;
    const lifetime =
      typeof expiresIn === 'number' && Number.isFinite(expiresIn) && expiresIn > 0
        ? Math.min(expiresIn, 86_400) * 1000
        : 300_000;
    // Renewed a minute (or a tenth of its life) before it expires.
    tokens.set(key, { token, renewAt: this.now().getTime() + lifetime - Math.min(60_000, lifetime / 10) });
    return { ok: true, body: token };
  }

  /** One request: the answer, or why there is none (transport trouble, too large). */
  private async exchange(
    method: 'GET' | 'POST',
    url: string,
    body: string | undefined,
    headers: Record<string, string>,
  ): Promise<Answer | { reason: string }> {
    try {
      const answer = await this.transport({
        url,
        method,
        headers,
        ...(body === undefined ? {} : { body }),
        maxBytes: MAX_ANSWER_BYTES,
      });
      return { status: answer.status, text: answer.body.toString('utf8') };
    } catch (error) {
      if (error instanceof TransportError || error instanceof TooLargeError) return { reason: error.message };
      throw error;
    }
  }
}

function readJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The DfE's refusal in plain words, with its own title where it gave one. */
function refusal(answer: Answer): string {
  const read = readJson(answer.text) as Record<string, unknown> | undefined;
  const field = (name: string) =>
    read && typeof read === 'object' && typeof read[name] === 'string'
      ? (read[name] as string).slice(0, 200)
      : '';
  const said = [field('code'), field('title') || field('error_description') || field('error')].filter(
    Boolean,
  );
  if (answer.status === 403)
    return `The DfE refused the LA’s client (403${said.length ? `: ${said.join(' ')}` : ''}).`;
  if (answer.status >= 500) return `The DfE could not answer (${answer.status}).`;
  return `The DfE answered ${answer.status}${said.length ? ` (${said.join(' ')})` : ''}.`;
}
