/**
 * From the raw request to a JSON value for `validateSubmission`: the two envelope rules that come
 * before the body can be read. For an HTTP layer that hands over the raw body (a Fastify content
 * type parser with `parseAs: 'buffer'`), so that the answers are the contract's and not the
 * framework's.
 */
import { isUtf8 } from 'node:buffer';
import { envelopeError } from '../../contracts/attendance/attendance-errors.ts';
import type { EnvelopeError } from '../../contracts/attendance/attendance-errors.ts';

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

/**
 * How deep lists and objects may nest in a body. A submission nests 5 deep (body, submissionData, an
 * entry, its attendances, a mark); past this nothing is a submission, and code that walks a value
 * recursively (JSON.stringify among it) would run out of stack on 100,000 `[`.
 */
export const MAX_JSON_DEPTH = 64;

/** Whether JSON text nests deeper than `MAX_JSON_DEPTH`: a byte scan, so nothing recursive meets it. */
function nestsTooDeep(bytes: Uint8Array): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (inString) {
      // UTF-8 continuation bytes are never ASCII, so a quote or backslash byte is one.
      if (b === 0x5c) i++;
      else if (b === 0x22) inString = false;
    } else if (b === 0x22) inString = true;
    else if (b === 0x5b || b === 0x7b) {
      if (++depth > MAX_JSON_DEPTH) return true;
    } else if (b === 0x5d || b === 0x7d) depth--;
  }
  return false;
}

/** VAL118: the body is there, and is JSON (UTF-8) nesting at most `MAX_JSON_DEPTH` deep. */
export function bodyIsJson(raw: string | Uint8Array | undefined): RequestBody {
  let text: string;
  let bytes: Uint8Array;
  if (typeof raw === 'string') {
    text = raw;
    bytes = Buffer.from(raw);
  } else {
    const buffer = Buffer.from((raw ?? new Uint8Array()).buffer, raw?.byteOffset ?? 0, raw?.byteLength ?? 0);
    // Bytes that are not UTF-8 are not JSON (isUtf8 is native and cheap on large bodies).
    if (!isUtf8(buffer))
      return { ok: false, error: envelopeError('VAL118', 'The request body is not UTF-8 text') };
    text = buffer.toString('utf8');
    bytes = buffer;
  }
  text = text.replace(/^\uFEFF/, '');
  if (text.trim() === '') return { ok: false, error: envelopeError('VAL118', 'Empty request body') };
  if (nestsTooDeep(bytes))
    return {
      ok: false,
      error: envelopeError(
        'VAL118',
        `The request body nests lists and objects more than ${MAX_JSON_DEPTH} deep`,
      ),
    };
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
