/**
 * An officer uploads an extract file on the collection page: it goes the way a collected one goes
 * (checked, stored once, guarded, taken in), and what is refused — too large, without the form's
 * CSRF token, not XML, with a DOCTYPE (XXE) — is refused with a clear message and changes nothing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { extractDocument } from '../src/la/directory/demo-directory.ts';
import { MAX_DOCUMENT_BYTES } from '../src/la/collection/extract-document.ts';
import { multipartForm } from './support/multipart.ts';
import { nursery, signIn, startLaApp, type LaTestApp, type Session } from './support/la-directory.ts';

const ten = Array.from({ length: 10 }, (_, i) => nursery(`EY2000${String(i).padStart(2, '0')}`));

describe('uploading an extract file on the collection page', () => {
  let la: LaTestApp;
  let officer: Session;
  const clock = new Date('2026-12-01T07:00:00Z');

  before(async () => {
    la = await startLaApp({ now: () => clock });
    officer = await signIn(la.app, 'officer-825');
  });
  after(() => la.close());

  const upload = async (file: Buffer | undefined, fields: Record<string, string> = {}, session = officer) => {
    await session.get('/la/collection/upload');
    const form = multipartForm({ _csrf: session.csrf, ...fields }, file ? { file: { content: file } } : {});
    return session.send('POST', '/la/collection/upload', form.payload, { 'content-type': form.type });
  };
  /** What an upload could change: snapshots by state, changes, directory records. */
  const state = async () => ({
    snapshots: (
      await la.handle.db.selectFrom('la.snapshot').select(['id', 'state']).orderBy('id').execute()
    ).map((s) => `${s.id}:${s.state}`),
    changes: (await la.handle.db.selectFrom('la.change').select('id').execute()).length,
    records: (await la.handle.db.selectFrom('la.directory_record').select('reference_number').execute())
      .length,
  });

  test('an upload is checked, stored and taken in like a collected extract; the same again changes nothing', async () => {
    const form = await officer.get('/la/collection/upload');
    assert.match(form.body, /enctype="multipart\/form-data"/);
    const first = await upload(extractDocument('825', '2026-12-01T05:30:00', ten));
    assert.equal(first.statusCode, 200, first.body);
    assert.match(first.body, /The extract was taken in/);
    assert.match(first.body, /It brought 10 new/);
    const taken = await state();
    assert.equal(taken.changes, 10);
    const attempt = await la.handle.db
      .selectFrom('la.collection_attempt')
      .innerJoin('la.source', 'la.source.id', 'la.collection_attempt.source_id')
      .select(['la.source.kind', 'la.collection_attempt.outcome'])
      .executeTakeFirstOrThrow();
    assert.deepEqual(attempt, { kind: 'upload', outcome: 'collected' });

    const again = await upload(extractDocument('825', '2026-12-01T05:30:00', ten));
    assert.match(again.body, /uploaded or collected before/);
    assert.deepEqual(await state(), taken);
  });

  test('the guards apply: an upload that would remove most registrations is held, not applied', async () => {
    const before = await state();
    const response = await upload(extractDocument('825', '2026-12-02T05:30:00', ten.slice(0, 2)));
    assert.equal(response.statusCode, 200);
    assert.match(response.body, /held for a person to decide/);
    const after = await state();
    assert.equal(after.changes, before.changes);
    assert.match(after.snapshots.at(-1)!, /:held$/);
  });

  test('refused with a clear message, changing nothing: too large, no CSRF token, not XML, XXE', async () => {
    const before = await state();
    const tooLarge = await upload(Buffer.alloc(MAX_DOCUMENT_BYTES + 1, 0x20));
    assert.equal(tooLarge.statusCode, 413);
    assert.match(tooLarge.body, /larger than 32 MB/);
    assert.match(tooLarge.body, /Nothing was changed/);

    const form = multipartForm({}, { file: { content: extractDocument('825', '2026-12-03T05:30:00', ten) } });
    const noToken = await officer.send('POST', '/la/collection/upload', form.payload, {
      'content-type': form.type,
    });
    assert.equal(noToken.statusCode, 403);
    assert.match(noToken.body, /This form has expired/);
    assert.deepEqual(await state(), before);

    const notXml = await upload(Buffer.from('ReferenceNumber,Name\nEY1,Nursery\n'));
    assert.equal(notXml.statusCode, 400);
    assert.match(notXml.body, /not a readable extract/);
    assert.match(notXml.body, /kept aside/);

    const xxe = await upload(
      Buffer.from('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>'),
    );
    assert.equal(xxe.statusCode, 400);
    assert.match(xxe.body, /DOCTYPE/);
    assert.doesNotMatch(xxe.body, /root:/);

    const noFile = await upload(undefined);
    assert.equal(noFile.statusCode, 400);
    assert.match(noFile.body, /Choose an extract file/);

    const after = await state();
    assert.equal(after.changes, before.changes, 'no change found');
    assert.equal(after.records, before.records, 'the directory is as it was');
    assert.deepEqual(after.snapshots.slice(0, before.snapshots.length), before.snapshots);
    assert.deepEqual(
      after.snapshots.slice(before.snapshots.length).map((s) => s.split(':')[1]),
      ['invalid', 'invalid'],
      'the unreadable ones are kept aside, as collected ones are, never taken in',
    );
  });

  test('no one but a signed-in officer or admin can make edgate read a file', async () => {
    const form = multipartForm({}, { file: { content: '<x/>' } });
    const anonymous = await la.app.inject({
      method: 'POST',
      url: '/la/collection/upload',
      headers: { 'content-type': form.type },
      payload: form.payload,
    });
    assert.equal(anonymous.statusCode, 302);
    assert.match(String(anonymous.headers.location), /^\/login/);
    const caseworker = await signIn(la.app, 'casey');
    const refused = await upload(extractDocument('825', '2026-12-03T05:30:00', ten), {}, caseworker);
    assert.equal(refused.statusCode, 403);
  });

  test('an admin names the local authority; an officer uploads for their own only', async () => {
    const admin = await signIn(la.app, 'admin');
    const noLa = await upload(extractDocument('826', '2026-12-01T05:30:00', []), {}, admin);
    assert.equal(noLa.statusCode, 400);
    assert.match(noLa.body, /3-digit code/);
    const other = await upload(extractDocument('826', '2026-12-01T05:30:00', []), { laCode: '826' });
    assert.equal(other.statusCode, 400, 'an officer of 825 uploading 826’s extract');
    assert.match(other.body, /local authority 826&#39;s extract, not 825&#39;s/);
  });
});
