import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestDatabase, type TestDatabase } from '../../../test/support/test-database.ts';
import { loadRegistration, upsertRegistrations } from './register-store.ts';
import { recordStatusChange, statusChangesOf } from './record-status-change.ts';
import type { Registration } from '../../contracts/childcare-extract/registration.ts';

const TODAY = '2026-11-02';

function childminder(referenceNumber: string, overrides: Partial<Registration> = {}): Registration {
  return {
    referenceNumber,
    laCode: '825',
    provisionType: 'CMR',
    provider: {
      name: 'Synthetic Childminder',
      address: { addressLine1: '1 Example Road', town: 'Exampleton', postcode: 'ZZ1 1ZZ' },
    },
    setting: {
      name: 'Synthetic Childminder',
      address: { addressLine1: '1 Example Road', town: 'Exampleton', postcode: 'ZZ1 1ZZ' },
    },
    status: 'ACTV',
    statusHistory: [{ status: 'ACTV', changeDate: '2020-01-06' }],
    registrationDate: '2020-01-06',
    registers: [{ register: 'EYR', status: 'REGD', startDate: '2020-01-06' }],
    childcarePeriods: ['ALYR'],
    ageBands: [{ ageFrom: 0, ageTo: 5, maximumNumber: 6, register: 'EYR' }],
    inspections: [],
    notices: [],
    lastChangeDate: '2020-01-06',
    ...overrides,
  };
}

describe('recording status changes', () => {
  let handle: TestDatabase;

  before(async () => {
    handle = await openTestDatabase();
    await upsertRegistrations(handle.db, [
      childminder('EY100001'),
      childminder('EY100002', {
        notices: [{ type: 'NOI', subType: 'Cancellation NOI', status: 'Open', date: '2026-10-20' }],
      }),
      childminder('EY100003'),
      childminder('EY100004'),
      childminder('EY100005', {
        status: 'CANC',
        statusHistory: [
          { status: 'ACTV', changeDate: '2020-01-06' },
          { status: 'CANC', changeDate: '2026-09-01' },
        ],
        lastChangeDate: '2026-09-01',
      }),
    ]);
  });
  after(() => handle.close());

  test('a resignation updates status, history, last change date and audit together', async () => {
    const outcome = await recordStatusChange(handle.db, {
      referenceNumber: 'EY100001',
      request: { kind: 'resign', reason: 'Provider retiring' },
      actor: 'casey',
      today: TODAY,
      expectedVersion: 1,
    });
    assert.deepEqual(outcome, {
      outcome: 'changed',
      from: 'ACTV',
      to: 'RESG',
      correction: false,
      version: 2,
    });
    const stored = await loadRegistration(handle.db, 'EY100001');
    assert.equal(stored?.registration.status, 'RESG');
    assert.equal(stored?.registration.lastChangeDate, TODAY);
    assert.deepEqual(stored?.registration.statusHistory.at(-1), { status: 'RESG', changeDate: TODAY });
    const [audit] = await statusChangesOf(handle.db, 'EY100001');
    assert.equal(audit?.changedBy, 'casey');
    assert.equal(audit?.reason, 'Provider retiring');
    assert.equal(audit?.kind, 'resign');
    const row = await handle.db
      .selectFrom('regulator.registration')
      .select('status_changed_on')
      .where('reference_number', '=', 'EY100001')
      .executeTakeFirstOrThrow();
    assert.equal(row.status_changed_on, TODAY, 'the 60-day rule reads this date');
  });

  test('a resignation while a NOI is open is refused in plain words and changes nothing', async () => {
    const before = await loadRegistration(handle.db, 'EY100002');
    const outcome = await recordStatusChange(handle.db, {
      referenceNumber: 'EY100002',
      request: { kind: 'resign', reason: 'Wants to stop' },
      actor: 'casey',
      today: TODAY,
    });
    assert.equal(outcome.outcome, 'refused');
    assert.ok(outcome.outcome === 'refused' && outcome.code === 'resignation-barred-by-notice');
    assert.ok(outcome.outcome === 'refused' && /notice of intention to cancel/.test(outcome.message));
    assert.deepEqual(await loadRegistration(handle.db, 'EY100002'), before);
    assert.deepEqual(await statusChangesOf(handle.db, 'EY100002'), []);
  });

  test('a change made on a stale version is refused', async () => {
    const outcome = await recordStatusChange(handle.db, {
      referenceNumber: 'EY100003',
      request: { kind: 'cancel', ground: 'fee-not-paid', reason: 'Fee unpaid' },
      actor: 'casey',
      today: TODAY,
      expectedVersion: 7,
    });
    assert.deepEqual(outcome, { outcome: 'stale', currentVersion: 1 });
  });

  test('a suspension records its period; a further one on the same grounds continues it; lifting ends it today', async () => {
    const suspend = await recordStatusChange(handle.db, {
      referenceNumber: 'EY100004',
      request: {
        kind: 'suspend',
        grounds: 'Allegation under investigation',
        endDate: '2026-12-13',
        reason: 'Risk of harm',
      },
      actor: 'casey',
      today: TODAY,
    });
    assert.equal(suspend.outcome, 'changed');
    const tooLong = await recordStatusChange(handle.db, {
      referenceNumber: 'EY100004',
      request: {
        kind: 'suspend',
        grounds: 'Allegation under investigation',
        endDate: '2027-02-10',
        reason: 'More time',
      },
      actor: 'casey',
      today: TODAY,
    });
    assert.equal(tooLong.outcome, 'refused');
    const further = await recordStatusChange(handle.db, {
      referenceNumber: 'EY100004',
      request: {
        kind: 'suspend',
        grounds: 'Allegation under investigation',
        endDate: '2027-01-20',
        reason: 'More time',
      },
      actor: 'casey',
      today: TODAY,
    });
    assert.equal(further.outcome, 'changed');
    let stored = await loadRegistration(handle.db, 'EY100004');
    assert.deepEqual(
      stored?.suspensions.map((s) => [s.startDate, s.endDate]),
      [
        ['2026-11-02', '2026-12-13'],
        ['2026-12-14', '2027-01-20'],
      ],
    );
    assert.equal(stored?.registration.statusHistory.length, 2, 'a further period is not a new status');
    const lift = await recordStatusChange(handle.db, {
      referenceNumber: 'EY100004',
      request: { kind: 'lift-suspension', reason: 'Investigation closed' },
      actor: 'casey',
      today: '2026-11-20',
    });
    assert.equal(lift.outcome, 'changed');
    stored = await loadRegistration(handle.db, 'EY100004');
    assert.equal(stored?.registration.status, 'ACTV');
    assert.deepEqual(
      stored?.suspensions.map((s) => [s.startDate, s.endDate]),
      [['2026-11-02', '2026-11-20']],
    );
  });

  test('reinstating a cancelled registration needs a correction with a reason, and is flagged in the audit', async () => {
    const refused = await recordStatusChange(handle.db, {
      referenceNumber: 'EY100005',
      request: { kind: 'correct', to: 'ACTV', reason: '' },
      actor: 'casey',
      today: TODAY,
    });
    assert.equal(refused.outcome, 'refused');
    const corrected = await recordStatusChange(handle.db, {
      referenceNumber: 'EY100005',
      request: {
        kind: 'correct',
        to: 'ACTV',
        reason: 'Cancellation overturned on appeal (tribunal ref 123)',
      },
      actor: 'casey',
      today: TODAY,
    });
    assert.deepEqual(corrected, {
      outcome: 'changed',
      from: 'CANC',
      to: 'ACTV',
      correction: true,
      version: 2,
    });
    const [audit] = await statusChangesOf(handle.db, 'EY100005');
    assert.equal(audit?.correction, true);
  });

  test('two caseworkers changing one registration at once: exactly one wins', async () => {
    await upsertRegistrations(handle.db, [childminder('EY100006')]);
    const attempt = (kind: 'resign' | 'cancel') =>
      recordStatusChange(handle.db, {
        referenceNumber: 'EY100006',
        request:
          kind === 'resign' ? { kind, reason: 'Resigning' } : { kind, ground: 'other', reason: 'Cancelling' },
        actor: kind,
        today: TODAY,
        expectedVersion: 1,
      });
    const outcomes = await Promise.all([attempt('resign'), attempt('cancel')]);
    assert.deepEqual(outcomes.map((o) => o.outcome).sort(), ['changed', 'stale']);
    assert.equal((await statusChangesOf(handle.db, 'EY100006')).length, 1);
  });

  test('an unknown registration is reported as not found', async () => {
    const outcome = await recordStatusChange(handle.db, {
      referenceNumber: 'EY999999',
      request: { kind: 'grant' },
      actor: 'casey',
      today: TODAY,
    });
    assert.deepEqual(outcome, { outcome: 'not-found' });
  });
});
