/**
 * The LA's client of the DfE's statistics API: OAuth 2.0 client credentials with the LA's own
 * client (scope `attendance.read.la`), then `GET`s with the bearer token. As the school role's
 * receiver client does, the token is kept in this process per token address, client and secret,
 * and renewed a minute (or a tenth of its life) before it expires, or at once when the DfE answers
 * 401 (revoked, keys rotated). Nothing here assumes edgate on the other side: every answer is
 * untrusted JSON, read within a size limit; the caller checks its shape.
 */
import { createHash } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';
import type { AttendanceSource } from './attendance-source.ts';

export const READ_LA_SCOPE = 'attendance.read.la';
/** The largest answer read: an LA's schools on a day are a few hundred kilobytes at most. */
export const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

export type ApiResult =
  { ok: true; body: unknown } | { ok: false; status: number | undefined; reason: string };

export interface DfeClientOptions {
  now?: () => Date;
  timeoutMs?: number;
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
  private readonly timeoutMs: number;
  private readonly ca: string[] | undefined;

  constructor(
    private readonly source: AttendanceSource,
    options: DfeClientOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.ca = source.caPem ? [...rootCertificates, source.caPem] : undefined;
  }

  /** `GET {baseUrl}{path}` with a bearer token: renewed once on 401. */
  async get(path: string): Promise<ApiResult> {
    const base = this.source.baseUrl.endsWith('/') ? this.source.baseUrl : `${this.source.baseUrl}/`;
    const url = new URL(path, base);
    for (let renewed = false; ; renewed = true) {
      const token = await this.token();
      if (!token.ok) return token;
      let answer: Answer;
      try {
        answer = await this.exchange('GET', url, undefined, {
          authorization: `Bearer ${token.body as string}`,
          accept: 'application/json',
        });
      } catch (error) {
        return {
          ok: false,
          status: undefined,
          reason: `the DfE could not be reached (${(error as Error).message})`,
        };
      }
      if (answer.status === 401 && !renewed) {
        tokens.delete(this.tokenKey());
        continue;
      }
      if (answer.status !== 200) return { ok: false, status: answer.status, reason: refusal(answer) };
      const body = readJson(answer.text);
      if (body === undefined)
        return { ok: false, status: 200, reason: 'the DfE answered with something that is not JSON' };
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
    let answer: Answer;
    try {
      answer = await this.exchange('POST', new URL(this.source.tokenUrl), Buffer.from(form), {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      });
    } catch (error) {
      return {
        ok: false,
        status: undefined,
        reason: `the DfE’s token service could not be reached (${(error as Error).message})`,
      };
    }
    const read = readJson(answer.text) as Record<string, unknown> | undefined;
    const token = read && typeof read === 'object' ? read.access_token : undefined;
    if (answer.status !== 200 || typeof token !== 'string' || token === '') {
      const code = read && typeof read.error === 'string' ? read.error.slice(0, 50) : undefined;
      return {
        ok: false,
        status: answer.status,
        reason:
          code === 'invalid_client'
            ? 'the DfE did not accept the LA’s client id and secret: check them with edgate la attendance-source show'
            : code === 'invalid_scope'
              ? `the DfE does not let the LA’s client read its schools (scope ${READ_LA_SCOPE})`
              : `the DfE’s token service answered ${answer.status}${code ? ` (${code})` : ''} without a token`,
      };
    }
    const expiresIn = read?.expires_in;
    const lifetime =
      typeof expiresIn === 'number' && Number.isFinite(expiresIn) && expiresIn > 0
        ? Math.min(expiresIn, 86_400) * 1000
        : 300_000;
    tokens.set(key, { token, renewAt: this.now().getTime() + lifetime - Math.min(60_000, lifetime / 10) });
    return { ok: true, body: token };
  }

  private exchange(
    method: string,
    url: URL,
    body: Buffer | undefined,
    headers: Record<string, string>,
  ): Promise<Answer> {
    if (url.protocol !== 'https:') return Promise.reject(new Error(`not HTTPS: ${url.origin}`));
    return new Promise<Answer>((resolve, reject) => {
      const req = httpsRequest(
        url,
        {
          method,
          ...(this.ca ? { ca: this.ca } : {}),
          headers: { ...headers, 'content-length': String(body?.length ?? 0) },
          timeout: this.timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_ANSWER_BYTES) {
              res.destroy();
              reject(new Error(`its answer was larger than ${MAX_ANSWER_BYTES / 1024 / 1024} MB`));
            } else chunks.push(chunk);
          });
          res.on('error', reject);
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
          );
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.timeoutMs / 1000} s`)));
      req.on('error', reject);
      req.end(body);
    });
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
    return `the DfE refused the LA’s client (403${said.length ? `: ${said.join(' ')}` : ''})`;
  if (answer.status >= 500) return `the DfE could not answer (${answer.status})`;
  return `the DfE answered ${answer.status}${said.length ? ` (${said.join(' ')})` : ''}`;
}
