import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { openTestDatabase, type TestDatabase } from '../../../test/support/test-database.ts';
import { nursery, storeTestSnapshot } from '../../../test/support/la-directory.ts';
import type { Registration } from '../../contracts/childcare-extract/registration.ts';
import { generateRegister } from '../../contracts/childcare-extract/synthetic-register.ts';
import { mutateSnapshot } from '../changes/snapshot-mutations.ts';
import { discardSnapshot, takeInSnapshot } from './take-in.ts';
import {
  acceptChange,
  bulkAccept,
  directoryRecord,
  pendingChanges,
  rejectChange,
  setLaSettings,
  changeById,
  againstAccepted,
} from './directory-store.ts';
import { snapshotSummary } from './snapshot-access.ts';
import { UsageError } from '../../platform/cli/command.ts';
import type { CommandContext } from '../../platform/role.ts';
import { laModule } from '../la-module.ts';
import { onSnapshot } from '../la-role.ts';
import { seedDemoDirectory } from './demo-directory.ts';
import { laSettings } from './directory-store.ts';

const NOW = new Date('2026-12-01T06:00:00Z');
const by = 'collector';

function provider(ref: string, overrides: Partial<Registration> = {}, laCode = '825'): Registration {
  return {
    referenceNumber: ref,
    laCode,
    provisionType: 'CCN',
    provider: {
      name: `Provider ${ref}`,
      address: { addressLine1: `${ref.slice(-3)} High Street`, town: 'Aylesbury', postcode: 'HP20 1AA' },
    },
    setting: {
      name: `Nursery ${ref}`,
      address: { addressLine1: `${ref.slice(-3)} Mill Lane`, town: 'Aylesbury', postcode: 'HP19 8FF' },
    },
    status: 'ACTV',
    statusHistory: [{ status: 'ACTV', changeDate: '2020-01-06' }],
    registrationDate: '2020-01-06',
    registers: [{ register: 'EYR', status: 'REGD', startDate: '2020-01-06' }],
    childcarePeriods: ['ALYR'],
    ageBands: [{ ageFrom: 0, ageTo: 5, maximumNumber: 30, register: 'EYR' }],
    inspections: [{ inspectionType: 'Inspection', inspectionDate: '2024-03-01', overallJudgement: 'Good' }],
    notices: [],
    lastChangeDate: '2020-01-06',
    ...overrides,
  };
}

const many = (n: number, from = 100001, laCode = '825') =>
  Array.from({ length: n }, (_, i) => provider(`EY${from + i}`, {}, laCode));

async function countChanges(db: TestDatabase['db']): Promise<number> {
  const row = await db
    .selectFrom('la.change')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('taking in a snapshot', () => {
  let handle: TestDatabase;
  before(async () => {
    handle = await openTestDatabase();
  });
  after(() => handle.close());
  beforeEach(async () => {
    for (const table of [
      'la.change',
      'la.directory_record',
      'la.directory_edit',
      'la.settings',
      'la.take_in',
      'la.gone',
      'la.snapshot',
    ])
      await sql`delete from ${sql.table(table)}`.execute(handle.db);
  });

  /** Takes in `registrations` as LA 825's next snapshot and accepts every change. */
  async function baseline(registrations: Registration[], when = '2026-11-30T05:30:00'): Promise<number> {
    const id = await storeTestSnapshot(handle.db, '825', when, registrations);
    const outcome = await takeInSnapshot(handle.db, id, { now: NOW, by });
    assert.equal(outcome.kind, 'taken-in');
    await bulkAccept(handle.db, { laCode: '825' }, 'tester', NOW);
    return id;
  }

  test('an empty snapshot is held with its reason, and nothing is applied', async () => {
    await baseline(many(10));
    const id = await storeTestSnapshot(handle.db, '825', '2026-12-01T05:30:00', []);
    const before = await countChanges(handle.db);
    const outcome = await takeInSnapshot(handle.db, id, { now: NOW, by });
    assert.equal(outcome.kind, 'held');
    assert.deepEqual(outcome.kind === 'held' && outcome.reasons.map((r) => r.code), ['empty']);
    const snapshot = await snapshotSummary(handle.db, id);
    assert.equal(snapshot?.state, 'held');
    assert.match(snapshot?.problem ?? '', /holds no registrations/);
    assert.equal(await countChanges(handle.db), before);
    assert.equal((await directoryRecord(handle.db, '825', 'EY100001'))?.inFeed, true);
    // Taking it in again (a second instance, a re-run) leaves it held.
    assert.equal((await takeInSnapshot(handle.db, id, { now: NOW, by })).kind, 'unchanged');
  });

  test("a snapshot removing more than the LA's share of active registrations is held; with a larger share it is taken in", async () => {
    await baseline(many(20));
    const id = await storeTestSnapshot(handle.db, '825', '2026-12-01T05:30:00', many(20).slice(3)); // 15% gone
    const outcome = await takeInSnapshot(handle.db, id, { now: NOW, by });
    assert.equal(outcome.kind, 'held');
    assert.deepEqual(outcome.kind === 'held' && outcome.reasons.map((r) => r.code), ['removes-too-many']);
    assert.equal((await pendingChanges(handle.db, { laCode: '825' })).total, 0);

    await setLaSettings(handle.db, '825', { maxRemovedShare: 0.2 }, 'tester', NOW);
    const next = await storeTestSnapshot(handle.db, '825', '2026-12-01T05:31:00', many(20).slice(3));
    const taken = await takeInSnapshot(handle.db, next, { now: NOW, by });
    assert.equal(taken.kind, 'taken-in');
    assert.deepEqual(taken.kind === 'taken-in' && taken.counts, { disappeared: 3 });
  });

  test('a snapshot older than the last taken in is held; a person confirms it, or discards another', async () => {
    await baseline(many(5));
    const older = await storeTestSnapshot(handle.db, '825', '2026-11-29T05:30:00', [
      ...many(5),
      provider('EY200001'),
    ]);
    const outcome = await takeInSnapshot(handle.db, older, { now: NOW, by });
    assert.deepEqual(outcome.kind === 'held' && outcome.reasons.map((r) => r.code), ['older-than-applied']);
    assert.equal((await pendingChanges(handle.db, { laCode: '825' })).total, 0);

    const confirmed = await takeInSnapshot(handle.db, older, {
      now: NOW,
      by: 'Lee Officer',
      confirmHeld: true,
    });
    assert.equal(confirmed.kind, 'taken-in');
    const taken = await snapshotSummary(handle.db, older);
    assert.equal(taken?.state, 'taken-in');
    assert.equal(taken?.decidedBy, 'Lee Officer');
    assert.equal((await pendingChanges(handle.db, { laCode: '825' })).changes[0]?.kind, 'new');

    const empty = await storeTestSnapshot(handle.db, '825', '2026-12-02T05:30:00', []);
    assert.equal((await takeInSnapshot(handle.db, empty, { now: NOW, by })).kind, 'held');
    assert.equal(await discardSnapshot(handle.db, empty, { now: NOW, by: 'Lee Officer' }), 'discarded');
    assert.equal((await snapshotSummary(handle.db, empty))?.state, 'discarded');
    assert.equal(await discardSnapshot(handle.db, empty, { now: NOW, by: 'Lee Officer' }), 'not-held');
  });

  test('take-in finds every kind on mutated snapshots: new, changed, status-changed, left, disappeared, restored, moved', async () => {
    const start = [
      ...many(30),
      provider('EY300001', {
        status: 'RESG',
        statusHistory: [
          { status: 'ACTV', changeDate: '2020-01-06' },
          { status: 'RESG', changeDate: '2026-10-01' },
        ],
      }),
    ];
    await baseline(start);
    // A day's random changes, each with the kind it should be found as.
    const mutated = mutateSnapshot(start, {
      share: 0.5,
      seed: 3,
      today: '2026-12-01',
      mutations: [
        'renamed',
        'period-added',
        'judgement-changed',
        'reordered',
        'last-change-date',
        'resigned',
        'added',
      ],
    });
    const day2 = mutated.registrations.filter(
      (r) => r.referenceNumber !== 'EY300001' && r.referenceNumber !== 'EY100030',
    );
    const id2 = await storeTestSnapshot(handle.db, '825', '2026-12-01T05:30:00', day2);
    const outcome = await takeInSnapshot(handle.db, id2, { now: NOW, by });
    assert.equal(outcome.kind, 'taken-in');
    const rows = await handle.db.selectFrom('la.change').selectAll().where('snapshot_id', '=', id2).execute();
    const found = new Map(rows.map((r) => [r.reference_number, r.kind]));
    for (const [ref, kind] of mutated.expected) {
      if (ref === 'EY300001' || ref === 'EY100030') continue;
      assert.equal(
        found.get(ref),
        kind === 'unchanged' ? undefined : kind,
        `${ref}: ${mutated.applied.get(ref)}`,
      );
    }
    assert.equal(found.get('EY300001'), 'left');
    assert.equal(found.get('EY100030'), 'disappeared');
    assert.equal(rows.find((r) => r.kind === 'housekeeping')?.review_state ?? 'kept-quiet', 'kept-quiet');

    // The next day: EY100030 is back in the same LA, EY300001 turns up in LA 826 (the same agent).
    const id3 = await storeTestSnapshot(handle.db, '825', '2026-12-02T05:30:00', [
      ...day2,
      provider('EY100030'),
    ]);
    const back = await takeInSnapshot(handle.db, id3, { now: NOW, by });
    assert.deepEqual(back.kind === 'taken-in' && back.counts, { restored: 1 });
    const id4 = await storeTestSnapshot(handle.db, '826', '2026-12-02T05:30:00', [
      provider('EY300001', { status: 'ACTV' }, '826'),
    ]);
    const moved = await takeInSnapshot(handle.db, id4, { now: NOW, by });
    assert.deepEqual(moved.kind === 'taken-in' && moved.counts, { moved: 1 });
    const row = await handle.db
      .selectFrom('la.change')
      .selectAll()
      .where('snapshot_id', '=', id4)
      .executeTakeFirstOrThrow();
    assert.equal(row.from_la, '825');
  });

  test('a registration arriving in another LA before it leaves the first is one move, not new and disappeared', async () => {
    await baseline(many(30));
    const arrived = await storeTestSnapshot(handle.db, '826', '2026-12-01T05:30:00', [
      provider('EY100001', {}, '826'),
    ]);
    assert.deepEqual(
      (await takeInSnapshot(handle.db, arrived, { now: NOW, by })) &&
        (await pendingChanges(handle.db, { laCode: '826' })).changes.map((c) => c.kind),
      ['new'],
    );
    const left = await storeTestSnapshot(handle.db, '825', '2026-12-01T05:31:00', many(30).slice(1));
    const outcome = await takeInSnapshot(handle.db, left, { now: NOW, by });
    assert.deepEqual(outcome.kind === 'taken-in' && outcome.counts, {});
    const [move] = (await pendingChanges(handle.db, { laCode: '826' })).changes;
    assert.equal(move?.kind, 'moved');
    assert.equal(move?.fromLa, '825');
    await acceptChange(handle.db, { laCode: '826', id: move!.id, by: 'tester', now: NOW });
    assert.equal((await directoryRecord(handle.db, '825', 'EY100001'))?.inFeed, false);
    assert.equal((await directoryRecord(handle.db, '826', 'EY100001'))?.inFeed, true);
  });

  test('re-taking the same snapshot, or two take-ins at once, adds no change twice', async () => {
    await baseline(many(5));
    const id = await storeTestSnapshot(handle.db, '825', '2026-12-01T05:30:00', [
      ...many(5),
      provider('EY200001'),
    ]);
    const outcomes = await Promise.all([
      takeInSnapshot(handle.db, id, { now: NOW, by }),
      takeInSnapshot(handle.db, id, { now: NOW, by }),
    ]);
    assert.deepEqual(outcomes.map((o) => o.kind).sort(), ['taken-in', 'unchanged']);
    assert.equal((await pendingChanges(handle.db, { laCode: '825' })).total, 1);
    assert.equal((await takeInSnapshot(handle.db, id, { now: NOW, by })).kind, 'unchanged');
    assert.equal((await pendingChanges(handle.db, { laCode: '825' })).total, 1);
  });

  test('a missed day compares with the last snapshot taken in: nothing is lost', async () => {
    await baseline(many(5));
    // Day 2 is never collected; day 3 holds both days' changes.
    const day3 = many(5).map((r, i) =>
      i === 0 ? { ...r, provider: { ...r.provider, name: 'Renamed on day 2' } } : r,
    );
    day3[1] = { ...day3[1]!, childcarePeriods: ['ALYR', 'WEND'] };
    const id = await storeTestSnapshot(handle.db, '825', '2026-12-02T05:30:00', day3);
    const outcome = await takeInSnapshot(handle.db, id, { now: NOW, by });
    assert.deepEqual(outcome.kind === 'taken-in' && outcome.counts, { changed: 2 });
  });

  test('accept applies the change; reject keeps the directory as it was and records the reason; the reviewer sees the change against the version last accepted', async () => {
    await baseline(many(3));
    const renamed = (name: string) =>
      many(3).map((r, i) => (i === 0 ? { ...r, provider: { ...r.provider, name } } : r));
    const d2 = await storeTestSnapshot(handle.db, '825', '2026-12-01T05:30:00', renamed('Second name'));
    await takeInSnapshot(handle.db, d2, { now: NOW, by });
    const d3 = await storeTestSnapshot(handle.db, '825', '2026-12-02T05:30:00', renamed('Third name'));
    await takeInSnapshot(handle.db, d3, { now: NOW, by });
    const [first, second] = (await pendingChanges(handle.db, { laCode: '825' })).changes;
    // Against the snapshot before: Second → Third; against what a person accepted: the original → Third.
    assert.deepEqual(
      second!.fields.map((f) => [f.old, f.new]),
      [['Second name', 'Third name']],
    );
    const record = await directoryRecord(handle.db, '825', 'EY100001');
    assert.deepEqual(
      againstAccepted(second!, record).map((f) => [f.old, f.new]),
      [['Provider EY100001', 'Third name']],
    );

    await assert.rejects(
      rejectChange(handle.db, { laCode: '825', id: first!.id, by: 'Lee', now: NOW, reason: ' ' }),
      /why/,
    );
    const rejected = await rejectChange(handle.db, {
      laCode: '825',
      id: first!.id,
      by: 'Lee',
      now: NOW,
      reason: 'Typo at Ofsted',
    });
    assert.equal(rejected.kind, 'decided');
    assert.equal(
      (await directoryRecord(handle.db, '825', 'EY100001'))?.registration.provider.name,
      'Provider EY100001',
    );
    assert.equal((await changeById(handle.db, '825', first!.id))?.reason, 'Typo at Ofsted');

    const accepted = await acceptChange(handle.db, { laCode: '825', id: second!.id, by: 'Lee', now: NOW });
    assert.equal(accepted.kind, 'decided');
    assert.equal(
      (await directoryRecord(handle.db, '825', 'EY100001'))?.registration.provider.name,
      'Third name',
    );
    assert.equal(
      (await acceptChange(handle.db, { laCode: '825', id: second!.id, by: 'Lee', now: NOW })).kind,
      'not-pending',
    );
    // Another LA's id is not found under this LA.
    assert.equal(
      (await acceptChange(handle.db, { laCode: '826', id: second!.id, by: 'Lee', now: NOW })).kind,
      'not-found',
    );
  });

  test('bulk accept takes the filtered changes up to what the person saw counted, all in one go', async () => {
    await baseline(many(4));
    const next = [...many(4), provider('EY200001', { provisionType: 'CMR' }), provider('EY200002')];
    next[0] = { ...next[0]!, provider: { ...next[0]!.provider, name: 'Renamed' } };
    const id = await storeTestSnapshot(handle.db, '825', '2026-12-01T05:30:00', next);
    await takeInSnapshot(handle.db, id, { now: NOW, by });
    const seen = await pendingChanges(handle.db, { laCode: '825', kind: 'new' });
    assert.equal(seen.total, 2);
    assert.equal(
      await bulkAccept(handle.db, { laCode: '825', kind: 'new', upTo: seen.lastId! }, 'Lee', NOW),
      2,
    );
    const left = await pendingChanges(handle.db, { laCode: '825' });
    assert.deepEqual(
      left.changes.map((c) => c.kind),
      ['changed'],
    );
    assert.ok(await directoryRecord(handle.db, '825', 'EY200001'));
    assert.equal(await bulkAccept(handle.db, { laCode: '825', provisionType: 'CMR' }, 'Lee', NOW), 0);
  });

  test("bulk accept of a provider's later change closes its earlier one as part of it", async () => {
    await baseline(many(2));
    const renamed = many(2);
    renamed[0] = { ...renamed[0]!, provider: { ...renamed[0]!.provider, name: 'Renamed' } };
    const d2 = await storeTestSnapshot(handle.db, '825', '2026-12-01T05:30:00', renamed);
    await takeInSnapshot(handle.db, d2, { now: NOW, by });
    const suspended = structuredClone(renamed);
    suspended[0]!.status = 'SUSP';
    const d3 = await storeTestSnapshot(handle.db, '825', '2026-12-02T05:30:00', suspended);
    await takeInSnapshot(handle.db, d3, { now: NOW, by });
    const [earlier, later] = (await pendingChanges(handle.db, { laCode: '825' })).changes;
    assert.deepEqual([earlier?.kind, later?.kind], ['changed', 'status-changed']);
    assert.equal(await bulkAccept(handle.db, { laCode: '825', kind: 'status-changed' }, 'Lee', NOW), 1);
    const closed = await changeById(handle.db, '825', earlier!.id);
    assert.deepEqual(
      [closed?.reviewState, closed?.reason],
      ['accepted', `Included in change ${later!.id}, accepted`],
    );
    const record = await directoryRecord(handle.db, '825', 'EY100001');
    assert.deepEqual([record?.registration.provider.name, record?.registration.status], ['Renamed', 'SUSP']);
  });

  test('with auto-apply on, changes go into the directory at once and are still recorded', async () => {
    await baseline(many(3));
    await setLaSettings(handle.db, '825', { autoApply: true }, 'tester', NOW);
    const next = [...many(3), provider('EY200001')];
    next[0] = {
      ...next[0]!,
      status: 'SUSP',
      statusHistory: [...next[0]!.statusHistory, { status: 'SUSP', changeDate: '2026-11-30' }],
    };
    const id = await storeTestSnapshot(handle.db, '825', '2026-12-01T05:30:00', next);
    const outcome = await takeInSnapshot(handle.db, id, { now: NOW, by });
    assert.equal(outcome.kind === 'taken-in' && outcome.autoApplied, true);
    const rows = await handle.db
      .selectFrom('la.change')
      .selectAll()
      .where('snapshot_id', '=', id)
      .orderBy('id')
      .execute();
    assert.deepEqual(
      rows.map((r) => [r.kind, r.review_state]),
      [
        ['status-changed', 'auto-applied'],
        ['new', 'auto-applied'],
      ],
    );
    assert.equal((await directoryRecord(handle.db, '825', 'EY100001'))?.registration.status, 'SUSP');
    assert.ok(await directoryRecord(handle.db, '825', 'EY200001'));
    assert.equal((await pendingChanges(handle.db, { laCode: '825' })).total, 0);
  });

  test('a synthetic register of one LA goes through take-in and back out unchanged', async () => {
    const registrations = [
      ...generateRegister({ scale: 'demo', seed: 1, today: '2026-11-30', laCodes: ['825'] }),
    ];
    await baseline(registrations);
    const again = await storeTestSnapshot(handle.db, '825', '2026-12-01T05:30:00', registrations);
    const outcome = await takeInSnapshot(handle.db, again, { now: NOW, by });
    assert.deepEqual(outcome.kind === 'taken-in' && outcome.counts, {});
  });

  test("the collector's hook takes each new snapshot in", async () => {
    const id = await storeTestSnapshot(handle.db, '825', '2026-11-30T05:30:00', many(2));
    const outcome = await onSnapshot(handle.db, () => NOW)(id);
    assert.deepEqual(outcome.kind === 'taken-in' && outcome.counts, { new: 2 });
    assert.equal((await snapshotSummary(handle.db, id))?.decidedBy, 'collector');
  });

  test('demo seeding takes in two synthetic snapshots of LA 825 and leaves changes for review, once', async () => {
    const lines = await seedDemoDirectory(handle.db, NOW);
    assert.match(lines.join('\n'), /changes waiting for review/);
    const pending = (await pendingChanges(handle.db, { laCode: '825' })).total;
    assert.ok(pending > 0);
    assert.deepEqual(await seedDemoDirectory(handle.db, NOW), []);
    assert.equal((await pendingChanges(handle.db, { laCode: '825' })).total, pending);
  });

  describe('the directory commands', () => {
    let context: CommandContext<unknown>;
    let out: string[];
    let err: string[];

    before(() => {
      context = {
        config: {} as CommandContext['config'],
        settings: undefined,
        withDatabase: (fn) => fn(handle),
        secretBox: () => {
          throw new Error('not needed');
        },
      };
    });

    async function la(...args: string[]): Promise<number> {
      out = [];
      err = [];
      const log = console.log;
      const error = console.error;
      console.log = (...a: unknown[]) => void out.push(a.join(' '));
      console.error = (...a: unknown[]) => void err.push(a.join(' '));
      try {
        return await laModule.commands![0]!.run(args, context as never);
      } finally {
        console.log = log;
        console.error = error;
      }
    }

    test('edgate la take-in, changes, accept and reject, with plain-words refusals', async () => {
      const db = handle.db;
      const first = await storeTestSnapshot(db, '825', '2026-11-30T05:30:00', [
        nursery('EY100001'),
        nursery('EY100002'),
      ]);
      assert.equal(await la('take-in', String(first), '--by', 'Lee Officer'), 0);
      assert.match(out.join('\n'), /taken in: 2 new/);
      assert.equal(await la('take-in', String(first)), 1);
      assert.match(err.join('\n'), /is taken-in: nothing done/);

      assert.equal(await la('changes', '--la', '825'), 0);
      const ids = (await pendingChanges(db, { laCode: '825' })).changes.map((c) => c.id);
      assert.equal(out.length, 2);
      assert.match(out[0]!, /EY100001 is new in the extract/);

      assert.equal(await la('accept', String(ids[0]), '--by', 'Lee Officer'), 0);
      assert.equal((await directoryRecord(db, '825', 'EY100001'))?.inFeed, true);
      await assert.rejects(la('reject', String(ids[1])), UsageError);
      assert.equal(await la('reject', String(ids[1]), '--reason', 'Not ours', '--by', 'Lee Officer'), 0);
      assert.deepEqual([(await changeById(db, '825', ids[1]!))?.reason], ['Not ours']);
      assert.equal(await la('accept', String(ids[1])), 1);
      assert.match(err.join('\n'), /already decided \(rejected\)/);
      assert.equal(await la('accept', '999999'), 1);
      assert.match(err.join('\n'), /no such change/);
      await assert.rejects(la('accept', 'abc'), /not a change number/);
      await assert.rejects(la('changes', '--la', '999'), /not the 3-digit code/);
      await assert.rejects(la('frobnicate'), UsageError);
    });

    test('edgate la auto-apply on and off; a held snapshot is confirmed or discarded', async () => {
      const db = handle.db;
      assert.equal(await la('auto-apply', 'on', '--la', '825'), 0);
      assert.equal((await laSettings(db, '825')).autoApply, true);
      await assert.rejects(la('auto-apply', 'maybe', '--la', '825'), UsageError);

      const newer = await storeTestSnapshot(db, '825', '2026-11-30T05:30:00', [nursery('EY100001')]);
      assert.equal(await la('take-in', String(newer)), 0);
      const empty = await storeTestSnapshot(db, '825', '2026-12-01T05:30:00', []);
      assert.equal(await la('take-in', String(empty)), 1);
      assert.match(
        err.join('\n'),
        /held for a person to confirm or discard:\n- The extract for LA 825 holds no registrations/,
      );
      assert.equal(await la('take-in', String(empty), '--discard', '--by', 'Lee Officer'), 0);
      assert.equal((await snapshotSummary(db, empty))?.state, 'discarded');

      const older = await storeTestSnapshot(db, '825', '2026-11-29T05:30:00', [
        nursery('EY100001', '825', 'Older name'),
        nursery('EY100002'),
      ]);
      assert.equal(await la('take-in', String(older)), 1);
      assert.equal(await la('take-in', String(older), '--confirm', '--by', 'Lee Officer'), 0);
      assert.match(out.join('\n'), /applied: auto-apply is on/);
      assert.equal((await directoryRecord(db, '825', 'EY100001'))?.registration.setting?.name, 'Older name');
      assert.equal(await la('auto-apply', 'off', '--la', '825'), 0);
      assert.equal((await laSettings(db, '825')).autoApply, false);
    });
  });
});
