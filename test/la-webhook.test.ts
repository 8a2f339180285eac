/**
 * The LA's webhook, end to end: set on its page (the made secret shown once), told after each
 * collection run, delivered to a real local HTTPS receiver that verifies the signature; a replayed
 * or tampered message fails there; a dead or slow receiver is tried again with backoff and never
 * holds up collection; two instances deliver each message once.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadTls } from '../src/platform/http/tls.ts';
import { extractDocument } from '../src/la/directory/demo-directory.ts';
import { sha256Of } from '../src/la/collection/snapshot-store.ts';
import { takeUpload, type LaCollection } from '../src/la/collection/collect-all.ts';
import { enqueueCollectionEvent, type CollectionEvent } from '../src/la/webhook/collection-event.ts';
import { deliverDue } from '../src/la/webhook/webhook-sender.ts';
import { RETRY_PAUSES_SECONDS, setWebhook } from '../src/la/webhook/webhook-store.ts';
import { verifyWebhookSignature } from '../src/la/webhook/webhook-signature.ts';
import { multipartForm } from './support/multipart.ts';
import { nursery, signIn, startLaApp, type LaTestApp } from './support/la-directory.ts';

interface Arrival {
  headers: Record<string, string | string[] | undefined>;
  body: string;
  verdict: ReturnType<typeof verifyWebhookSignature> | { ok: false; reason: string };
}

/** A receiver as the README tells one to be: verify the signature, keep the delivery ids seen. */
function receiver(secret: () => string, now: () => Date) {
  const arrivals: Arrival[] = [];
  const seen = new Set<string>();
  let waiting: (() => void)[] = [];
  let mode: 'ok' | 'fail' | 'hang' = 'ok';
  const handle = (headers: Arrival['headers'], body: string): { status: number; arrival: Arrival } => {
    const verdict = verifyWebhookSignature({
      secret: secret(),
      header: headers['edgate-signature'] as string | undefined,
      body,
      now: now(),
    });
    const id = String(headers['edgate-delivery']);
    const arrival: Arrival = {
      headers,
      body,
      verdict: verdict.ok && seen.has(id) ? { ok: false, reason: 'delivery seen before' } : verdict,
    };
    if (arrival.verdict.ok) seen.add(id);
    return { status: arrival.verdict.ok ? 204 : 400, arrival };
  };
  return {
    arrivals,
    handle,
    setMode: (m: typeof mode) => void (mode = m),
    next: () => new Promise<void>((resolve) => waiting.push(resolve)),
    listener: (request: IncomingMessage, response: ServerResponse) => {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', () => {
        if (mode === 'hang') {
          for (const w of waiting) w();
          waiting = [];
          return; // never answers
        }
        const { status, arrival } = handle(request.headers, Buffer.concat(chunks).toString('utf8'));
        arrivals.push(arrival);
        response.writeHead(mode === 'fail' ? 503 : status).end();
        for (const w of waiting) w();
        waiting = [];
      });
    },
  };
}

describe('LA webhook after each collection', () => {
  let la: LaTestApp;
  let dir: string;
  let server: Server;
  let ca: string;
  let url: string;
  let secret = '';
  let clock = new Date('2026-12-01T07:00:00Z');
  const now = () => clock;
  const hook = receiver(() => secret, now);
  const send = (options: { timeoutMs?: number } = {}) =>
    deliverDue(la.handle.db, { secretBox: la.secretBox, now, ca: [ca], ...options });
  /** The end of a run of LA `laCode` that could not reach its gateway (or another `outcome`). */
  const runEnded = (laCode = '825', outcome: LaCollection['outcome'] = 'transport-error') =>
    enqueueCollectionEvent(
      la.handle.db,
      { sourceId: 1, sourceName: 'Ofsted ISPP', laCode, outcome, attempts: 1 },
      { now: clock, publicUrl: 'https://127.0.0.1' },
    );
  const deliveries = () => la.handle.db.selectFrom('la.webhook_delivery').selectAll().orderBy('id').execute();

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'edgate-la-webhook-'));
    const tls = await loadTls({ dataDir: dir });
    ca = tls.cert;
    server = createServer({ key: tls.key, cert: tls.cert }, hook.listener);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    url = `https://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/edgate-events`;
    la = await startLaApp({ now });
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await la.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('set on its page: https only, the made secret shown once and stored sealed', async () => {
    const officer = await signIn(la.app, 'officer-825');
    await officer.get('/la/825/webhook');
    const refused = await officer.post('/la/825/webhook', { url: 'http://receiver.example/hook' });
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /must start https:\/\//);

    const saved = await officer.post('/la/825/webhook', { url });
    assert.equal(saved.statusCode, 200);
    assert.match(saved.body, /shown this once/);
    secret = /(whsec_[A-Za-z0-9_-]{43})/.exec(saved.body)![1]!;
    const row = await la.handle.db.selectFrom('la.webhook').selectAll().executeTakeFirstOrThrow();
    assert.doesNotMatch(row.secret_sealed, new RegExp(secret));
    assert.equal(la.secretBox.open(row.secret_sealed), secret);
    const shown = await officer.get('/la/825/webhook');
    assert.doesNotMatch(shown.body, /whsec_/, 'never shown again');
    assert.match(shown.body, /Set; never shown again/);
    assert.equal((await (await signIn(la.app, 'officer-826')).get('/la/825/webhook')).statusCode, 404);
  });

  test('an upload taken in is told to the receiver, signed, without any registration’s data', async () => {
    const officer = await signIn(la.app, 'officer-825');
    await officer.get('/la/collection/upload');
    const document = extractDocument('825', '2026-12-01T05:30:00', [
      nursery('EY100001'),
      nursery('EY100002'),
    ]);
    const form = multipartForm({ _csrf: officer.csrf }, { file: { content: document } });
    const uploaded = await officer.send('POST', '/la/collection/upload', form.payload, {
      'content-type': form.type,
    });
    assert.equal(uploaded.statusCode, 200, uploaded.body);
    assert.match(uploaded.body, /The extract was taken in/);
    assert.match(uploaded.body, /It brought 2 new/);

    assert.equal(await send(), 1);
    assert.equal(hook.arrivals.length, 1);
    const [arrival] = hook.arrivals;
    assert.deepEqual(arrival!.verdict.ok, true, JSON.stringify(arrival!.verdict));
    const event = JSON.parse(arrival!.body) as CollectionEvent;
    assert.equal(event.deliveryId, arrival!.headers['edgate-delivery']);
    assert.equal(event.laCode, '825');
    assert.equal(event.outcome, 'taken-in');
    assert.deepEqual(event.changes, { new: 2 });
    assert.equal(event.snapshot!.sha256, sha256Of(document));
    assert.equal(event.snapshot!.extractDateTime, '2026-12-01T05:30:00');
    assert.equal(event.reviewUrl, 'https://127.0.0.1/la/825/review');
    assert.doesNotMatch(arrival!.body, /EY1000|Nursery|Provider|High Street/);

    const page = await officer.get('/la/825/webhook');
    assert.match(page.body, /Delivered \(HTTP 204\)/);
    assert.match(page.body, /a new extract taken in/);
  });

  test('a replayed or tampered message fails verification at the receiver', () => {
    const [arrival] = hook.arrivals;
    const again = hook.handle(arrival!.headers, arrival!.body);
    assert.equal(again.arrival.verdict.ok, false, 'the same delivery a second time is refused');
    const tampered = hook.handle(
      { ...arrival!.headers, 'edgate-delivery': 'another-id' },
      arrival!.body.replace('"taken-in"', '"unchanged"'),
    );
    assert.deepEqual(tampered.arrival.verdict, {
      ok: false,
      reason: 'the signature does not match the body',
    });
    const saved = clock;
    clock = new Date(clock.getTime() + 10 * 60_000);
    const late = hook.handle({ ...arrival!.headers, 'edgate-delivery': 'a-third-id' }, arrival!.body);
    clock = saved;
    assert.equal(late.arrival.verdict.ok, false);
    assert.match((late.arrival.verdict as { reason: string }).reason, /replay/);
  });

  test('each outcome in a word: unchanged, invalid, failed', async () => {
    const same = await takeUpload(la.handle.db, {
      laCode: '825',
      bytes: extractDocument('825', '2026-12-01T05:30:00', [nursery('EY100001'), nursery('EY100002')]),
      by: 'test',
      now: clock,
    });
    const bad = await takeUpload(la.handle.db, {
      laCode: '825',
      bytes: Buffer.from('not xml at all'),
      by: 'test',
      now: clock,
    });
    const options = { now: clock, publicUrl: 'https://127.0.0.1' };
    await enqueueCollectionEvent(la.handle.db, same, options);
    await enqueueCollectionEvent(la.handle.db, bad, options);
    await runEnded();
    assert.equal(await runEnded('825', 'claimed-elsewhere'), undefined, 'the instance that collected tells');
    assert.equal(await runEnded('826'), undefined, 'an LA without a webhook');
    await send();
    const outcomes = hook.arrivals.slice(1).map((a) => (JSON.parse(a.body) as CollectionEvent).outcome);
    assert.deepEqual(outcomes, ['unchanged', 'invalid', 'failed']);
  });

  test('two instances at once deliver each message once', async () => {
    const before = hook.arrivals.length;
    for (let i = 0; i < 5; i++) await runEnded();
    const [a, b] = await Promise.all([send(), send()]);
    assert.equal(a + b, 5);
    const ids = hook.arrivals.slice(before).map((x) => x.headers['edgate-delivery']);
    assert.equal(ids.length, 5);
    assert.equal(new Set(ids).size, 5);
    assert.ok(hook.arrivals.slice(before).every((x) => x.verdict.ok));
  });

  test('a dead receiver: each try recorded, tried again after the pauses, then given up', async () => {
    hook.setMode('fail');
    await runEnded();
    const start = clock;
    assert.equal(await send(), 1);
    assert.equal(await send(), 0, 'not again before its pause');
    let elapsed = 0;
    for (const pause of RETRY_PAUSES_SECONDS) {
      elapsed += pause;
      clock = new Date(start.getTime() + (elapsed - 1) * 1000);
      assert.equal(await send(), 0, `not before ${pause} s`);
      clock = new Date(start.getTime() + elapsed * 1000);
      assert.equal(await send(), 1);
    }
    const last = (await deliveries()).at(-1)!;
    assert.equal(last.state, 'gave-up');
    assert.equal(last.attempts, RETRY_PAUSES_SECONDS.length + 1);
    const tries = await la.handle.db
      .selectFrom('la.webhook_attempt')
      .selectAll()
      .where('delivery', '=', last.id)
      .execute();
    assert.equal(tries.length, 8);
    assert.ok(tries.every((t) => t.http_status === 503 && /HTTP 503/.test(t.error!)));
    const officer = await signIn(la.app, 'officer-825');
    assert.match((await officer.get('/la/825/webhook')).body, /Not delivered: every try failed/);
    hook.setMode('ok');
  });

  test('a receiver that never answers holds up neither the upload nor collection', async () => {
    hook.setMode('hang');
    const officer = await signIn(la.app, 'officer-825');
    await officer.get('/la/collection/upload');
    await runEnded();
    const arrived = hook.next();
    const sending = send({ timeoutMs: 500 });
    await arrived; // the receiver holds the request open
    const document = extractDocument('825', '2026-12-02T05:30:00', [nursery('EY100001')]);
    const form = multipartForm({ _csrf: officer.csrf }, { file: { content: document } });
    const uploaded = await officer.send('POST', '/la/collection/upload', form.payload, {
      'content-type': form.type,
    });
    assert.equal(uploaded.statusCode, 200, 'the upload is answered while the delivery waits');
    assert.match(uploaded.body, /The extract is held|The extract was taken in/);
    assert.ok((await sending) >= 1);
    const last = (await deliveries()).filter((d) => d.state === 'pending').at(0)!;
    const tries = await la.handle.db
      .selectFrom('la.webhook_attempt')
      .select('error')
      .where('delivery', '=', last.id)
      .execute();
    assert.match(tries[0]!.error!, /No answer within 1 seconds|No answer within 0 seconds/);
    hook.setMode('ok');
  });

  test('removing the webhook cancels what was waiting; nothing more is sent', async () => {
    const officer = await signIn(la.app, 'officer-825');
    await officer.get('/la/825/webhook');
    const removed = await officer.post('/la/825/webhook/remove', {});
    assert.equal(removed.statusCode, 303);
    assert.equal(await la.handle.db.selectFrom('la.webhook').selectAll().executeTakeFirst(), undefined);
    assert.ok((await deliveries()).every((d) => d.state !== 'pending'));
    assert.equal(await runEnded(), undefined);
    // A secret chosen by the LA is taken as given, and not shown back.
    const set = await setWebhook(la.handle.db, la.secretBox, {
      laCode: '825',
      url,
      secret: 'an-lA-chosen-secret-of-some-length',
      by: 'test',
      now: clock,
    });
    assert.equal(set.secret, undefined);
  });
});
