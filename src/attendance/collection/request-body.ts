/**
 * From the raw request to a JSON value for `validateSubmission`: the two envelope rules that come
 * before the body can be read. For an HTTP layer that hands over the raw body (a Fastify content
 * type parser with `parseAs: 'buffer'`), so that the answers are the contract's and not the
 * framework's.
 */
import { envelopeError } from './attendance-errors.ts';
import type { EnvelopeError } from './attendance-errors.ts';

export type RequestBody = { ok: true; body: unknown } | { ok: false; error: EnvelopeError };

/**
 * VAL119: the content type is JSON. Beside `application/json`, the types ASP.NET Core's JSON reader
 * accepted (`text/json`, `application/*+json`, as Swagger's `application/json-patch+json`) are
 * taken, so no client of the 2020 API is turned away; parameters such as `charset` are ignored.
 */
export function contentTypeIsJson(contentType: string | undefined): EnvelopeError | undefined {
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const json =
    mediaType === 'application/json' ||
    mediaType === 'text/json' ||
    (mediaType.startsWith('application/') && mediaType.endsWith('+json'));
  return json ? undefined : envelopeError('VAL119');
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** VAL118: the body is there, and is JSON (UTF-8). */
export function bodyIsJson(raw: string | Uint8Array | undefined): RequestBody {
  let text: string;
  try {
    // TextDecoder drops a byte order mark; fatal: bytes that are not UTF-8 are not JSON.
    text = typeof raw === 'string' ? raw.replace(/^\uFEFF/, '') : utf8.decode(raw ?? new Uint8Array());
  } catch {
    return { ok: false, error: envelopeError('VAL118', 'The request body is not UTF-8 text') };
  }
  if (text.trim() === '') return { ok: false, error: envelopeError('VAL118', 'Empty request body') };
  try {
    return { ok: true, body: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, error: envelopeError('VAL118', 'The request body is not valid JSON') };
  }
}

/** Both rules, in order: the content type, then the body. */
export function readSubmissionBody(
  contentType: string | undefined,
  raw: string | Uint8Array | undefined,
): RequestBody {
  const wrongType = contentTypeIsJson(contentType);
  if (wrongType) return { ok: false, error: wrongType };
  return bodyIsJson(raw);
}
