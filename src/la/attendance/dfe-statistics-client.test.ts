import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DfeStatisticsClient, forgetDfeTokens } from './dfe-statistics-client.ts';
import { TransportError, type HttpRequest, type Transport } from '../collection/transport.ts';

const SOURCE = {
  laCode: '825',
  baseUrl: 'https://dfe.example/api',
  tokenUrl: 'https://dfe.example/oauth2/token',
  clientId: 'bucks',
  clientSecret: 'secret',
};

/** A DfE answering tokens of `lifetime` seconds and statistics to current tokens only. */
function fakeDfe(lifetime = 3600) {
  const issued: string[] = [];
  const revoked = new Set<string>();
  const asked: HttpRequest[] = [];
  const answer = (status: number, body: unknown) => ({
    status,
    contentType: 'application/json',
    body: Buffer.from(JSON.stringify(body)),
  });
  const transport: Transport = async (request) => {
    asked.push(request);
    if (request.url === SOURCE.tokenUrl) {
      const form = new URLSearchParams(request.body);
      if (form.get('client_secret') !== SOURCE.clientSecret) return answer(401, { error: 'invalid_client' });
      const token = `token-${issued.length + 1}`;
      issued.push(token);
      return answer(200, { access_token: token, token_type: 'Bearer', expires_in: lifetime });
    }
    const token = request.headers.authorization?.replace('Bearer ', '') ?? '';
    if (!issued.includes(token) || revoked.has(token)) return answer(401, { error: 'invalid_token' });
    return answer(200, { url: request.url });
  };
  return { transport, issued, revoked, asked };
}

let clock = new Date('2026-11-20T09:00:00Z');
const now = () => clock;

beforeEach(() => {
  forgetDfeTokens();
  clock = new Date('2026-11-20T09:00:00Z');
});

describe('the LA’s client of the DfE’s statistics API', () => {
  test('one token serves many requests, and is renewed a minute before it expires', async () => {
    const dfe = fakeDfe(600);
    const client = new DfeStatisticsClient(SOURCE, { now, transport: dfe.transport });
    assert.deepEqual(await client.get('statistics/la/825'), {
      ok: true,
      body: { url: 'https://dfe.example/api/statistics/la/825' },
    });
    await client.get('statistics/national');
    assert.equal(dfe.issued.length, 1);
    assert.match(String(dfe.asked[0]?.body), /scope=attendance.read.la/);
    clock = new Date(clock.getTime() + 539_000);
    await client.get('statistics/national');
    assert.equal(dfe.issued.length, 1, 'still in its life');
    clock = new Date(clock.getTime() + 2_000);
    await client.get('statistics/national');
    assert.equal(dfe.issued.length, 2, 'renewed before it expired, not after a refusal');
  });

  test('a token the DfE stopped honouring is replaced once; a second refusal is a plain reason', async () => {
    const dfe = fakeDfe();
    const client = new DfeStatisticsClient(SOURCE, { now, transport: dfe.transport });
    await client.get('statistics/national');
    dfe.revoked.add('token-1');
    assert.equal((await client.get('statistics/national')).ok, true);
    assert.equal(dfe.issued.length, 2);
    const stubborn: Transport = async (request) =>
      request.url === SOURCE.tokenUrl
        ? dfe.transport(request)
        : { status: 401, contentType: 'application/json', body: Buffer.from('{"error":"invalid_token"}') };
    const refused = await new DfeStatisticsClient(SOURCE, { now, transport: stubborn }).get(
      'statistics/national',
    );
    assert.deepEqual(refused, { ok: false, status: 401, reason: 'The DfE answered 401 (invalid_token).' });
  });

  test('a wrong secret, an unreachable DfE and an answer that is not JSON each say why', async () => {
    const dfe = fakeDfe();
    const wrong = await new DfeStatisticsClient(
      { ...SOURCE, clientSecret: 'old' },
      { now, transport: dfe.transport },
    ).get('statistics/national');
    assert.match(wrong.ok ? '' : wrong.reason, /did not accept the LA’s client id and secret/);
    const down: Transport = async () => {
      throw new TransportError('The DfE refused the connection (nothing is listening at that address).');
    };
    const unreachable = await new DfeStatisticsClient(SOURCE, { now, transport: down }).get(
      'statistics/national',
    );
    assert.deepEqual(unreachable, {
      ok: false,
      status: undefined,
      reason: 'The DfE refused the connection (nothing is listening at that address).',
    });
    const html: Transport = async (request) =>
      request.url === SOURCE.tokenUrl
        ? dfe.transport(request)
        : { status: 200, contentType: 'text/html', body: Buffer.from('<html>maintenance</html>') };
    const notJson = await new DfeStatisticsClient(SOURCE, { now, transport: html }).get(
      'statistics/national',
    );
    assert.deepEqual(notJson, {
      ok: false,
      status: 200,
      reason: 'The DfE answered with something that is not JSON.',
    });
  });
});
