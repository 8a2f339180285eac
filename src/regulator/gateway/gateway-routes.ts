/**
 * HTTP side of the ISPP gateway: the SOAP 1.2 endpoint at the real service's path, its WSDL and
 * schemas, with bodies over 64 KB refused before parsing and faults in SOAP's own format.
 */
import { PassThrough, Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { pageFields, typed } from '../../platform/http/typed-routes.ts';
import { faultResponse, SOAP_CONTENT_TYPE, type Fault } from './soap-response.ts';
import type { IsppGateway, GatewayReply } from './gateway-service.ts';
import { serviceContract } from './wsdl.ts';

export const GATEWAY_PATH = '/ISPPGateway/ISPPGatewayServices.svc';
export const MAX_REQUEST_BYTES = 64 * 1024;

export interface GatewayRouteOptions {
  gateway: IsppGateway;
  endpointUrl: string;
}

/**
 * The reply as a stream (text or chunks), gzipped when the client accepts it; `onDone` gets the
 * bytes of the reply (before compression) once the response is finished or the client has gone.
 */
async function replyStream(
  request: FastifyRequest,
  reply: FastifyReply,
  gatewayReply: GatewayReply,
  onDone: (bytes: number) => void,
) {
  reply.code(gatewayReply.httpStatus).header('content-type', SOAP_CONTENT_TYPE);
  const source = typeof gatewayReply.body === 'string' ? [Buffer.from(gatewayReply.body)] : gatewayReply.body;
  const length = source.reduce((sum, chunk) => sum + chunk.length, 0);
  const acceptsGzip = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
  if (!acceptsGzip || gatewayReply.gzipped) {
    // The length is known: slices go straight to the socket, no transforms.
    const sent = acceptsGzip && gatewayReply.gzipped ? await gatewayReply.gzipped() : source;
    if (sent !== source) reply.header('content-encoding', 'gzip').header('vary', 'accept-encoding');
    reply.header(
      'content-length',
      sent.reduce((sum, chunk) => sum + chunk.length, 0),
    );
    reply.raw.once('close', () => onDone(reply.raw.writableFinished ? length : 0));
    return Readable.from(sent, { objectMode: false });
  }
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  const out = new PassThrough();
  reply.header('content-encoding', 'gzip').header('vary', 'accept-encoding');
  pipeline([Readable.from(source), counter, createGzip({ level: 4 }), out]).catch((error: unknown) =>
    request.log.warn({ err: error }, 'gateway reply interrupted'),
  );
  reply.raw.once('close', () => onDone(bytes));
  return out;
}

export async function gatewayRoutes(app: FastifyInstance, options: GatewayRouteOptions): Promise<void> {
  const contract = serviceContract(options.endpointUrl);

  await app.register(async (scope) => {
    // SOAP 1.2 is application/soap+xml; text/xml (SOAP 1.1) is read too, to answer VersionMismatch.
    // Nothing else: forms (which the web shell takes everywhere) and any other type get the 415
    // fault before a byte of the body is read.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      ['application/soap+xml', 'text/xml', 'application/xml'],
      { parseAs: 'string', bodyLimit: MAX_REQUEST_BYTES },
      (_request, body, done) => done(null, body),
    );

    const senderFault = (reply: FastifyReply, fault: Fault) =>
      reply
        .code(fault.httpStatus)
        .header('content-type', SOAP_CONTENT_TYPE)
        .send(faultResponse(fault, undefined));

    scope.setErrorHandler(async (error: Error & { statusCode?: number; code?: string }, request, reply) => {
      const status = error.statusCode ?? 500;
      // A client that hangs up mid-request is not a gateway failure.
      const clientGone = error.code === 'ERR_STREAM_PREMATURE_CLOSE' || error.code === 'ECONNRESET';
      await options.gateway
        .auditRefusal(
          { requestId: request.id, clientAddress: request.ip },
          clientGone ? 'client-disconnected' : `refused:http-${status}`,
          0,
          reply.elapsedTime,
        )
        .catch((auditError: unknown) => request.log.error({ err: auditError }, 'gateway audit not written'));
      if (status === 413) {
        return senderFault(reply, {
          code: 'Sender',
          reason: `The request is larger than ${MAX_REQUEST_BYTES} bytes.`,
          httpStatus: 413,
        });
      }
      if (status === 415) {
        return senderFault(reply, {
          code: 'Sender',
          reason: 'Send a SOAP 1.2 envelope as application/soap+xml.',
          httpStatus: 415,
        });
      }
      if (status < 500)
        return senderFault(reply, { code: 'Sender', reason: error.message, httpStatus: status });
      if (clientGone) request.log.info({ err: error }, 'client disconnected');
      else request.log.error({ err: error }, 'gateway error');
      return senderFault(reply, {
        code: 'Receiver',
        reason: `Internal error; reference ${request.id}.`,
        httpStatus: 500,
      });
    });

    const metadata = {
      tags: ['ispp-gateway'],
      summary: 'The service description: ?wsdl, ?singleWsdl or ?xsd=NAME',
      querystring: pageFields('singleWsdl', 'xsd', 'wsdl'),
    };
    typed(scope).get(GATEWAY_PATH, { schema: metadata }, async (request, reply) => {
      const query = request.query;
      const key =
        'singleWsdl' in query
          ? 'singleWsdl'
          : query.xsd
            ? query.xsd
            : query.wsdl
              ? query.wsdl
              : 'wsdl' in query
                ? 'wsdl'
                : undefined;
      const document = typeof key === 'string' && key ? contract.documents.get(key) : undefined;
      if (!document) {
        return reply
          .type('text/plain; charset=utf-8')
          .send(`ISPPGatewayServices (SOAP 1.2). Metadata: ${options.endpointUrl}?wsdl or ?singleWsdl`);
      }
      return reply.type('text/xml; charset=utf-8').send(document);
    });

    scope.post(
      GATEWAY_PATH,
      {
        bodyLimit: MAX_REQUEST_BYTES,
        config: { rateLimit: { max: 600, timeWindow: '1 minute' } },
        schema: {
          tags: ['ispp-gateway'],
          summary: 'SOAP 1.2 with WS-Security: GetLocalAuthorityChildcareRegister, GetServiceStatus',
        },
      },
      async (request, reply) => {
        const started = performance.now();
        const body = typeof request.body === 'string' ? request.body : '';
        const gatewayReply = await options.gateway.handle(body, {
          requestId: request.id,
          clientAddress: request.ip,
        });
        const stream = await replyStream(request, reply, gatewayReply, (bytes) => {
          options.gateway
            .audit(gatewayReply, bytes, performance.now() - started)
            .catch((error: unknown) => request.log.error({ err: error }, 'gateway audit not written'));
        });
        return reply.send(stream);
      },
    );
  });
}
