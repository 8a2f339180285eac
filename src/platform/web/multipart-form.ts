/**
 * A form with a file in it (`enctype="multipart/form-data"`, RFC 7578), small enough to be read
 * whole: a certificate, a short list. Every field, the file's content included, is read as UTF-8
 * text into the same shape @fastify/formbody gives (a repeated name is a list), so the web
 * shell's CSRF check and the page's own field checks read it alike. A body that is not a
 * well-formed multipart form is refused with a 400 before any handler runs.
 */
import type { FastifyInstance } from 'fastify';

export class MultipartFormError extends Error {
  readonly statusCode = 400;
}

const CRLF = Buffer.from('\r\n');
const HEADERS_END = Buffer.from('\r\n\r\n');

/** The boundary of a `multipart/form-data` content type, or undefined. */
function boundaryOf(contentType: string): string | undefined {
  const match = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}

export function parseMultipartForm(body: Buffer, contentType: string): Record<string, string | string[]> {
  const boundary = boundaryOf(contentType);
  if (!boundary) throw new MultipartFormError('The form has no multipart boundary');
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  // The first delimiter may open the body without its leading line break.
  const padded = Buffer.concat([CRLF, body]);
  const fields: Record<string, string | string[]> = {};
  let at = padded.indexOf(delimiter);
  if (at !== 0) throw new MultipartFormError('The form does not start with its boundary');
  for (;;) {
    const afterDelimiter = at + delimiter.length;
    if (padded.subarray(afterDelimiter, afterDelimiter + 2).toString() === '--') return fields;
    const start = afterDelimiter + CRLF.length;
    const next = padded.indexOf(delimiter, start);
    if (next < 0) throw new MultipartFormError('The form ends before its closing boundary');
    const part = padded.subarray(start, next);
    const headersEnd = part.indexOf(HEADERS_END);
    if (headersEnd < 0) throw new MultipartFormError('A part of the form has no headers');
    const headers = part.subarray(0, headersEnd).toString('utf8');
    const name = /^content-disposition:\s*form-data;.*?\bname="([^"]*)"/im.exec(headers)?.[1];
    if (name === undefined) throw new MultipartFormError('A part of the form has no name');
    const value = part.subarray(headersEnd + HEADERS_END.length).toString('utf8');
    const seen = fields[name];
    fields[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
    at = next;
  }
}

/** Lets the routes of `scope` (only) take multipart forms of at most `bodyLimit` bytes. */
export function acceptMultipartForms(scope: FastifyInstance, bodyLimit: number): void {
  scope.addContentTypeParser(
    'multipart/form-data',
    { parseAs: 'buffer', bodyLimit },
    (request, body, done) => {
      try {
        done(null, parseMultipartForm(body as Buffer, String(request.headers['content-type'] ?? '')));
      } catch (error) {
        done(error as Error, undefined);
      }
    },
  );
}
