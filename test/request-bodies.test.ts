/**
 * Request bodies, on a server running both roles: every route takes only the content types it
 * reads, refusing any other with 415 before reading the body (in its contract's own format), no
 * body is read past its limit whatever its type, an early answer reaches a client that sends its
 * whole body before reading (as Python's `requests` does), and hostile SOAP envelopes cost the
 * gateway little CPU.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { startTestServer, TEST_PASSWORD, type TestServer } from './support/test-server.ts';
import { clientWithToken } from './support/attendance-app.ts';
import { GATEWAY_PATH } from '../src/regulator/gateway/gateway-routes.ts';
import { HOSTILE_SHAPES, hostileEnvelope } from '../src/regulator/gateway/hostile-envelopes.ts';
import { chunked, pieces, sendAllThenRead, sendHeadThenRead, type RawAnswer } from './support/raw-https.ts';

const SOAP = 'application/soap+xml; charset=utf-8';
/** A test that would wait for a body never sent fails here rather than hanging the suite. */
const HANG_GUARD = { timeout: 30_000 };

let server: TestServer;
let app: FastifyInstance;
let tls: { cert: string };
let baseUrl: string;
let token: string;

before(async () => {
  // Every role, over real HTTPS: what is refused before reading is the point here.
  server = await startTestServer();
  ({ app, baseUrl } = server);
  tls = { cert: server.ca };
  token = (await clientWithToken(server, { name: 'MIS', scopes: ['attendance.submit'] })).token;
});
after(() => server.close());

const faultOf = (answer: RawAnswer) => ({
  code: /<s:Value>s:(\w+)<\/s:Value>/.exec(answer.body)?.[1],
  reason: /<s:Text[^>]*>([^<]*)<\/s:Text>/.exec(answer.body)?.[1],
});

/** Declares a 1 MB body, sends 1 KB of it, and reads the answer. */
const refusedBeforeReading = (method: string, target: string, headers: Record<string, string>) =>
  sendHeadThenRead(
    baseUrl,
    tls.cert,
    { method, path: target, headers: { 'content-length': String(1024 * 1024), ...headers } },
    Buffer.alloc(1024, 0x61),
  );

const healthy = async () => {
  const answer = await sendHeadThenRead(
    baseUrl,
    tls.cert,
    { method: 'GET', path: '/healthz', headers: {} },
    Buffer.alloc(0),
  );
  assert.equal(answer.status, 200);
};

describe('the ISPP gateway', () => {
  test(
    'text/plain, JSON and form bodies get the 415 SOAP fault before the body is read',
    HANG_GUARD,
    async () => {
      for (const type of ['text/plain', 'application/json', 'application/x-www-form-urlencoded']) {
        const answer = await refusedBeforeReading('POST', GATEWAY_PATH, { 'content-type': type });
        assert.equal(answer.status, 415, `${type}: ${answer.body.slice(0, 200)}`);
        assert.match(answer.headers['content-type'] ?? '', /^application\/soap\+xml/);
        assert.deepEqual(faultOf(answer), {
          code: 'Sender',
          reason: 'Send a SOAP 1.2 envelope as application/soap+xml.',
        });
      }
      // No content type at all, with a body, is not read either.
      const untyped = await refusedBeforeReading('POST', GATEWAY_PATH, {});
      assert.equal(untyped.status, 415);
      await healthy();
    },
  );

  test(
    'a 2 MB body streamed to a client that reads only after sending gets the 413 SOAP 1.2 fault',
    HANG_GUARD,
    async () => {
      const expected = { code: 'Sender', reason: 'The request is larger than 65536 bytes.' };
      const streamed = await sendAllThenRead(
        baseUrl,
        tls.cert,
        {
          method: 'POST',
          path: GATEWAY_PATH,
          headers: { 'content-type': SOAP, 'transfer-encoding': 'chunked' },
        },
        chunked(2 * 1024 * 1024),
      );
      assert.equal(streamed.status, 413);
      assert.match(streamed.headers['content-type'] ?? '', /^application\/soap\+xml/);
      assert.deepEqual(faultOf(streamed), expected);

      // Its length declared up front, and the client asking to close after the answer.
      const declared = await sendAllThenRead(
        baseUrl,
        tls.cert,
        {
          method: 'POST',
          path: GATEWAY_PATH,
          headers: { 'content-type': SOAP, 'content-length': String(2 * 1024 * 1024), connection: 'close' },
        },
        pieces(2 * 1024 * 1024),
      );
      assert.equal(declared.status, 413);
      assert.deepEqual(faultOf(declared), expected);
      await healthy();
    },
  );

  test(
    'the FID routes read no body: a GET carrying one is answered without waiting for it',
    HANG_GUARD,
    async () => {
      const answer = await refusedBeforeReading('GET', '/fid/json', { 'content-type': 'text/plain' });
      assert.equal(answer.status, 401);
      assert.equal(JSON.parse(answer.body).code, 'AuthenticationFailed');
      await healthy();
    },
  );

  test('hostile 64 KB envelopes of every shape are answered with a fault in well under 100 ms of CPU each', async () => {
    for (const shape of HOSTILE_SHAPES) {
      const payload = hostileEnvelope(shape);
      const cpuMs: number[] = [];
      for (let round = 0; round < 3; round++) {
        const start = process.cpuUsage();
        const answer = await app.inject({
          method: 'POST',
          url: GATEWAY_PATH,
          headers: { 'content-type': SOAP },
          payload,
        });
        const used = process.cpuUsage(start);
        cpuMs.push((used.user + used.system) / 1000);
        assert.equal(answer.statusCode, 400, `${shape}: ${answer.body.slice(0, 300)}`);
        assert.match(answer.body, /<s:Value>s:Sender<\/s:Value>/);
      }
      // The least disturbed of three rounds; the whole request, in this process (the server's).
      const least = Math.min(...cpuMs);
      assert.ok(least < 100, `${shape}: ${least.toFixed(1)} ms of CPU`);
    }
  });
});

describe('the attendance API and its token endpoint', () => {
  test('POST /attendances: a wrong type gets VAL119 (415) before the body is read', HANG_GUARD, async () => {
    const answer = await refusedBeforeReading('POST', '/attendances', {
      authorization: `Bearer ${token}`,
      'content-type': 'text/plain',
    });
    assert.equal(answer.status, 415);
    assert.deepEqual(JSON.parse(answer.body), {
      id: 'ERROR_INCORRECT_CONTENT_TYPE',
      code: 'VAL119',
      status: '415',
      title: 'Incorrect content type',
      detail: 'Incorrect content type',
    });
  });

  test('POST /attendances without a token is refused before its body is read', HANG_GUARD, async () => {
    const answer = await refusedBeforeReading('POST', '/attendances', { 'content-type': 'application/json' });
    assert.equal(answer.status, 401);
  });

  test(
    'POST /attendances over 4 MB, streamed, gets VAL126 (413) rather than a broken connection',
    HANG_GUARD,
    async () => {
      const answer = await sendAllThenRead(
        baseUrl,
        tls.cert,
        {
          method: 'POST',
          path: '/attendances',
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            'transfer-encoding': 'chunked',
          },
        },
        chunked(5 * 1024 * 1024, 64 * 1024, 0x20),
      );
      assert.equal(answer.status, 413);
      assert.equal(JSON.parse(answer.body).code, 'VAL126');
    },
  );

  test(
    'the token endpoint takes forms only: JSON or text gets an OAuth invalid_request (400, RFC 6749 §5.2)',
    HANG_GUARD,
    async () => {
      for (const type of ['application/json', 'text/plain']) {
        const answer = await refusedBeforeReading('POST', '/oauth2/token', { 'content-type': type });
        assert.equal(answer.status, 400, type);
        assert.equal(answer.headers['cache-control'], 'no-store');
        assert.deepEqual(JSON.parse(answer.body), {
          error: 'invalid_request',
          error_description: 'The token request must be application/x-www-form-urlencoded (RFC 6749 §4.4.2)',
        });
      }
    },
  );
});

describe('pages and the regulator API', () => {
  test('a form page refuses JSON and text with the 415 error page, before reading', HANG_GUARD, async () => {
    for (const type of ['application/json', 'text/plain']) {
      const answer = await refusedBeforeReading('POST', '/login', {
        'content-type': type,
        accept: 'text/html',
      });
      assert.equal(answer.status, 415, type);
      assert.match(answer.headers['content-type'] ?? '', /^text\/html/);
      assert.match(answer.body, /There is a problem with the request/);
    }
  });

  test(
    'a page form body over 64 KB gets the 413 error page, even to a client reading only after sending',
    HANG_GUARD,
    async () => {
      const answer = await sendAllThenRead(
        baseUrl,
        tls.cert,
        {
          method: 'POST',
          path: '/login',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            accept: 'text/html',
            'content-length': String(1024 * 1024),
          },
        },
        pieces(1024 * 1024, 64 * 1024, 0x61),
      );
      assert.equal(answer.status, 413);
      assert.match(answer.body, /There is a problem with the request/);
    },
  );

  test(
    'the regulator API takes JSON only: a form is refused with 415 before reading',
    HANG_GUARD,
    async () => {
      const basic = Buffer.from(`casey:${TEST_PASSWORD}`).toString('base64');
      const answer = await refusedBeforeReading(
        'POST',
        '/api/regulator/registrations/EY000001/status-changes',
        {
          authorization: `Basic ${basic}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
      );
      assert.equal(answer.status, 415);
      assert.equal(JSON.parse(answer.body).statusCode, 415);
    },
  );
});
