/**
 * The client of the attendance receiver: edgate's DfE role, or any receiver that keeps the DfE's
 * 2020 contract (OAuth 2.0 client credentials, `POST /attendances`, optionally
 * `PUT`/`DELETE /consents/{urn}`). Nothing here assumes edgate on the other side: extra headers
 * (a 2020-era gateway's subscription key) are sent on every API call, a receiver without the
 * consent routes is told apart from one that refuses, and every answer is untrusted JSON, read
 * within a size limit and field by field.
 *
 * Transient trouble (a transport error, 5xx, 429) is retried with exponential backoff and jitter,
 * honouring `Retry-After`; a 401 renews the token once. Every outcome carries a plain-words
 * reason the school can read. The clock, the sleep and the randomness are passed in for tests.
 */
import { request as httpsRequest } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';

export interface ReceiverSettings {
  /** The API's base address, e.g. https://dfe.example/ (paths are appended to it). */
  baseUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope: string;
  /** Sent on every API call (not to the token endpoint), e.g. a subscription-key header. */
  extraHeaders: Record<string, string>;
  /** Sent as `api-client-app-id`, as the 2020 clients did. */
  appId?: string;
}

export interface ReceiverClientOptions {
  /** Certificates to trust instead of the system's (tests, a private receiver). */
  ca?: string;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Tries per call, first included. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** A `Retry-After` longer than this is not waited for: the call fails and the next sync tries. */
  maxRetryAfterMs?: number;
  timeoutMs?: number;
  /** Sent as `api-client-session-id`: one per sync run. */
  sessionId?: string;
}

/** One record error of a 201 answer, as far as it could be read. */
export interface ReceiverRecordError {
  code: string;
  title: string;
  detail: string;
  path: string;
}

/** The error object of a refusal, as far as it could be read. */
export interface ReceiverErrorObject {
  code?: string;
  title?: string;
  detail?: string;
}

export type SendOutcome =
  | {
      kind: 'accepted';
      status: number;
      submissionRef: string | undefined;
      errors: ReceiverRecordError[];
      errorsNotListed: number;
      replayed: boolean;
      attempts: number;
    }
  /** The receiver read the request and will not take it: sending it again will not help. */
  | { kind: 'refused'; status: number; error: ReceiverErrorObject; reason: string; attempts: number }
  /** It could not be sent, or the receiver could not take it now. */
  | { kind: 'failed'; status: number | undefined; reason: string; attempts: number };

export type ConsentOutcome =
  | { kind: 'recorded'; status: number; reason: string }
  /** A 2020-contract receiver has no consent routes: consent lives only in the MIS. */
  | { kind: 'not-supported'; status: number; reason: string }
  | { kind: 'refused'; status: number; reason: string }
  | { kind: 'failed'; status: number | undefined; reason: string };

/** Answers larger than this are not read (the DfE's largest is about 1 MB). */
export const MAX_ANSWER_BYTES = 2 * 1024 * 1024;

const DEFAULTS = {
  maxAttempts: 5,
  baseDelayMs: 1000,
  maxDelayMs: 60_000,
  maxRetryAfterMs: 5 * 60_000,
  timeoutMs: 30_000,
};

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

class TransportError extends Error {}
/** The receiver answered more than we read: not retried (it would answer the same). */
class AnswerTooLarge extends Error {}

interface CachedToken {
  token: string;
  /** Renewed from then on: a minute (or a tenth of its life) before it expires. */
  renewAt: number;
}

// Per process, as the brief asks: one token per receiver, client and scope, shared by every send.
const tokenCache = new Map<string, CachedToken>();

/** Forgets every cached token (tests). */
export function forgetReceiverTokens(): void {
  tokenCache.clear();
}

export class ReceiverClient {
  private readonly options: Required<Omit<ReceiverClientOptions, 'ca' | 'sessionId'>> &
    Pick<ReceiverClientOptions, 'ca' | 'sessionId'>;

  constructor(
    private readonly settings: ReceiverSettings,
    options: ReceiverClientOptions = {},
  ) {
    this.options = {
      ...DEFAULTS,
      now: () => new Date(),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      random: Math.random,
      ...options,
    };
  }

  /** `POST /attendances` with the exact body bytes and an Idempotency-Key. */
  async sendAttendance(body: Buffer, idempotencyKey: string): Promise<SendOutcome> {
    const result = await this.callApi('POST', 'attendances', body, { 'idempotency-key': idempotencyKey });
    if (result.kind === 'failed') return { ...result };
    const { answer, attempts } = result;
    if (answer.status === 200 || answer.status === 201) {
      const read = readJsonObject(answer.text);
      if (!read)
        return {
          kind: 'failed',
          status: answer.status,
          reason: `The receiver answered ${answer.status} but its answer could not be read, so whether it stored the send is not known; the next sync sends the days again.`,
          attempts,
        };
      const errors = Array.isArray(read.errors) ? read.errors.slice(0, 1000).map(readRecordError) : [];
      const notListed = read.errorsNotListed;
      return {
        kind: 'accepted',
        status: answer.status,
        submissionRef: typeof read.submissionRef === 'string' ? read.submissionRef.slice(0, 100) : undefined,
        errors,
        errorsNotListed:
          Number.isSafeInteger(notListed) && (notListed as number) > 0 ? (notListed as number) : 0,
        replayed: answer.headers['idempotent-replayed'] === 'true',
        attempts,
      };
    }
    const error = readErrorObject(answer.text);
    return {
      kind: 'refused',
      status: answer.status,
      error,
      reason: refusalReason(answer.status, error),
      attempts,
    };
  }

  /** `PUT /consents/{urn}`: the school consented, given by whom and when. */
  async recordConsent(urn: number, givenBy: string, givenAt: Date): Promise<ConsentOutcome> {
    const body = Buffer.from(JSON.stringify({ givenBy, givenAt: givenAt.toISOString() }));
    return this.consentCall('PUT', urn, body);
  }

  /** `DELETE /consents/{urn}`: the school removed its consent. */
  async withdrawConsent(urn: number, withdrawnBy: string): Promise<ConsentOutcome> {
    return this.consentCall('DELETE', urn, Buffer.from(JSON.stringify({ withdrawnBy })));
  }

  /**
   * `GET` of a read API (the DfE role's statistics) with a token for `scope` — a token of its own,
   * as the send's scope does not cover reading. The answer's JSON object, or why there is none.
   */
  async readJson(
    path: string,
    scope: string,
  ): Promise<
    | { kind: 'answered'; status: number; json: Record<string, unknown> | undefined }
    | { kind: 'failed'; status: number | undefined; reason: string }
  > {
    const result = await this.callApi('GET', path, Buffer.alloc(0), {}, scope);
    if (result.kind === 'failed') return { kind: 'failed', status: result.status, reason: result.reason };
    return { kind: 'answered', status: result.answer.status, json: readJsonObject(result.answer.text) };
  }

  private async consentCall(method: 'PUT' | 'DELETE', urn: number, body: Buffer): Promise<ConsentOutcome> {
    const result = await this.callApi(method, `consents/${urn}`, body, {});
    if (result.kind === 'failed') return { kind: 'failed', status: result.status, reason: result.reason };
    const { status, text } = result.answer;
    if (status >= 200 && status < 300)
      return {
        kind: 'recorded',
        status,
        reason:
          method === 'PUT' ? 'The receiver recorded the consent.' : 'The receiver recorded the removal.',
      };
    const error = readErrorObject(text);
    if (method === 'DELETE' && error.code === 'VAL124')
      return { kind: 'recorded', status, reason: 'The receiver held no consent from this school.' };
    // A receiver of the 2020 contract has no such route: consent lives only in the MIS.
    if ((status === 404 && error.code === undefined) || status === 405 || status === 501)
      return {
        kind: 'not-supported',
        status,
        reason: 'The receiver does not record consents (the 2020 contract): consent is kept here only.',
      };
    if (error.code === 'VAL132')
      return {
        kind: 'refused',
        status,
        reason:
          'Another supplier sends this school’s attendance: the DfE will check the change with the school before accepting this one.',
      };
    return { kind: 'refused', status, reason: refusalReason(status, error) };
  }

  /** An API call with a bearer token: renewed once on 401, transient trouble retried. */
  private async callApi(
    method: string,
    path: string,
    body: Buffer,
    headers: Record<string, string>,
    scope = this.settings.scope,
  ): Promise<
    { kind: 'answered'; answer: Answer; attempts: number } | Extract<SendOutcome, { kind: 'failed' }>
  > {
    const url = new URL(
      path,
      this.settings.baseUrl.endsWith('/') ? this.settings.baseUrl : `${this.settings.baseUrl}/`,
    );
    let renewed = false;
    let attempts = 0;
    for (;;) {
      const token = await this.token(scope);
      if (token.kind === 'failed') return { ...token, attempts };
      const result = await this.withRetries(() =>
        this.exchange(method, url, body, {
          ...this.settings.extraHeaders,
          ...(this.settings.appId ? { 'api-client-app-id': this.settings.appId } : {}),
          ...(this.options.sessionId ? { 'api-client-session-id': this.options.sessionId } : {}),
          authorization: `Bearer ${token.token}`,
          ...(body.length > 0 ? { 'content-type': 'application/json' } : {}),
          accept: 'application/json',
          ...headers,
        }),
      );
      attempts += result.attempts;
      if (result.kind === 'failed') return { ...result, attempts };
      if (result.answer.status === 401 && !renewed) {
        // Expired early, revoked, or the receiver's keys rotated: one new token, one more try.
        renewed = true;
        tokenCache.delete(this.cacheKey(scope));
        continue;
      }
      if (result.answer.status === 401)
        return {
          kind: 'failed',
          status: 401,
          reason:
            'The receiver refused our access token even after a new one was issued: the supplier’s client may have been disabled.',
          attempts,
        };
      return { kind: 'answered', answer: result.answer, attempts };
    }
  }

  private cacheKey(scope: string): string {
    const s = this.settings;
    return JSON.stringify([s.tokenUrl, s.clientId, scope, s.clientSecret.length, s.clientSecret.slice(0, 4)]);
  }

  private async token(
    scope: string,
  ): Promise<
    { kind: 'token'; token: string } | { kind: 'failed'; status: number | undefined; reason: string }
  > {
    const key = this.cacheKey(scope);
    const cached = tokenCache.get(key);
    const now = this.options.now().getTime();
    if (cached && now < cached.renewAt) return { kind: 'token', token: cached.token };
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: this.settings.clientId,
      client_secret: this.settings.clientSecret,
      scope,
    }).toString();
    const result = await this.withRetries(() =>
      this.exchange('POST', new URL(this.settings.tokenUrl), Buffer.from(form), {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      }),
    );
    if (result.kind === 'failed')
      return { kind: 'failed', status: result.status, reason: `No access token: ${result.reason}` };
    const { status, text } = result.answer;
    const read = readJsonObject(text);
    if (status !== 200 || !read || typeof read.access_token !== 'string' || read.access_token === '') {
      const code = read && typeof read.error === 'string' ? read.error.slice(0, 100) : undefined;
      return {
        kind: 'failed',
        status,
        reason:
          code === 'invalid_client'
            ? 'The receiver did not accept our client id and secret (invalid_client): check the receiver settings.'
            : code === 'invalid_scope'
              ? `The receiver does not allow the scope "${scope}" for our client (invalid_scope).`
              : `The receiver's token endpoint answered ${status}${code ? ` (${code})` : ''} without an access token.`,
      };
    }
    const lifetime =
      typeof read.expires_in === 'number' && Number.isFinite(read.expires_in) && read.expires_in > 0
        ? Math.min(read.expires_in, 86_400) * 1000
        : 300_000;
    const margin = Math.min(60_000, lifetime / 10);
    tokenCache.set(key, {
      token: read.access_token,
      renewAt: this.options.now().getTime() + lifetime - margin,
    });
    return { kind: 'token', token: read.access_token };
  }

  /** One exchange, repeated while the trouble is transient and attempts remain. */
  private async withRetries(
    exchange: () => Promise<Answer>,
  ): Promise<
    | { kind: 'answered'; answer: Answer; attempts: number }
    | { kind: 'failed'; status: number | undefined; reason: string; attempts: number }
  > {
    const { maxAttempts, baseDelayMs, maxDelayMs, maxRetryAfterMs } = this.options;
    for (let attempt = 1; ; attempt++) {
      let answer: Answer | undefined;
      let trouble: string;
      try {
        answer = await exchange();
        if (!isTransient(answer.status)) return { kind: 'answered', answer, attempts: attempt };
        trouble =
          answer.status === 429
            ? 'the receiver asked us to slow down (429)'
            : `the receiver could not take it (${answer.status})`;
      } catch (error) {
        if (error instanceof AnswerTooLarge)
          return {
            kind: 'failed',
            status: undefined,
            reason: `The receiver's answer could not be read (${error.message}), so whether it stored the send is not known; the next sync sends the days again.`,
            attempts: attempt,
          };
        trouble = `the receiver could not be reached (${(error as Error).message})`;
      }
      const retryAfter = answer ? retryAfterMs(answer.headers['retry-after'], this.options.now()) : undefined;
      if (attempt >= maxAttempts || (retryAfter !== undefined && retryAfter > maxRetryAfterMs))
        return {
          kind: 'failed',
          status: answer?.status,
          reason:
            retryAfter !== undefined && retryAfter > maxRetryAfterMs
              ? `${capitalise(trouble)} and asked us to wait ${Math.ceil(retryAfter / 1000)} s; the next sync will try again.`
              : `${capitalise(trouble)}, ${attempt} ${attempt === 1 ? 'try' : 'tries'}; the next sync will try again.`,
          attempts: attempt,
        };
      const backoff = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
      // Equal jitter: at least half the backoff, so many schools retrying do not arrive together.
      const jittered = backoff / 2 + this.options.random() * (backoff / 2);
      await this.options.sleep(retryAfter !== undefined ? Math.max(retryAfter, 0) : jittered);
    }
  }

  private exchange(method: string, url: URL, body: Buffer, headers: Record<string, string>): Promise<Answer> {
    if (url.protocol !== 'https:') return Promise.reject(new TransportError(`not HTTPS: ${url.origin}`));
    return new Promise<Answer>((resolve, reject) => {
      const req = httpsRequest(
        url,
        {
          method,
          ...(this.options.ca ? { ca: this.options.ca } : {}),
          headers: { ...headers, 'content-length': String(body.length) },
          timeout: this.options.timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_ANSWER_BYTES) {
              res.destroy();
              reject(new AnswerTooLarge(`its answer was larger than ${MAX_ANSWER_BYTES} bytes`));
              return;
            }
            chunks.push(chunk);
          });
          res.on('error', (error) => reject(new TransportError(error.message)));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              text: Buffer.concat(chunks).toString('utf8'),
            }),
          );
        },
      );
      req.on('timeout', () =>
        req.destroy(new TransportError(`no answer within ${this.options.timeoutMs / 1000} s`)),
      );
      req.on('error', (error) => reject(new TransportError(error.message)));
      req.end(body);
    });
  }
}

function isTransient(status: number): boolean {
  return status === 429 || status === 408 || status >= 500;
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** `Retry-After` as milliseconds: seconds, or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | string[] | undefined, now: Date): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined) return undefined;
  if (/^\s*\d{1,9}\s*$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

function readJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

const shortText = (value: unknown, max = 500): string =>
  typeof value === 'string'
    ? value.slice(0, max)
    : value === undefined || value === null
      ? ''
      : JSON.stringify(value).slice(0, max);

function readRecordError(value: unknown): ReceiverRecordError {
  const item = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  return {
    code: shortText(item.code, 20),
    title: shortText(item.title, 200),
    detail: shortText(item.detail, 250),
    path: shortText(item.path, 200),
  };
}

function readErrorObject(text: string): ReceiverErrorObject {
  const read = readJsonObject(text);
  if (!read) return {};
  const field = (name: string, max: number) =>
    typeof read[name] === 'string' ? (read[name] as string).slice(0, max) : undefined;
  return { code: field('code', 20), title: field('title', 200), detail: field('detail', 500) };
}

function refusalReason(status: number, error: ReceiverErrorObject): string {
  const named = [error.title, error.detail].filter(Boolean).join(': ');
  const code = error.code ? ` ${error.code}` : '';
  if (status === 403 && error.code === 'VAL121')
    return `The receiver has no consent from this school for us (403 VAL121)${error.detail ? `: ${error.detail}` : ''}.`;
  if (named) return `The receiver refused it (${status}${code}): ${named}`;
  return `The receiver refused it (${status}).`;
}
