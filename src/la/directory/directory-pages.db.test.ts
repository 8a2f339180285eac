/**
 * The directory's pages through app.inject: the review queue, a change against the version last
 * accepted, accept / reject / bulk accept with check-your-answers, held snapshots, the directory's
 * local fields (audited); CSRF refused on every state change; and an officer of one LA can neither
 * see nor decide another LA's changes, whatever the address says.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertPlainWords } from '../../../test/support/plain-words.ts';
import type { Registration } from '../../contracts/childcare-extract/registration.ts';
import {
  signIn,
  startLaApp,
  storeTestSnapshot,
  type LaTestApp,
  type Session,
} from '../../../test/support/la-directory.ts';
import { takeInSnapshot } from './take-in.ts';
import { bulkAccept, changeById, directoryRecord, localEdits, pendingChanges } from './directory-store.ts';
import { snapshotSummary } from './snapshot-access.ts';

const NOW = new Date('2026-12-01T06:00:00Z');

function nursery(ref: string, laCode: string, name = `Nursery ${ref}`): Registration {
  return {
    referenceNumber: ref,
    laCode,
    provisionType: 'CCN',
    provider: {
      name: `Provider ${ref}`,
      address: { addressLine1: '1 High Street', town: 'Aylesbury', postcode: 'HP20 1AA' },
    },
    setting: { name, address: { addressLine1: '2 Mill Lane', town: 'Aylesbury', postcode: 'HP19 8FF' } },
    status: 'ACTV',
    statusHistory: [{ status: 'ACTV', changeDate: '2020-01-06' }],
    registrationDate: '2020-01-06',
    registers: [{ register: 'EYR', status: 'REGD', startDate: '2020-01-06' }],
    childcarePeriods: ['ALYR'],
    ageBands: [{ ageFrom: 0, ageTo: 5, maximumNumber: 30, register: 'EYR' }],
    inspections: [],
    notices: [],
    lastChangeDate: '2020-01-06',
  };
}

describe('the LA directory pages', () => {
  let server: LaTestApp;
  let officer825: Session;
  let officer826: Session;
  let admin: Session;
  /** Pending changes of each LA. */
  const ids: Record<string, number[]> = {};

  before(async () => {
    server = await startLaApp({ now: () => NOW });
    const db = server.handle.db;
    for (const la of ['825', '826']) {
      const day1 = await storeTestSnapshot(db, la, '2026-11-30T05:30:00', [
        nursery(`EY${la}001`, la),
        nursery(`EY${la}002`, la),
      ]);
      await takeInSnapshot(db, day1, { now: NOW, by: 'test' });
      await bulkAccept(db, { laCode: la }, 'test', NOW);
      const day2 = await storeTestSnapshot(db, la, '2026-12-01T05:30:00', [
        nursery(`EY${la}001`, la, 'Renamed Nursery'),
        nursery(`EY${la}002`, la),
        nursery(`EY${la}003`, la),
        { ...nursery(`EY${la}004`, la), provisionType: 'CMR' },
      ]);
      await takeInSnapshot(db, day2, { now: NOW, by: 'test' });
      ids[la] = (await pendingChanges(db, { laCode: la })).changes.map((c) => c.id);
    }
    officer825 = await signIn(server.app, 'officer-825');
    officer826 = await signIn(server.app, 'officer-826');
    admin = await signIn(server.app, 'admin');
  });
  after(() => server.close());

  test('the queue lists pending changes with counts and filters; a change shows each field against the version last accepted', async () => {
    const entry = await officer825.get('/la/review');
    assert.equal(entry.statusCode, 302);
    assert.equal(entry.headers.location, '/la/825/review');
    const queue = await officer825.get('/la/825/review');
    assert.equal(queue.statusCode, 200);
    assert.match(queue.body, /3 changes/);
    assert.match(queue.body, /New \(2\)/);
    assert.match(queue.body, /Renamed Nursery/);
    const filtered = await officer825.get('/la/825/review?kind=new&type=CMR');
    assert.match(filtered.body, /1 change match/);
    assert.match(filtered.body, /EY825004/);
    assert.doesNotMatch(filtered.body, /EY825003/);

    const [renamed] = ids['825']!;
    const change = await officer825.get(`/la/825/review/${renamed}`);
    assert.equal(change.statusCode, 200);
    assert.match(change.body, /What differs from the version last accepted/);
    assert.match(change.body, /Nursery EY825001<\/td>\s*<td class="govuk-table__cell">Renamed Nursery/);
  });

  test('the officer’s pages say codes in words and times in London time', async () => {
    const [renamed] = ids['825']!;
    for (const path of [
      '/la/825/review',
      `/la/825/review/${renamed}`,
      '/la/825/review/history',
      '/la/825/directory',
      '/la/825/directory/EY825001',
      '/la/825/settings',
    ]) {
      const page = await officer825.get(path);
      assert.equal(page.statusCode, 200, path);
      assertPlainWords(page.body, path);
    }
  });

  test('every state change is refused without the CSRF token, and changes nothing', async () => {
    const [first, second] = ids['825']!;
    const record = await directoryRecord(server.handle.db, '825', 'EY825002');
    const attempts: [string, Record<string, string>][] = [
      [`/la/825/review/${first}/accept`, {}],
      [`/la/825/review/${second}/reject`, { reason: 'No' }],
      ['/la/825/review/accept-all', { upTo: String(second) }],
      ['/la/825/directory/EY825002', { publicDescription: 'Forged', listedPublicly: 'no' }],
      ['/la/825/settings', { autoApply: 'on', share: '50' }],
    ];
    for (const [url, form] of attempts) {
      const forged = await officer825.post(url, { ...form, _csrf: 'forged' });
      assert.equal(forged.statusCode, 403, url);
      const none = await server.app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: '' },
        payload: new URLSearchParams(form).toString(),
      });
      assert.notEqual(none.statusCode, 200, url);
    }
    assert.equal((await pendingChanges(server.handle.db, { laCode: '825' })).total, 3);
    assert.deepEqual(await directoryRecord(server.handle.db, '825', 'EY825002'), record);
    assert.equal((await changeById(server.handle.db, '825', first!))?.reviewState, 'pending');
  });

  test("an officer of LA 826 can neither see nor decide LA 825's changes, even with crafted addresses", async () => {
    const [first] = ids['825']!;
    await officer826.get('/la/826/review'); // a CSRF token of their own
    for (const url of [
      '/la/825/review',
      `/la/825/review/${first}`,
      '/la/825/directory',
      '/la/825/directory/EY825001',
      '/la/825/snapshots/held',
      '/la/825/settings',
      `/la/826/review/${first}`,
    ]) {
      const response = await officer826.get(url);
      assert.equal(response.statusCode, 404, url);
      assert.doesNotMatch(response.body, /EY825/, url);
    }
    for (const url of [
      `/la/825/review/${first}/accept`,
      `/la/826/review/${first}/accept`,
      `/la/826/review/${first}/reject`,
    ]) {
      const response = await officer826.post(url, { reason: 'crafted' });
      assert.equal(response.statusCode, 404, url);
    }
    const bulk = await officer826.post('/la/825/review/accept-all', { upTo: '999999' });
    assert.equal(bulk.statusCode, 404);
    assert.equal((await changeById(server.handle.db, '825', first!))?.reviewState, 'pending');
    assert.equal((await pendingChanges(server.handle.db, { laCode: '825' })).total, 3);
    // A caseworker (another role) is not let in at all.
    const casey = await signIn(server.app, 'casey');
    assert.equal((await casey.get('/la/825/review')).statusCode, 403);
  });

  test('accept, reject with a reason, and bulk accept after checking the count', async () => {
    const [renamed, fresh, childminder] = ids['826']!;
    await officer826.get(`/la/826/review/${renamed}`);
    const accepted = await officer826.post(`/la/826/review/${renamed}/accept`, {});
    assert.equal(accepted.statusCode, 303);
    assert.equal(
      (await directoryRecord(server.handle.db, '826', 'EY826001'))?.registration.setting?.name,
      'Renamed Nursery',
    );
    const again = await officer826.post(`/la/826/review/${renamed}/accept`, {});
    assert.equal(again.statusCode, 409);

    await officer826.get(`/la/826/review/${fresh}/reject`);
    const blank = await officer826.post(`/la/826/review/${fresh}/reject`, { reason: '  ' });
    assert.equal(blank.statusCode, 400);
    assert.match(blank.body, /Enter why the change is rejected/);
    const rejected = await officer826.post(`/la/826/review/${fresh}/reject`, {
      reason: 'Duplicate of EY826002',
    });
    assert.equal(rejected.statusCode, 303);
    const decided = await changeById(server.handle.db, '826', fresh!);
    assert.deepEqual(
      [decided?.reviewState, decided?.reason, decided?.decidedBy],
      ['rejected', 'Duplicate of EY826002', 'officer-826 (officer-826)'],
    );
    assert.equal(await directoryRecord(server.handle.db, '826', 'EY826003'), undefined);

    const check = await officer826.get('/la/826/review/accept-all?kind=new');
    assert.equal(check.statusCode, 200);
    assert.match(check.body, /Accept 1 change/);
    const upTo = /name="upTo" value="(\d+)"/.exec(check.body)![1]!;
    const bulk = await officer826.post('/la/826/review/accept-all', { kind: 'new', upTo });
    assert.equal(bulk.statusCode, 303);
    assert.match(bulk.headers.location as string, /decided=bulk&n=1/);
    assert.equal((await changeById(server.handle.db, '826', childminder!))?.reviewState, 'accepted');
    const history = await officer826.get('/la/826/review/history');
    assert.match(history.body, /Duplicate of EY826002/);
  });

  test("a record's local fields are edited, checked and audited; an admin can act for any LA", async () => {
    await admin.get('/la/825/directory/EY825002');
    const bad = await admin.post('/la/825/directory/EY825002', {
      website: 'javascript:alert(1)',
      listedPublicly: 'yes',
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /Enter a website address/);
    const saved = await admin.post('/la/825/directory/EY825002', {
      publicDescription: 'By the park',
      openingHours: '8am to 6pm',
      website: 'https://example.org/',
      listedPublicly: 'no',
    });
    assert.equal(saved.statusCode, 303);
    const record = await directoryRecord(server.handle.db, '825', 'EY825002');
    assert.deepEqual([record?.publicDescription, record?.listedPublicly], ['By the park', false]);
    const edits = await localEdits(server.handle.db, '825', 'EY825002');
    assert.deepEqual(edits.map((e) => e.field).sort(), [
      'listed_publicly',
      'opening_hours',
      'public_description',
      'website',
    ]);
    assert.ok(edits.every((e) => e.changed_by === 'admin (admin)'));
    const page = await admin.get('/la/825/directory/EY825002');
    assert.match(page.body, /By the park/);
    const search = await admin.get('/la/825/directory?q=EY825002');
    assert.match(search.body, /Not published/);
  });

  test('a held snapshot is confirmed or discarded by a person after checking', async () => {
    const db = server.handle.db;
    const empty = await storeTestSnapshot(db, '825', '2026-12-02T05:30:00', []);
    assert.equal((await takeInSnapshot(db, empty, { now: NOW, by: 'collector' })).kind, 'held');
    const list = await officer825.get('/la/825/snapshots/held');
    assert.match(list.body, /holds no registrations/);
    const check = await officer825.get(`/la/825/snapshots/${empty}/discard`);
    assert.equal(check.statusCode, 200);
    assert.match(check.body, /Discard the snapshot/);
    assert.equal((await officer826.get(`/la/826/snapshots/${empty}/discard`)).statusCode, 404);
    const discarded = await officer825.post(`/la/825/snapshots/${empty}/discard`, {});
    assert.equal(discarded.statusCode, 303);
    assert.equal((await snapshotSummary(db, empty))?.state, 'discarded');
    assert.equal((await officer825.post(`/la/825/snapshots/${empty}/confirm`, {})).statusCode, 404);
  });

  test('a status change shows the status against the version last accepted; a new provider says it has none', async () => {
    const db = server.handle.db;
    const day3 = await storeTestSnapshot(db, '825', '2026-12-03T05:30:00', [
      nursery('EY825001', '825', 'Renamed Nursery'),
      {
        ...nursery('EY825002', '825'),
        status: 'SUSP',
        statusHistory: [
          { status: 'ACTV', changeDate: '2020-01-06' },
          { status: 'SUSP', changeDate: '2026-12-02' },
        ],
      },
      nursery('EY825003', '825'),
      { ...nursery('EY825004', '825'), provisionType: 'CMR' },
    ]);
    assert.equal((await takeInSnapshot(db, day3, { now: NOW, by: 'test' })).kind, 'taken-in');
    const suspended = (await pendingChanges(db, { laCode: '825', kind: 'status-changed' })).changes[0]!;
    const page = await officer825.get(`/la/825/review/${suspended.id}`);
    assert.match(
      page.body,
      /Registration status<\/th>\s*<td class="govuk-table__cell">Active<\/td>\s*<td class="govuk-table__cell">Suspended/,
    );
    const fresh = (await pendingChanges(db, { laCode: '825', kind: 'new' })).changes[0]!;
    const created = await officer825.get(`/la/825/review/${fresh.id}`);
    assert.match(created.body, /not in the directory yet/);
    assert.doesNotMatch(created.body, /No field differs/);
  });
});
