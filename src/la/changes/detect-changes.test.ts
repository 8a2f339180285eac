import { test } from 'node:test';
import assert from 'node:assert/strict';
import { everyElementRegistration, exemptAgency } from '../../contracts/childcare-extract/feed-fixtures.ts';
import { generateRegister } from '../../contracts/childcare-extract/synthetic-register.ts';
import type { Registration } from '../../contracts/childcare-extract/registration.ts';
import type { Change } from './change.ts';
import { describeChange, forReview, isAnomaly } from './change.ts';
import { detectAgentChanges, detectChanges, type Snapshot } from './detect-changes.ts';
import { MUTATIONS, mutateSnapshot, seededRandom } from './snapshot-mutations.ts';

const snapshot = (
  registrations: Registration[],
  laCode = '825',
  extractDateTime = '2026-11-02T05:30:00',
): Snapshot => ({
  laCode,
  extractDateTime,
  registrations,
});

const kinds = (changes: Change[]): [string, string][] => changes.map((c) => [c.referenceNumber, c.kind]);

test('nothing changed: no changes', () => {
  const r = [everyElementRegistration(), exemptAgency()];
  assert.deepEqual(detectChanges(snapshot(r), snapshot([everyElementRegistration(), exemptAgency()])), []);
});

test('the first snapshot of an LA: every registration is new', () => {
  assert.deepEqual(kinds(detectChanges(undefined, snapshot([everyElementRegistration(), exemptAgency()]))), [
    ['EY100001', 'new'],
    ['EY100003', 'new'],
  ]);
});

test('a field change is `changed` with the field (element path and label), old and new', () => {
  const after = everyElementRegistration();
  after.setting!.address.postcode = 'HP22 6AB';
  after.lastChangeDate = '2026-11-01';
  const [change, ...rest] = detectChanges(snapshot([everyElementRegistration()]), snapshot([after]));
  assert.deepEqual(rest, []);
  assert.ok(change?.kind === 'changed', "change?.kind === 'changed'");
  assert.deepEqual(
    change.fields.map((f) => [f.field.element, f.field.label, f.old, f.new, f.housekeeping]),
    [
      ['Setting/SettingAddress/Postcode', 'Setting postcode', 'HP22 6AA', 'HP22 6AB', false],
      ['LastChangeDate', 'Last changed by Ofsted', '2024-05-07', '2026-11-01', true],
    ],
  );
  assert.equal(change.laCode, '825');
  assert.ok(forReview(change), 'forReview(change)');
  assert.equal(describeChange(change), 'EY100001 changed: setting postcode.');
});

test('a status change carries from and to, and whatever else changed with it', () => {
  const after = everyElementRegistration();
  after.status = 'SUSP';
  after.statusHistory.push({ status: 'SUSP', changeDate: '2026-11-01' });
  after.lastChangeDate = '2026-11-01';
  const [change] = detectChanges(snapshot([everyElementRegistration()]), snapshot([after]));
  assert.ok(change?.kind === 'status-changed', "change?.kind === 'status-changed'");
  assert.deepEqual(change.status, { from: 'ACTV', to: 'SUSP' });
  assert.ok(
    change.fields.every((f) => f.housekeeping),
    'change.fields.every((f) => f.housekeeping)',
  );
  assert.equal(describeChange(change), 'EY100001 went from Active to Suspended.');
});

test('only LastChangeDate or the status history changed: kept as housekeeping, not for review', () => {
  const after = everyElementRegistration();
  after.lastChangeDate = '2026-11-01';
  after.statusHistory[0]!.changeDate = '2019-01-03';
  const changes = detectChanges(snapshot([everyElementRegistration()]), snapshot([after]));
  assert.deepEqual(kinds(changes), [['EY100001', 'housekeeping']]);
  assert.equal(forReview(changes[0]!), false);
  const [housekeeping] = changes;
  assert.deepEqual(
    housekeeping?.kind === 'housekeeping' && housekeeping.fields.map((f) => [f.field.label, f.old, f.new]),
    [
      ['Last changed by Ofsted', '2024-05-07', '2026-11-01'],
      ['Status changed on', '2019-01-02', '2019-01-03'],
    ],
  );
});

/** A registration whose status is `status`, changed that long ago. */
function withStatus(ref: string, status: Registration['status'], changeDate = '2026-09-01'): Registration {
  const r = everyElementRegistration(ref);
  r.status = status;
  r.statusHistory.push({ status, changeDate });
  delete r.linkedRegistrations;
  return r;
}

test('gone while last seen inactive is `left`; while active, proposed, suspended or exempt `disappeared` (an anomaly)', () => {
  const previous = [
    withStatus('EY200001', 'RESG'),
    withStatus('EY200002', 'CANC'),
    withStatus('EY200003', 'INAC'),
    withStatus('EY200004', 'REFU'),
    withStatus('EY200005', 'ACTV'),
    withStatus('EY200006', 'PROP'),
    withStatus('EY200007', 'SUSP'),
    withStatus('EY200008', 'EXEM'),
  ];
  const changes = detectChanges(snapshot(previous), snapshot([]));
  assert.deepEqual(kinds(changes), [
    ['EY200001', 'left'],
    ['EY200002', 'left'],
    ['EY200003', 'left'],
    ['EY200004', 'left'],
    ['EY200005', 'disappeared'],
    ['EY200006', 'disappeared'],
    ['EY200007', 'disappeared'],
    ['EY200008', 'disappeared'],
  ]);
  assert.deepEqual(
    changes.map((c) => isAnomaly(c)),
    [false, false, false, false, true, true, true, true],
  );
  assert.match(describeChange(changes[4]!), /disappeared from the extract while Active/);
});

test('a missed day (or month) compares with the last snapshot taken in: resigned and gone is `left`', () => {
  // Taken in on 1 September while active; not again until 2 November, by when it had resigned
  // (on 2 September) and its 60 days had run out. The LA never saw it inactive.
  const previous = snapshot([withStatus('EY200001', 'ACTV', '2026-08-01')], '825', '2026-09-01T05:30:00');
  const resigned = snapshot([], '825', '2026-11-02T05:30:00');
  // What the LA last saw decides: active, so the anomaly is reported — the LA cannot tell.
  assert.deepEqual(kinds(detectChanges(previous, resigned)), [['EY200001', 'disappeared']]);
  // Had it been taken in while resigned (any day in the 60), it is `left`, however long ago.
  const sawResigned = snapshot([withStatus('EY200001', 'RESG', '2026-09-02')], '825', '2026-09-03T05:30:00');
  assert.deepEqual(kinds(detectChanges(sawResigned, resigned)), [['EY200001', 'left']]);
});

test('a reference known gone that comes back in the same LA is `restored`; in another LA, `moved`', () => {
  const back = everyElementRegistration('EY300001');
  const elsewhere = everyElementRegistration('EY300002', '826');
  const gone = new Map([
    ['EY300001', '825'],
    ['EY300002', '825'],
  ]);
  assert.deepEqual(kinds(detectChanges(snapshot([]), snapshot([back]), { gone })), [
    ['EY300001', 'restored'],
  ]);
  const [moved] = detectChanges(snapshot([], '826'), snapshot([elsewhere], '826'), { gone });
  assert.ok(moved?.kind === 'moved', "moved?.kind === 'moved'");
  assert.equal(moved.fromLa, '825');
  assert.equal(moved.laCode, '826');
});

test("gone from one of an agent's LAs and present in another: `moved` once, with what changed", () => {
  const inA = everyElementRegistration('EY400001', '825');
  const inB = everyElementRegistration('EY400001', '826');
  inB.setting!.address.town = 'Thame';
  const stay = everyElementRegistration('EY400002', '825');
  const changes = detectAgentChanges([
    { previous: snapshot([inA, stay], '825'), current: snapshot([stay], '825') },
    { previous: snapshot([], '826'), current: snapshot([inB], '826') },
    { previous: undefined, current: snapshot([everyElementRegistration('EY400003', '827')], '827') },
  ]);
  assert.deepEqual(kinds(changes), [
    ['EY400001', 'moved'],
    ['EY400003', 'new'],
  ]);
  const moved = changes[0]!;
  assert.ok(moved.kind === 'moved', "moved.kind === 'moved'");
  assert.equal(moved.fromLa, '825');
  assert.equal(moved.laCode, '826');
  assert.equal(moved.status, undefined);
  assert.deepEqual(
    moved.fields.map((f) => [f.field.element, f.old, f.new]),
    [['Setting/SettingAddress/Town', 'Wendover', 'Thame']],
  );
  assert.equal(describeChange(moved), 'EY400001 moved from LA 825 to LA 826; also changed: setting town.');
});

test("a snapshot holding a reference twice, or another LA's snapshot, is refused rather than guessed at", () => {
  const r = everyElementRegistration();
  assert.throws(() => detectChanges(undefined, snapshot([r, r])), /holds EY100001 twice/);
  assert.throws(() => detectChanges(snapshot([r], '826'), snapshot([r], '825')), /cannot compare LA 825/);
});

test('property: random mutations of generated registrations are each detected as what they are, and nothing else is', () => {
  const today = '2026-11-01';
  const register = [...generateRegister({ scale: 'demo', seed: 3, today, laCodes: ['825', '826'] })];
  const random = seededRandom(99);
  for (let round = 0; round < 20; round++) {
    const laCode = round % 2 === 0 ? '825' : '826';
    const previous = register.filter((r) => r.laCode === laCode);
    const seed = Math.floor(random() * 2 ** 31);
    const share = 0.02 + random() * 0.3;
    const mutated = mutateSnapshot(previous, { share, seed, today: '2026-11-02' });
    const changes = detectChanges(snapshot(previous, laCode), snapshot(mutated.registrations, laCode));
    const found = new Map(changes.map((c) => [c.referenceNumber, c.kind as string]));
    assert.equal(found.size, changes.length, 'one change per reference');
    const expected = new Map([...mutated.expected].filter(([, kind]) => kind !== 'unchanged'));
    assert.deepEqual(
      [...found].sort(),
      [...expected].sort(),
      `round ${round} (seed ${seed}, share ${share.toFixed(2)})`,
    );
    // Each `changed` names what was mutated, and only that.
    for (const c of changes) {
      if (c.kind !== 'changed') continue;
      const elements = new Set(c.fields.map((f) => f.field.element));
      const mutation = mutated.applied.get(c.referenceNumber);
      const want = {
        renamed: ['Provider/ProviderName'],
        'period-added': ['ChildcarePeriodList/ChildcarePeriod[]'],
        'judgement-changed': [
          'InspectionList/Inspection[]/InspectionOverallJudgement',
          'InspectionList/Inspection[]/InspectionType',
          'InspectionList/Inspection[]/InspectionDate',
        ],
        resigned: ['Provider/ProviderName'],
      }[mutation as string];
      assert.ok(want, `unexpected changed for ${mutation}`);
      for (const e of elements) assert.ok(want.includes(e), `${mutation} reported ${e}`);
    }
  }
  assert.ok(MUTATIONS.length >= 8, 'MUTATIONS.length >= 8');
});

test("property: over an agent's two LAs, registrations moved at random are each `moved` once, the rest as made", () => {
  const register = [
    ...generateRegister({ scale: 'demo', seed: 5, today: '2026-11-01', laCodes: ['825', '826'] }),
  ];
  const random = seededRandom(7);
  for (let round = 0; round < 10; round++) {
    const seed = Math.floor(random() * 2 ** 31);
    const a = mutateSnapshot(
      register.filter((r) => r.laCode === '825'),
      { share: 0.1, seed, today: '2026-11-02' },
    );
    const b = mutateSnapshot(
      register.filter((r) => r.laCode === '826'),
      { share: 0.1, seed: seed + 1, today: '2026-11-02' },
    );
    // Move some untouched registrations of 825 to 826, whatever their status.
    const movable = a.registrations.filter((r) => !a.applied.has(r.referenceNumber));
    const moving = new Set(movable.filter((_, i) => i === 0 || random() < 0.1).map((r) => r.referenceNumber));
    const stays = a.registrations.filter((r) => !moving.has(r.referenceNumber));
    const arrives = [
      ...b.registrations,
      ...movable.filter((r) => moving.has(r.referenceNumber)).map((r) => ({ ...r, laCode: '826' })),
    ];
    const changes = detectAgentChanges([
      {
        previous: snapshot(
          register.filter((r) => r.laCode === '825'),
          '825',
        ),
        current: snapshot(stays, '825'),
      },
      {
        previous: snapshot(
          register.filter((r) => r.laCode === '826'),
          '826',
        ),
        current: snapshot(arrives, '826'),
      },
    ]);
    const expected = new Map<string, string>();
    for (const [ref, kind] of [...a.expected, ...b.expected])
      if (kind !== 'unchanged') expected.set(ref, kind);
    for (const ref of moving) expected.set(ref, 'moved');
    assert.deepEqual(
      changes.map((c) => [c.referenceNumber, c.kind]).sort(),
      [...expected].sort(),
      `round ${round} (seed ${seed})`,
    );
    for (const c of changes) {
      if (c.kind !== 'moved') continue;
      assert.equal(c.fromLa, '825');
      assert.equal(c.laCode, '826');
      assert.deepEqual(c.fields, [], 'moved as it was');
    }
  }
});

test('a registration gone from one LA while inactive and arriving in another active is `moved` with its status change', () => {
  const before = withStatus('EY600001', 'RESG');
  const after = everyElementRegistration('EY600001', '826');
  delete after.linkedRegistrations;
  const [moved, ...rest] = detectAgentChanges([
    { previous: snapshot([before], '825'), current: snapshot([], '825') },
    { previous: snapshot([], '826'), current: snapshot([after], '826') },
  ]);
  assert.deepEqual(rest, []);
  assert.ok(moved?.kind === 'moved', "moved?.kind === 'moved'");
  assert.deepEqual(moved.status, { from: 'RESG', to: 'ACTV' });
  assert.ok(
    moved.fields.every((f) => f.housekeeping),
    'only the history differs besides the status',
  );
});
