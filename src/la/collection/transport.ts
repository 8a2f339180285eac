/**
 * The HTTPS client the collectors are given (tests give it a CA, or replace it). The answer is
 * read with a byte limit — after gunzip, when the server compresses — so a 200 MB answer or a
 * gzip bomb is cut off without being held, and a stalled server hits the timeout.
 */
import { request as httpsRequest } from 'node:https';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';

export interface HttpRequest {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  /** Most bytes of (uncompressed) body accepted. */
  maxBytes: number;
}

export interface HttpResponse {
  status: number;
  contentType: string;
  body: Buffer;
}

export type Transport = (request: HttpRequest) => Promise<HttpResponse>;

/** The connection failed, timed out or was reset: worth another try. */
export class TransportError extends Error {}

/** The answer was larger than the limit: not worth another try. */
export class TooLargeError extends Error {}

export interface HttpsTransportOptions {
  /** Certificates to trust instead of the system's (a test server's, a private CA's). */
  ca?: string | string[];
  timeoutMs?: number;
  /** Who answers, as the messages name it: "gateway" unless given (the LA also asks the DfE). */
  peer?: string;
}

export function httpsTransport(options: HttpsTransportOptions = {}): Transport {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const peer = options.peer ?? 'gateway';
  return (req) =>
    new Promise<HttpResponse>((resolve, reject) => {
      let url: URL;
      try {
        url = new URL(req.url);
      } catch {
        reject(new TransportError(`${req.url} is not a web address.`));
        return;
      }
      if (url.protocol !== 'https:') {
        reject(
          new TransportError(`${req.url} is not an https:// address; the extract only travels over HTTPS.`),
        );
        return;
      }
      let settled = false;
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        request.destroy();
        reject(error);
      };
      const request = httpsRequest(
        url,
        {
          method: req.method,
          headers: {
            'accept-encoding': 'gzip',
            ...req.headers,
            ...(req.body !== undefined ? { 'content-length': String(Buffer.byteLength(req.body)) } : {}),
          },
          ...(options.ca ? { ca: options.ca } : {}),
        },
        (res) => {
          const declared = Number(res.headers['content-length']);
          const gzipped = /gzip/i.test(String(res.headers['content-encoding'] ?? ''));
          if (!gzipped && Number.isFinite(declared) && declared > req.maxBytes) {
            fail(
              new TooLargeError(
                `The answer is ${megabytes(declared)}, more than the ${megabytes(req.maxBytes)} accepted.`,
              ),
            );
            return;
          }
          const stream: Readable = gzipped ? res.pipe(createGunzip()) : res;
          const chunks: Buffer[] = [];
          let size = 0;
          stream.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > req.maxBytes) {
              // Settle first: destroying the response reports it as aborted.
              fail(new TooLargeError(`The answer is more than the ${megabytes(req.maxBytes)} accepted.`));
              stream.destroy();
              res.destroy();
              return;
            }
            chunks.push(chunk);
          });
          stream.on('error', (error) => fail(new TransportError(`The answer broke off: ${error.message}.`)));
          res.on('aborted', () =>
            fail(new TransportError('The connection was closed before the whole answer arrived.')),
          );
          stream.on('end', () => {
            if (settled) return;
            settled = true;
            resolve({
              status: res.statusCode ?? 0,
              contentType: String(res.headers['content-type'] ?? ''),
              body: Buffer.concat(chunks),
            });
          });
        },
      );
      request.setTimeout(timeoutMs, () =>
        fail(new TransportError(`No answer within ${Math.round(timeoutMs / 1000)} seconds.`)),
      );
      request.on('error', (error: NodeJS.ErrnoException) =>
        fail(new TransportError(plainNetworkError(error, peer))),
      );
      if (req.body !== undefined) request.write(req.body);
      request.end();
    });
}

function megabytes(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MB`;
}

function plainNetworkError(error: NodeJS.ErrnoException, peer: string): string {
  switch (error.code) {
    case 'ECONNREFUSED':
      return `The ${peer} refused the connection (nothing is listening at that address).`;
    case 'ECONNRESET':
      return `The ${peer} closed the connection (reset).`;
    case 'ENOTFOUND':
      return `The ${peer}’s host name is not known (DNS).`;
    case 'ETIMEDOUT':
      return `The connection to the ${peer} timed out.`;
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'CERT_HAS_EXPIRED':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `The ${peer}’s TLS certificate is not trusted (${error.code}).`;
    default:
      return `The connection to the ${peer} failed: ${error.message}.`;
  }
}
