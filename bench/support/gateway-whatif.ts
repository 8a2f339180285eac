/**
 * A what-if for bench/gateway's diagnosis, never for its verdict: `POST /bench/gateway-cached`
 * does what IsppGateway.handle does for a successful GetLocalAuthorityChildcareRegister (parse,
 * WS-Security with the account and certificates read from PostgreSQL, the stored extract read,
 * the audit row written once sent) but answers with RegisterData's content made once at start
 * (registerDataContent) and sent as the static baseline sends, without the gateway's route and
 * cache. It was written to price caching the extract before RegisterDataCache existed; now it
 * shows what the gateway's own route and stream handling add on top.
 * The rule checks that cost nothing (action, mustUnderstand, rate limit, collection rules) are
 * left out; any other outcome than Success is a 500 here, so the bench sees it as non-2xx.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../src/platform/db/database.ts';
import type { SecretBox } from '../../src/platform/auth/secret-box.ts';
import { londonDateOf } from '../../src/platform/calendar.ts';
import { readyExtract } from '../../src/regulator/extract/extract-store.ts';
import { credentialsOf, recordAudit, rememberNonce } from '../../src/regulator/gateway/gateway-store.ts';
import { parseSoapEnvelope } from '../../src/regulator/gateway/soap-envelope.ts';
import {
  registerDataContent,
  registerDataResponse,
  SOAP_CONTENT_TYPE,
} from '../../src/regulator/gateway/soap-response.ts';
import { verifySecurityHeader } from '../../src/regulator/gateway/ws-security.ts';

export const WHAT_IF_PATH = '/bench/gateway-cached';

/** The envelope around RegisterData for one reply: registerDataResponse over an empty document. */
async function envelope(relatesTo: string | undefined): Promise<[Buffer, Buffer]> {
  const parts = registerDataResponse(Buffer.alloc(0), relatesTo);
  return [parts[0]!, parts.at(-1)!];
}

/** The reply in pieces of at most `size` bytes (views, not copies). */
function* slices(head: Buffer, body: Buffer, tail: Buffer, size: number): Generator<Buffer> {
  yield head;
  for (let at = 0; at < body.length; at += size) yield body.subarray(at, at + size);
  yield tail;
}

export async function whatIfCachedGateway(
  app: FastifyInstance,
  options: {
    db: Database;
    box: SecretBox;
    endpointUrl: string;
    document: Buffer;
    /** How much of the cached body goes to the socket in one write (as the static baseline). */
    sliceBytes: number;
  },
): Promise<void> {
  const content = registerDataContent(options.document);
  await app.register(async (scope) => {
    scope.addContentTypeParser('application/soap+xml', { parseAs: 'string' }, (_request, body, done) =>
      done(null, body),
    );
    // A client cut off at the end of a run is not news; plain text, as the reply is already typed.
    scope.setErrorHandler(async (_error, _request, reply) =>
      reply.code(500).type('text/plain').send('what-if failed'),
    );
    scope.post(WHAT_IF_PATH, async (request, reply) => {
      const started = performance.now();
      const xml = String(request.body);
      const parsed = parseSoapEnvelope(xml);
      const security = await verifySecurityHeader(
        parsed,
        {
          account: async (username) => {
            const credentials = await credentialsOf(options.db, options.box, username);
            return credentials
              ? {
                  id: String(credentials.account.id),
                  password: credentials.password,
                  requireCertificate: credentials.requireCertificate,
                  certificates: credentials.certificates,
                }
              : undefined;
          },
          rememberNonce: (nonce, expiresAt) => rememberNonce(options.db, nonce, expiresAt),
        },
        { now: new Date(), expectedTo: options.endpointUrl, maxMessageAgeSeconds: 600 },
      );
      const laCode = parsed.localAuthorityCode ?? '';
      // Read as the gateway reads it (bytes included): a cache keyed on its SHA-256 still needs the row.
      const stored = security.ok
        ? await readyExtract(options.db, laCode, londonDateOf(new Date()))
        : undefined;
      if (!security.ok || !stored) return reply.code(500).send('what-if: not a Success');
      const [head, tail] = await envelope(parsed.addressing.messageId);
      reply.raw.once('close', () => {
        void recordAudit(options.db, {
          requestId: request.id,
          channel: 'soap',
          operation: 'GetLocalAuthorityChildcareRegister',
          laCode,
          outcome: 'Success',
          detail: `what-if sha256 ${stored.sha256}`,
          bytes: head.length + content.length + tail.length,
          durationMs: performance.now() - started,
          clientAddress: request.ip,
        }).catch(() => undefined);
      });
      return reply
        .code(200)
        .header('content-type', SOAP_CONTENT_TYPE)
        .header('content-length', head.length + content.length + tail.length)
        .send(Readable.from(slices(head, content, tail, options.sliceBytes)));
    });
  });
}
