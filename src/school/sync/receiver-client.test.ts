/**
 * The receiver client against a minimal receiver of the 2020 contract (not edgate): it wants a
 * subscription-key header on every API call, has no consent routes, and answers as the tests ask.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadTls, type TlsMaterial } from '../../platform/http/tls.ts';
import {
  ReceiverClient,
  forgetReceiverTokens,
  retryAfterMs,
  type ReceiverSettings,
} from './receiver-client.ts';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

let server: Server;
let tls: TlsMaterial;
let dir: string;
let baseUrl: string;
let tokensIssued = 0;
/** What the API answers next, one handler per call; then the 2020 receiver's usual 201. */
let script: Handler[] = [];
let seen: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[] = [];

const accepted: Handler = (_req, _body, res) => {
  res.writeHead(201, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ submissionRef: 'ref-1', errors: [] }));
};

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'edgate-receiver-'));
  tls = await loadTls({ dataDir: dir });
  server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (req.url === '/token') {
        const form = new URLSearchParams(body);
        if (form.get('client_secret') !== 'secret' || form.get('grant_type') !== 'client_credentials') {
          res.writeHead(401, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: 'invalid_client' }));
          return;
        }
        tokensIssued++;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ access_token: `token-${tokensIssued}`, token_type: 'Bearer', expires_in: 3600 }),
        );
        return;
      }
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      if (req.headers['ocp-apim-subscription-key'] !== 'sub-key') {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ statusCode: 401, message: 'Access denied due to missing subscription key.' }),
        );
        return;
      }
      if (req.url !== '/api/attendances') {
        res.writeHead(404);
        res.end();
        return;
      }
      (script.shift() ?? accepted)(req, body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  baseUrl = `https://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
after(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  forgetReceiverTokens();
  tokensIssued = 0;
  script = [];
  seen = [];
});

const settings = (overrides: Partial<ReceiverSettings> = {}): ReceiverSettings => ({
  baseUrl: `${baseUrl}/api`,
  tokenUrl: `${baseUrl}/token`,
  clientId: 'mis',
  clientSecret: 'secret',
  scope: 'attendance.submit',
  extraHeaders: { 'Ocp-Apim-Subscription-Key': 'sub-key' },
  appId: 'edgate-school',
  ...overrides,
});

function clientWith(
  overrides: Partial<ReceiverSettings> = {},
  clock = { now: new Date('2026-11-20T09:00:00Z') },
) {
  const sleeps: number[] = [];
  const client = new ReceiverClient(settings(overrides), {
    ca: tls.cert,
    now: () => clock.now,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.now = new Date(clock.now.getTime() + ms);
    },
    random: () => 0.5,
    sessionId: 'session-1',
  });
  return { client, sleeps, clock };
}

const body = Buffer.from(JSON.stringify({ urn: 100001, totalNoOfPupils: 1, submissionData: [] }));

describe('receiver client against a 2020-style receiver', () => {
  test('sends the subscription key, the client headers and the Idempotency-Key; one token serves many sends', async () => {
    const { client } = clientWith();
    const first = await client.sendAttendance(body, 'key-1');
    const second = await client.sendAttendance(body, 'key-2');
    assert.equal(first.kind, 'accepted');
    assert.equal(second.kind, 'accepted');
    assert.equal(tokensIssued, 1);
    assert.equal(seen[0]!.headers['ocp-apim-subscription-key'], 'sub-key');
    assert.equal(seen[0]!.headers['api-client-app-id'], 'edgate-school');
    assert.equal(seen[0]!.headers['api-client-session-id'], 'session-1');
    assert.equal(seen[0]!.headers['idempotency-key'], 'key-1');
    assert.equal(seen[0]!.headers.authorization, 'Bearer token-1');
    assert.equal(seen[0]!.body, body.toString());
  });

  test('the token is renewed before it expires', async () => {
    const { client, clock } = clientWith();
    await client.sendAttendance(body, 'key-1');
    clock.now = new Date(clock.now.getTime() + 3590 * 1000);
    await client.sendAttendance(body, 'key-2');
    assert.equal(tokensIssued, 2);
    assert.equal(seen[1]!.headers.authorization, 'Bearer token-2');
  });

  test('a 401 on the API renews the token once and sends again', async () => {
    const { client } = clientWith();
    script = [
      (_req, _body, res) => {
        res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"' });
        res.end();
      },
    ];
    const outcome = await client.sendAttendance(body, 'key-1');
    assert.equal(outcome.kind, 'accepted');
    assert.equal(tokensIssued, 2);
    assert.equal(seen.length, 2);
  });

  test('a second 401 after renewal is a failure in plain words, not a loop', async () => {
    const { client } = clientWith();
    const unauthorised: (typeof script)[number] = (_req, _body, res) => {
      res.writeHead(401);
      res.end();
    };
    script = [unauthorised, unauthorised, unauthorised];
    const outcome = await client.sendAttendance(body, 'key-1');
    assert.equal(outcome.kind, 'failed');
    assert.match(outcome.kind === 'failed' ? outcome.reason : '', /refused our access token/);
    assert.equal(seen.length, 2);
  });

  test('a missing subscription key is what the gateway refuses (so the header matters)', async () => {
    const { client } = clientWith({ extraHeaders: {} });
    const outcome = await client.sendAttendance(body, 'key-1');
    assert.equal(outcome.kind, 'failed');
  });

  test('429 with Retry-After is waited for exactly, then sent', async () => {
    const { client, sleeps } = clientWith();
    script = [
      (_req, _body, res) => {
        res.writeHead(429, { 'retry-after': '7' });
        res.end();
      },
    ];
    const outcome = await client.sendAttendance(body, 'key-1');
    assert.equal(outcome.kind, 'accepted');
    assert.deepEqual(sleeps, [7000]);
    assert.equal(seen[1]!.headers['idempotency-key'], 'key-1', 'the retry carries the same key');
  });

  test('5xx is retried with growing, jittered backoff, then fails with the reason', async () => {
    const { client, sleeps } = clientWith();
    const down: (typeof script)[number] = (_req, _body, res) => {
      res.writeHead(503);
      res.end();
    };
    script = [down, down, down, down, down];
    const outcome = await client.sendAttendance(body, 'key-1');
    assert.equal(outcome.kind, 'failed');
    assert.match(outcome.kind === 'failed' ? outcome.reason : '', /could not take it \(503\), 5 tries/);
    // random() = 0.5: three quarters of 1 s, 2 s, 4 s, 8 s.
    assert.deepEqual(sleeps, [750, 1500, 3000, 6000]);
  });

  test('a Retry-After longer than we wait for fails at once, saying so', async () => {
    const { client, sleeps } = clientWith();
    script = [
      (_req, _body, res) => {
        res.writeHead(503, { 'retry-after': '3600' });
        res.end();
      },
    ];
    const outcome = await client.sendAttendance(body, 'key-1');
    assert.equal(outcome.kind, 'failed');
    assert.match(outcome.kind === 'failed' ? outcome.reason : '', /asked us to wait 3600 s/);
    assert.deepEqual(sleeps, []);
  });

  test('record errors are read field by field; refusals carry the error object in words', async () => {
    const { client } = clientWith();
    script = [
      (_req, _body, res) => {
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            submissionRef: 'r',
            errors: [
              {
                id: 'X',
                code: 'VAL104',
                status: '',
                title: 'Invalid Attendance Code',
                detail: 'K',
                path: '$.submissionData[0].attendances[1].attendanceCode',
              },
              'not an object',
            ],
          }),
        );
      },
      (_req, _body, res) => {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            id: 'ERROR_INVALID_URN',
            code: 'VAL102',
            status: '400',
            title: 'URN not found',
            detail: 'URN not found.',
          }),
        );
      },
    ];
    const withErrors = await client.sendAttendance(body, 'key-1');
    assert.equal(withErrors.kind, 'accepted');
    if (withErrors.kind === 'accepted') {
      assert.equal(withErrors.errors.length, 2);
      assert.equal(withErrors.errors[0]!.path, '$.submissionData[0].attendances[1].attendanceCode');
      assert.deepEqual(withErrors.errors[1], { code: '', title: '', detail: '', path: '' });
    }
    const refused = await client.sendAttendance(body, 'key-2');
    assert.equal(refused.kind, 'refused');
    assert.match(refused.kind === 'refused' ? refused.reason : '', /400 VAL102\): URN not found/);
  });

  test('an unreadable or oversized answer is a failure, not a crash', async () => {
    const { client } = clientWith();
    script = [
      (_req, _body, res) => {
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end('<html>gateway</html>');
      },
      (_req, _body, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(Buffer.alloc(3 * 1024 * 1024, 0x20));
      },
    ];
    const garbled = await client.sendAttendance(body, 'key-1');
    assert.equal(garbled.kind, 'failed');
    assert.match(garbled.kind === 'failed' ? garbled.reason : '', /could not be read/);
    const huge = await client.sendAttendance(body, 'key-2');
    assert.equal(huge.kind, 'failed');
  });

  test('a receiver without consent routes is told apart from a refusal', async () => {
    const { client } = clientWith();
    const outcome = await client.recordConsent(100001, 'A. Administrator', new Date('2026-11-20T09:00:00Z'));
    assert.equal(outcome.kind, 'not-supported');
  });

  test('a wrong client secret is said in words', async () => {
    const { client } = clientWith({ clientSecret: 'wrong' });
    const outcome = await client.sendAttendance(body, 'key-1');
    assert.equal(outcome.kind, 'failed');
    assert.match(outcome.kind === 'failed' ? outcome.reason : '', /invalid_client/);
    assert.equal(seen.length, 0);
  });
});

test('Retry-After as seconds or an HTTP date', () => {
  const now = new Date('2026-11-20T09:00:00Z');
  assert.equal(retryAfterMs('120', now), 120_000);
  assert.equal(retryAfterMs('Fri, 20 Nov 2026 09:00:30 GMT', now), 30_000);
  assert.equal(retryAfterMs('soon', now), undefined);
  assert.equal(retryAfterMs(undefined, now), undefined);
});
