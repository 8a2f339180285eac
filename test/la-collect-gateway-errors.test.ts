/**
 * Every answer a gateway can give the LA's collector, from a tiny scripted HTTPS endpoint: each
 * Status (Success, LocalAuthorityAccessInvalid, 997, 998, 999), faults, resets, HTTP errors, and
 * hostile documents (DOCTYPE, billion laughs, deep nesting, 200 MB) — refused, recorded, and never
 * stored as a snapshot to take in.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadTls, type TlsMaterial } from '../src/platform/http/tls.ts';
import { SecretBox } from '../src/platform/auth/secret-box.ts';
import { extractChunks } from '../src/contracts/childcare-extract/extract-writer.ts';
import { generateRegister } from '../src/contracts/childcare-extract/synthetic-register.ts';
import { addSource } from '../src/la/collection/sources.ts';
import { collectAll, takeUpload, type CollectOptions } from '../src/la/collection/collect-all.ts';
import { httpsTransport } from '../src/la/collection/transport.ts';
import { latestSnapshots } from '../src/la/collection/snapshot-store.ts';
import { checkExtractDocument } from '../src/la/collection/extract-document.ts';
import { openTestDatabase, type TestDatabase } from './support/test-database.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const SOAP_NS = 'http://www.w3.org/2003/05/soap-envelope';
const ISPP_NS = 'http://information.gateway.ofsted.gov.uk/ispp';

function soapResult(code: string, registerData?: string, description?: string): string {
  return (
    `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="${SOAP_NS}"><s:Body>` +
    `<GetLocalAuthorityChildcareRegisterResponse xmlns="${ISPP_NS}"><GetLocalAuthorityChildcareRegisterResult>` +
    (registerData === undefined ? '' : `<RegisterData>${escapeText(registerData)}</RegisterData>`) +
    `<Status><Code>${code}</Code>${description ? `<Description>${description}</Description>` : ''}</Status>` +
    `</GetLocalAuthorityChildcareRegisterResult></GetLocalAuthorityChildcareRegisterResponse></s:Body></s:Envelope>`
  );
}

const escapeText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const soap =
  (body: string, status = 200): Handler =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/soap+xml; charset=utf-8' });
    res.end(body);
  };

const TODAY = '2026-11-02';
/** A real extract of LA 825, as .NET would hold it in a string (declaring utf-16). */
const extract825 = [
  ...extractChunks(
    { extractDateTime: `${TODAY}T05:30:00`, laCode: '825', laName: 'Buckinghamshire' },
    generateRegister({ scale: 'demo', seed: 5, today: TODAY, laCodes: ['825'] }),
  ),
]
  .join('')
  .replace('encoding="utf-8"', 'encoding="utf-16"');

const DOCTYPE_DOC = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><OfstedChildcareRegisterLocalAuthorityExtract xmlns="http://www.ofsted.gov.uk/Childcare/Registration/LocalAuthority">&xxe;</OfstedChildcareRegisterLocalAuthorityExtract>`;
const LAUGHS = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('')}]><OfstedChildcareRegisterLocalAuthorityExtract xmlns="http://www.ofsted.gov.uk/Childcare/Registration/LocalAuthority">&lol9;</OfstedChildcareRegisterLocalAuthorityExtract>`;
const DEEP = `<OfstedChildcareRegisterLocalAuthorityExtract xmlns="http://www.ofsted.gov.uk/Childcare/Registration/LocalAuthority">${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}</OfstedChildcareRegisterLocalAuthorityExtract>`;

describe('LA collector: gateway statuses, transport errors, hostile documents', () => {
  let database: TestDatabase;
  let tls: TlsMaterial;
  let dir: string;
  let server: Server;
  let url: string;
  let script: Handler[] = [];
  const box = new SecretBox(randomBytes(32));
  let sourceSeq = 0;
  const delays: number[] = [];

  before(async () => {
    database = await openTestDatabase();
    dir = mkdtempSync(path.join(tmpdir(), 'edgate-la-fake-'));
    tls = await loadTls({ dataDir: dir });
    server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
      req.resume();
      const handler = script.shift();
      if (handler) handler(req, res);
      else soap(soapResult('999'))(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    url = `https://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/ISPPGateway/ISPPGatewayServices.svc`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    script = [];
    delays.length = 0;
  });

  /** A fresh SOAP (or FID) source for LA 825, collected once with `handlers` answering. */
  async function collectWith(
    handlers: Handler[],
    kind: 'soap' | 'fid' = 'soap',
    extra: Partial<CollectOptions> = {},
  ) {
    script = [...handlers];
    const name = `fake ${++sourceSeq}`;
    await addSource(database.db, box, {
      name,
      kind,
      endpointUrl: url,
      ...(kind === 'soap' ? { username: 'u', password: 'p' } : { fidApiKey: 'k', fidServiceKey: 's' }),
      laCodes: ['825'],
      by: 'test',
    });
    const [result] = await collectAll(database.db, {
      now: new Date(`${TODAY}T07:00:00Z`),
      secretBox: box,
      sources: [name],
      transport: httpsTransport({ ca: tls.cert, timeoutMs: 5_000 }),
      retry: { attempts: 3, baseDelayMs: 1000 },
      sleep: async (ms) => void delays.push(ms),
      random: () => 0.5,
      ...extra,
    });
    const attempts = await database.db
      .selectFrom('la.collection_attempt')
      .selectAll()
      .where('source_id', '=', result!.sourceId)
      .orderBy('id')
      .execute();
    return { result: result!, attempts };
  }

  test('999 is tried again after an exponential pause; Success then stores the document', async () => {
    const { result, attempts } = await collectWith([
      soap(soapResult('999')),
      soap(soapResult('GeneralSystemFailure')),
      soap(soapResult('Success', extract825)),
    ]);
    assert.equal(result.outcome, 'collected', result.error);
    assert.deepEqual(
      attempts.map((a) => [a.attempt_number, a.outcome, a.gateway_status]),
      [
        [1, 'gateway-refused', '999'],
        [2, 'gateway-refused', 'GeneralSystemFailure'],
        [3, 'collected', 'Success'],
      ],
    );
    assert.deepEqual(delays, [1000, 2000]);
    const [snapshot] = await latestSnapshots(database.db, '825');
    assert.equal(snapshot!.state, 'received');
    assert.equal(snapshot!.extractDateTime, `${TODAY}T05:30:00`);
  });

  test('999 every time: gives up after the policy’s tries, each recorded', async () => {
    const { result, attempts } = await collectWith([]);
    assert.equal(result.outcome, 'gateway-refused');
    assert.equal(attempts.length, 3);
    assert.match(result.error!, /general system failure/);
  });

  test('LocalAuthorityAccessInvalid, 997 and 998 are not retried, and say what happened', async () => {
    for (const [code, words] of [
      ['LocalAuthorityAccessInvalid', /refused access/],
      ['997', /maintenance/],
      ['ServiceMaintenanceOutage', /maintenance/],
      ['998', /time of day/],
      ['ServiceUnavailablePeriod', /time of day/],
    ] as const) {
      const { result, attempts } = await collectWith([soap(soapResult(code, undefined, 'Because.'))]);
      assert.equal(result.outcome, 'gateway-refused', code);
      assert.equal(attempts.length, 1, code);
      assert.equal(attempts[0]!.gateway_status, code);
      assert.match(result.error!, words);
      assert.match(result.error!, /Because\./);
    }
  });

  test('a SOAP fault is a refusal, not retried', async () => {
    const fault = `<s:Envelope xmlns:s="${SOAP_NS}"><s:Body><s:Fault><s:Code><s:Value>s:Sender</s:Value></s:Code><s:Reason><s:Text xml:lang="en">The security token could not be authenticated or authorized</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>`;
    const { result, attempts } = await collectWith([soap(fault, 500)]);
    assert.equal(result.outcome, 'gateway-refused');
    assert.equal(attempts.length, 1);
    assert.equal(attempts[0]!.http_status, 500);
    assert.match(result.error!, /security token/);
  });

  test('a reset connection and an HTTP 503 page are transport errors, tried again', async () => {
    const { result, attempts } = await collectWith([
      (req) => req.socket.destroy(),
      (_req, res) => {
        res.writeHead(503, { 'content-type': 'text/html' });
        res.end('<html>busy</html>');
      },
      soap(soapResult('Success', extract825)),
    ]);
    assert.deepEqual(
      attempts.map((a) => [a.outcome, a.http_status]),
      [
        ['transport-error', null],
        ['transport-error', 503],
        [result.outcome, 200],
      ],
    );
    assert.ok(['collected', 'same-as-before'].includes(result.outcome));
    assert.match(attempts[0]!.error!, /closed|reset|broke off/);
  });

  /** The document was stored as `invalid`, with the same reason as the collection gives. */
  async function assertKeptAside(result: { snapshotId?: number; error?: string }) {
    const snapshot = await database.db
      .selectFrom('la.snapshot')
      .selectAll()
      .where('id', '=', result.snapshotId!)
      .executeTakeFirstOrThrow();
    assert.equal(snapshot.state, 'invalid');
    assert.equal(snapshot.problem, result.error);
  }

  test('Success without RegisterData, and a response that is not XML, are invalid', async () => {
    assert.equal((await collectWith([soap(soapResult('Success'))])).result.outcome, 'invalid-document');
    const broken = await collectWith([soap('<s:Envelope xmlns:s="x"><unclosed>')]);
    assert.equal(broken.result.outcome, 'invalid-document');
    assert.match(broken.result.error!, /not well-formed/);
  });

  for (const [name, document, reason] of [
    ['an XXE DOCTYPE', DOCTYPE_DOC, /DOCTYPE is not allowed/],
    ['a billion-laughs DOCTYPE', LAUGHS, /DOCTYPE is not allowed/],
    ['100,000 nested elements', DEEP, /./],
    [
      'another LA’s extract',
      extract825.replace(/<LocalAuthorityCode>825</, '<LocalAuthorityCode>826<'),
      /826’s extract, not 825’s|826's extract, not 825's/,
    ],
    ['a truncated extract', extract825.slice(0, extract825.length / 2), /malformed|Not a readable/],
  ] as const) {
    test(`a document with ${name} is kept aside as invalid, with the reason, never received`, async () => {
      const { result, attempts } = await collectWith([soap(soapResult('Success', document))]);
      assert.equal(result.outcome, 'invalid-document');
      assert.match(result.error!, reason);
      assert.equal(attempts.length, 1, 'not retried');
      await assertKeptAside(result);
    });
  }

  test('a document the feed’s reader takes but Ofsted’s v1.3 XSD refuses is kept aside with the schema’s reason, never taken in', async () => {
    // ReferenceNumber after ProvisionType: the reader takes a registration's children in any
    // order; the schema's sequence does not.
    const outOfOrder = extract825.replace(
      /(<ReferenceNumber>[^<]*<\/ReferenceNumber>)(\s*)(<ProvisionType>[^<]*<\/ProvisionType>)/,
      '$3$2$1',
    );
    assert.notEqual(outOfOrder, extract825);
    const read = await checkExtractDocument(Buffer.from(outOfOrder.replace('utf-16', 'utf-8')), '825');
    assert.equal(read.ok, true, 'the reader alone would take it');
    const takenIn: number[] = [];
    const { result, attempts } = await collectWith([soap(soapResult('Success', outOfOrder))], 'soap', {
      onSnapshot: (id) => void takenIn.push(id),
    });
    assert.equal(result.outcome, 'invalid-document');
    assert.match(
      result.error!,
      /^Not valid against Ofsted’s v1\.3 schema: line \d+: Element 'ProvisionType': This element is not expected\. Expected is \( ReferenceNumber \)\.$/,
    );
    assert.equal(attempts.length, 1, 'not retried');
    assert.equal(attempts[0]!.error, result.error);
    assert.deepEqual(takenIn, [], 'never handed on to be taken in');
    await assertKeptAside(result);
  });

  test('a DOCTYPE in the SOAP envelope itself is refused', async () => {
    const { result } = await collectWith([
      soap(
        `<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a "b">]>${soapResult('Success', extract825).replace(/^<\?xml[^>]*>/, '')}`,
      ),
    ]);
    assert.equal(result.outcome, 'invalid-document');
    assert.match(result.error!, /DOCTYPE/);
  });

  test('200 MB is cut off (declared or streamed) without being held, and not retried', async () => {
    const before = process.memoryUsage().rss;
    const declared = await collectWith([
      (_req, res) => {
        res.writeHead(200, {
          'content-type': 'application/soap+xml',
          'content-length': String(200 * 1024 * 1024),
        });
        res.write('<s:Envelope');
      },
    ]);
    assert.equal(declared.result.outcome, 'invalid-document');
    assert.match(declared.result.error!, /200 MB, more than/);
    const chunk = Buffer.alloc(1024 * 1024, 'a');
    const streamed = await collectWith([
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/soap+xml' });
        let sent = 0;
        const pump = () => {
          while (sent < 200 && res.write(chunk)) sent++;
          if (sent < 200 && !res.destroyed)
            res.once('drain', () => {
              sent++;
              pump();
            });
          else res.end();
        };
        res.on('close', () => (sent = 200));
        pump();
      },
    ]);
    assert.equal(streamed.result.outcome, 'invalid-document');
    assert.match(streamed.result.error!, /more than the 48 MB accepted/);
    assert.equal(streamed.attempts.length, 1);
    // Generous: what is read is bounded by the limit, not by what the server sends.
    assert.ok(process.memoryUsage().rss - before < 400 * 1024 * 1024, 'memory stays bounded');
  });

  test('FID: LocalAuthorityAccessInvalid is a refusal; GeneralSystemFailure is tried again', async () => {
    const json =
      (status: number, code: string, message: string): Handler =>
      (_req, res) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status, code, message }));
      };
    const refused = await collectWith(
      [json(403, 'LocalAuthorityAccessInvalid', 'Not authorised for 825.')],
      'fid',
    );
    assert.equal(refused.result.outcome, 'gateway-refused');
    assert.equal(refused.attempts.length, 1);
    const retried = await collectWith(
      [
        json(500, 'GeneralSystemFailure', 'incident 1'),
        json(500, 'GeneralSystemFailure', 'incident 2'),
        json(500, 'GeneralSystemFailure', 'incident 3'),
      ],
      'fid',
    );
    assert.equal(retried.result.outcome, 'gateway-refused');
    assert.equal(retried.attempts.length, 3);
    const notJson = await collectWith(
      [
        (_req, res) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('{"OfstedChildcareRegisterLocalAuthorityExtract": ');
        },
      ],
      'fid',
    );
    assert.equal(notJson.result.outcome, 'invalid-document');
    assert.match(notJson.result.error!, /not JSON/);
  });

  test('one LA failing, even inside edgate, never stops the others', async () => {
    await addSource(database.db, box, {
      name: 'agent of two',
      kind: 'soap',
      endpointUrl: url,
      username: 'u',
      password: 'p',
      laCodes: ['826', '825'],
      by: 'test',
    });
    script = [soap(soapResult('Success', extract825))];
    const real = httpsTransport({ ca: tls.cert, timeoutMs: 5_000 });
    const results = await collectAll(database.db, {
      now: new Date(`${TODAY}T07:00:00Z`),
      secretBox: box,
      sources: ['agent of two'],
      transport: (request) => {
        if (request.body?.includes('<LocalAuthorityCode>826<')) throw new Error('a bug');
        return real(request);
      },
      concurrency: 1,
      sleep: async () => {},
    });
    assert.deepEqual(
      results.map((r) => [r.laCode, r.outcome]),
      [
        ['826', 'transport-error'],
        ['825', 'same-as-before'],
      ],
    );
    assert.match(results[0]!.error!, /inside edgate: a bug/);
    const recorded = await database.db
      .selectFrom('la.collection_attempt')
      .select(['outcome', 'error'])
      .where('source_id', '=', results[0]!.sourceId)
      .where('la_code', '=', '826')
      .execute();
    assert.deepEqual(
      recorded.map((r) => r.outcome),
      ['transport-error'],
      'the failure is recorded too',
    );
  });

  test('an uploaded file: hostile is invalid; the same document twice is stored once', async () => {
    const hostile = await takeUpload(database.db, {
      laCode: '826',
      bytes: Buffer.from(LAUGHS),
      by: 'officer',
      now: new Date(),
    });
    assert.equal(hostile.outcome, 'invalid-document');
    const good = Buffer.from(
      extract825.replace(/825/g, '826').replace('encoding="utf-16"', 'encoding="utf-8"'),
    );
    const first = await takeUpload(database.db, {
      laCode: '826',
      bytes: good,
      by: 'officer',
      now: new Date(),
    });
    const second = await takeUpload(database.db, {
      laCode: '826',
      bytes: good,
      by: 'officer',
      now: new Date(),
    });
    assert.equal(first.outcome, 'collected', first.error);
    assert.equal(second.outcome, 'same-as-before');
    assert.equal(second.snapshotId, first.snapshotId);
    assert.equal((await latestSnapshots(database.db, '826')).filter((s) => s.state === 'received').length, 1);
  });
});
