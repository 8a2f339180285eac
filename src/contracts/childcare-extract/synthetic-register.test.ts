import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { liveLocalAuthorities } from '../../platform/reference.ts';
import { daysBetween, isCalendarDate } from '../../platform/calendar.ts';
import {
  CHILDCARE_PERIODS,
  INACTIVE_STATUSES,
  NOTICE_STATUSES,
  REFERENCE_NUMBER_PATTERN,
  REGISTRATION_STATUSES,
  SPECIAL_CONSIDERATIONS,
} from './registration.ts';
import type { Registration, RegistrationStatus } from './registration.ts';
import { generateRegister, plannedRegisterSize } from './synthetic-register.ts';
import type { GenerateOptions } from './synthetic-register.ts';

const TODAY = '2024-01-30';
const DEMO: GenerateOptions = { scale: 'demo', seed: 20240130, today: TODAY };

function take(options: GenerateOptions, n: number): Registration[] {
  const out: Registration[] = [];
  for (const record of generateRegister(options)) {
    out.push(record);
    if (out.length === n) break;
  }
  return out;
}

// Generated once: the demo register is small (~3,000 records) and every test only reads it.
const demo = [...generateRegister(DEMO)];

const share = (records: readonly Registration[], predicate: (r: Registration) => boolean): number =>
  (100 * records.filter(predicate).length) / records.length;

/** The lifecycle (DOMAIN.md): the only status changes a synthetic history may contain. */
const ALLOWED: ReadonlySet<string> = new Set([
  'PROP>ACTV',
  'PROP>INAC',
  'PROP>REFU',
  'ACTV>SUSP',
  'ACTV>RESG',
  'ACTV>CANC',
  'SUSP>ACTV',
  'SUSP>CANC',
  'SUSP>RESG',
  // An applicant Ofsted finds exempt from registration (Ofsted v1.3's EXEM).
  'PROP>EXEM',
]);
const REGISTERED: readonly RegistrationStatus[] = ['ACTV', 'SUSP', 'RESG', 'CANC'];
const DRAMA_NUMBER =
  /^(020 ?7946 ?0\d{3}|01(1[3-8]|21|51|61) ?496 ?0\d{3}|0191 ?498 ?0\d{3}|01632 ?960\d{3}|07700 ?900\d{3})$/;

/** Every rule a record must keep; returns the problems found (empty when sound). */
function problems(r: Registration, today: string): string[] {
  const found: string[] = [];
  const date = (what: string, value: string | undefined): void => {
    if (value === undefined) return;
    if (!isCalendarDate(value)) found.push(`${what} not a calendar date: ${value}`);
    else if (value > today) found.push(`${what} after today: ${value}`);
  };
  if (!REFERENCE_NUMBER_PATTERN.test(r.referenceNumber)) found.push(`bad reference ${r.referenceNumber}`);
  if (r.provisionType === 'RPP') {
    if (!r.referenceNumber.startsWith('RP')) found.push('RPP without RP reference');
    if (r.setting) found.push('RPP with a setting');
  } else if (r.provisionType === 'CA') {
    // A childminder agency is an organisation; the synthetic ones come from RP records.
    if (r.setting) found.push('CA with a setting');
  } else if (!r.setting) found.push('setting missing');
  if ((r.provisionType === 'CCN' || r.provisionType === 'CCD') && !r.rpReferenceNumber)
    found.push('no RP link');

  const history = r.statusHistory;
  if (!history.length) found.push('empty history');
  if (history.at(-1)?.status !== r.status) found.push('history does not end with current status');
  history.forEach((h, i) => {
    date('history', h.changeDate);
    const previous = history[i - 1];
    if (!previous) return;
    if (previous.changeDate >= h.changeDate) found.push('history dates not increasing');
    if (!ALLOWED.has(`${previous.status}>${h.status}`))
      found.push(`transition ${previous.status}>${h.status}`);
  });
  const lastHistory = history.at(-1)?.changeDate ?? '';

  if (REGISTERED.includes(r.status)) {
    if (!r.registrationDate) found.push('registered without RegistrationDate');
    else if (r.registrationDate !== history.find((h) => h.status === 'ACTV')?.changeDate) {
      found.push('RegistrationDate is not the first ACTV');
    }
  } else {
    if (r.registrationDate) found.push('never-registered record with RegistrationDate');
    if (r.registers.length) found.push('never-registered record with registers');
  }
  date('registration', r.registrationDate);

  for (const reg of r.registers) {
    date('register start', reg.startDate);
    date('register end', reg.endDate);
    if (r.registrationDate && reg.startDate < r.registrationDate) found.push('register before registration');
    if (reg.endDate && reg.endDate < reg.startDate) found.push('register ends before it starts');
  }
  if (r.provisionType === 'RPP' && (r.registers.length || r.inspections.length))
    found.push('RPP with registers');
  for (const band of r.ageBands) {
    const expected = band.register === 'EYR' ? '0-5' : band.register === 'CCR' ? '5-8' : '';
    if (`${band.ageFrom}-${band.ageTo}` !== expected)
      found.push(`age band ${band.register} ${band.ageFrom}-${band.ageTo}`);
    if (!r.registers.some((reg) => reg.register === band.register)) found.push('age band without register');
    if (band.maximumNumber < 1 || band.maximumNumber > 120) found.push(`maximum ${band.maximumNumber}`);
  }
  for (const period of r.childcarePeriods) {
    if (!CHILDCARE_PERIODS.includes(period)) found.push(`period ${period}`);
  }
  if (new Set(r.childcarePeriods).size !== r.childcarePeriods.length) found.push('duplicate period');

  if (r.inspections.length > 6) found.push('more than 6 inspections');
  r.inspections.forEach((x, i) => {
    date('inspection', x.inspectionDate);
    if (r.registrationDate && x.inspectionDate < r.registrationDate)
      found.push('inspection before registration');
    if (i && x.inspectionDate < (r.inspections[i - 1]?.inspectionDate ?? ''))
      found.push('inspections unordered');
  });

  for (const n of r.notices) {
    date('notice', n.date);
    if (!(NOTICE_STATUSES as readonly string[]).includes(n.status)) found.push(`notice status ${n.status}`);
    if (!n.subType.endsWith(` ${n.type}`)) found.push(`notice subtype ${n.subType}`);
    if (n.type === 'NOI' && !['Open', 'Withdrawn', 'Superseded'].includes(n.status)) found.push('NOI status');
    if (n.type === 'NOD' && ['Open', 'Superseded'].includes(n.status)) found.push('NOD status');
    const live = n.status === 'Open' || n.status === 'Appeal period' || n.status === 'Under appeal';
    // s.70: no resignation while a NOI is open or a NOD can still be appealed.
    if (live && r.status !== 'ACTV' && r.status !== 'SUSP') found.push(`live notice on ${r.status}`);
  }
  if (r.specialConsiderations && !SPECIAL_CONSIDERATIONS.includes(r.specialConsiderations)) {
    found.push('special consideration');
  }

  date('lastChangeDate', r.lastChangeDate);
  if (r.lastChangeDate < lastHistory) found.push('lastChangeDate before last history date');

  for (const contact of [r.provider.contact, r.setting?.contact]) {
    if (!contact) continue;
    if (!Object.keys(contact).length) found.push('empty contact');
    for (const [field, value] of Object.entries(contact)) {
      if (field === 'emailAddress' ? !/@example\.(org|com)$/.test(value) : !DRAMA_NUMBER.test(value)) {
        found.push(`${field} not synthetic: ${value}`);
      }
    }
  }
  for (const address of [r.provider.address, r.setting?.address]) {
    if (address && (!address.addressLine1.trim() || !address.town.trim() || !address.postcode?.trim())) {
      found.push('address without line 1, town or postcode');
    }
  }
  return found;
}

function assertSound(records: readonly Registration[], today: string): void {
  const references = new Map<string, Registration>();
  for (const r of records) {
    assert.equal(references.has(r.referenceNumber), false, `duplicate reference ${r.referenceNumber}`);
    references.set(r.referenceNumber, r);
  }
  for (const r of records) {
    assert.deepEqual(problems(r, today), [], `${r.referenceNumber}: ${JSON.stringify(r)}`);
    if (r.rpReferenceNumber !== undefined) {
      const rp = references.get(r.rpReferenceNumber);
      assert.equal(rp?.provisionType, 'RPP', `${r.referenceNumber} links to ${r.rpReferenceNumber}`);
      assert.equal(rp.laCode, r.laCode, `${r.referenceNumber} links to an RP in another LA`);
      assert.equal(r.provider.name, rp.provider.name, 'a setting is provided by its registered person');
    }
  }
}

describe('generateRegister: determinism', () => {
  test('the same options give the same records', () => {
    assert.deepEqual(take(DEMO, 400), demo.slice(0, 400));
    assert.equal([...generateRegister(DEMO)].length, demo.length);
  });

  test('another seed gives other records', () => {
    const other = take({ ...DEMO, seed: DEMO.seed + 1 }, 50);
    assert.notDeepEqual(other, demo.slice(0, 50));
  });

  test('restricting laCodes gives exactly the records of a full run for those LAs', () => {
    const codes = ['886', '201', '420', '352'];
    const restricted = [...generateRegister({ ...DEMO, laCodes: codes })];
    const fromFull = demo.filter((r) => codes.includes(r.laCode));
    assert.deepEqual(restricted, fromFull);
    const plan = plannedRegisterSize({ ...DEMO, laCodes: codes });
    assert.deepEqual([...plan.perLa.keys()].sort(), [...codes].sort());
    assert.equal(plan.total, restricted.length);
  });

  test('the national scale is reproducible for one LA without generating the others', () => {
    const options: GenerateOptions = { scale: 'national', seed: 3, today: TODAY, laCodes: ['420'] };
    const first = [...generateRegister(options)];
    assert.deepEqual([...generateRegister(options)], first);
    assert.equal(first.length, plannedRegisterSize(options).perLa.get('420'));
  });

  test('rejects an unknown LA code and a date that does not exist', () => {
    assert.throws(() => take({ ...DEMO, laCodes: ['999'] }, 1), RangeError);
    assert.throws(() => plannedRegisterSize({ ...DEMO, laCodes: ['999'] }), RangeError);
    assert.throws(() => take({ ...DEMO, today: '2024-02-30' }, 1), RangeError);
  });
});

describe('generateRegister: scale', () => {
  test('demo: about 3,000 records, every live LA present with a few records', () => {
    const plan = plannedRegisterSize(DEMO);
    assert.equal(plan.total, demo.length);
    assert.ok(demo.length >= 2700 && demo.length <= 3400, `demo total ${demo.length}`);
    const perLa = new Map<string, number>();
    for (const r of demo) perLa.set(r.laCode, (perLa.get(r.laCode) ?? 0) + 1);
    const las = liveLocalAuthorities();
    assert.equal(las.length, 153);
    for (const la of las) {
      const count = perLa.get(la.code) ?? 0;
      assert.ok(count >= 3, `${la.code} ${la.name}: ${count}`);
      assert.equal(count, plan.perLa.get(la.code));
    }
    assert.equal(perLa.size, 153);
  });

  test('demo: records come LA by LA in code order', () => {
    const order = demo.map((r) => r.laCode).filter((code, i, all) => code !== all[i - 1]);
    assert.deepEqual(
      order,
      liveLocalAuthorities().map((la) => la.code),
    );
  });

  test('national plan: ~90k records, skewed, largest LA 4,000–5,000', () => {
    for (const seed of [1, 2, 20240130]) {
      const { total, perLa } = plannedRegisterSize({ scale: 'national', seed });
      assert.ok(total >= 85_000 && total <= 95_000, `national total ${total}`);
      const sizes = [...perLa.values()];
      const max = Math.max(...sizes);
      assert.ok(max >= 4000 && max <= 5000, `largest LA ${max}`);
      assert.ok(sizes.filter((n) => n >= 3000).length >= 3, 'a few large counties');
      assert.ok((perLa.get('420') ?? 0) >= 10 && (perLa.get('420') ?? 0) < 100, 'Isles of Scilly: tens');
      assert.ok((perLa.get('201') ?? 0) >= 10 && (perLa.get('201') ?? 0) < 100, 'City of London: tens');
      const camden = perLa.get('202') ?? 0;
      assert.ok(camden >= 150 && camden <= 800, `a London borough: a few hundred (${camden})`);
    }
  });
});

describe('generateRegister: shape of the data (demo)', () => {
  test('provision types and statuses follow the real feed', () => {
    const expected: [string, number, number][] = [
      ['CMR', 36, 3],
      ['CCN', 24, 3],
      ['HCR', 21, 3],
      ['RPP', 19, 3],
      ['CCD', 0.5, 0.5],
    ];
    for (const [type, pct, tolerance] of expected) {
      const actual = share(demo, (r) => r.provisionType === type);
      assert.ok(Math.abs(actual - pct) <= tolerance, `${type} ${actual.toFixed(1)}%`);
    }
    const statuses: [RegistrationStatus, number, number][] = [
      ['ACTV', 88, 2.5],
      ['RESG', 4, 1.5],
      ['CANC', 3, 1.5],
      ['PROP', 2, 1],
      ['INAC', 2, 1],
      ['SUSP', 0.5, 0.5],
      ['REFU', 0.2, 0.3],
    ];
    for (const [status, pct, tolerance] of statuses) {
      const actual = share(demo, (r) => r.status === status);
      assert.ok(Math.abs(actual - pct) <= tolerance, `${status} ${actual.toFixed(1)}%`);
    }
    assert.ok(demo.every((r) => REGISTRATION_STATUSES.includes(r.status)));
  });

  test('registers, notices, special considerations, secondary types', () => {
    const nonRpp = demo.filter((r) => r.provisionType !== 'RPP');
    const withRegisters = share(nonRpp, (r) => r.registers.length > 0);
    assert.ok(Math.abs(withRegisters - 80) <= 5, `registers on ${withRegisters.toFixed(1)}% of non-RPP`);
    const rows = demo.flatMap((r) => r.registers);
    const ended = (100 * rows.filter((row) => row.endDate).length) / rows.length;
    assert.ok(ended >= 6 && ended <= 15, `${ended.toFixed(1)}% of register rows end-dated`);
    const withNotices = share(demo, (r) => r.notices.length > 0);
    assert.ok(Math.abs(withNotices - 13) <= 3, `notices on ${withNotices.toFixed(1)}%`);
    const notices = demo.flatMap((r) => r.notices);
    assert.ok(notices.some((n) => n.subType === 'Non-payment of fee NOI'));
    assert.ok(notices.some((n) => n.status === 'Open'));
    const cancelled = demo.filter((r) => r.status === 'CANC');
    const effective = share(cancelled, (r) =>
      r.notices.some((n) => n.type === 'NOD' && n.status === 'Effective'),
    );
    assert.ok(effective >= 60, `cancelled with an effective NOD: ${effective.toFixed(0)}%`);
    const special = demo.filter((r) => r.specialConsiderations).length;
    assert.ok(special >= 1 && special <= demo.length * 0.01, `special considerations ${special}`);
    assert.ok(demo.some((r) => r.provisionType === 'CMR' && r.secondaryProvisionType === 'HCR'));
    assert.ok(
      demo.some((r) => /^\d{6,7}$/.test(r.referenceNumber)),
      'some legacy URNs',
    );
    assert.ok(demo.some((r) => r.inspections.length >= 4));
  });

  test('inspection judgements: Good > Met > Outstanding > Satisfactory > RI > Not Met > Inadequate', () => {
    const counts = new Map<string, number>();
    for (const x of demo.flatMap((r) => r.inspections)) {
      counts.set(x.overallJudgement, (counts.get(x.overallJudgement) ?? 0) + 1);
    }
    const order = [
      'Good',
      'Met',
      'Outstanding',
      'Satisfactory',
      'Requires Improvement',
      'Not Met (with actions)',
      'Inadequate',
    ];
    const ranked = order.map((judgement) => counts.get(judgement) ?? 0);
    for (let i = 1; i < ranked.length; i++) {
      assert.ok(
        (ranked[i - 1] ?? 0) > (ranked[i] ?? 0),
        `${order[i - 1]} ≤ ${order[i]}: ${ranked.join(', ')}`,
      );
    }
  });

  test('inactive records: some left within the 60-day window, some long ago', () => {
    const inactive = demo.filter((r) => INACTIVE_STATUSES.includes(r.status));
    const age = (r: Registration): number => daysBetween(r.statusHistory.at(-1)?.changeDate ?? TODAY, TODAY);
    const recent = inactive.filter((r) => age(r) <= 60).length;
    const old = inactive.filter((r) => age(r) > 60).length;
    assert.ok(recent >= 50 && old >= 50, `recent ${recent}, old ${old}`);
    for (const r of inactive) {
      assert.ok(r.lastChangeDate >= (r.statusHistory.at(-1)?.changeDate ?? ''), r.referenceNumber);
    }
  });

  test('addresses are messy in the ways the real feed is', () => {
    const addresses = demo.flatMap((r) => [r.provider.address, ...(r.setting ? [r.setting.address] : [])]);
    assert.ok(addresses.some((a) => a.county === undefined));
    assert.ok(addresses.some((a) => a.county?.startsWith('Please Select Region')));
    assert.ok(addresses.some((a) => a.county !== undefined && a.county === a.postcode));
    assert.ok(addresses.some((a) => a.addressLine2 === undefined));
    assert.ok(addresses.some((a) => a.town.endsWith(' ') || a.addressLine1.endsWith(' ')));
    assert.ok(addresses.some((a) => a.town !== 'London' && a.town === a.town.toUpperCase()));
    assert.ok(
      demo.some((r) => r.provider.contact === undefined || r.provider.contact.emailAddress === undefined),
    );
  });
});

describe('generateRegister: every record is sound', () => {
  test('demo register', () => {
    assertSound(demo, TODAY);
  });

  test('other seeds and other dates', () => {
    for (const [seed, today] of [
      [1, '2009-06-15'],
      [2, '2031-12-31'],
      [3, '2024-02-29'],
    ] as const) {
      assertSound([...generateRegister({ scale: 'demo', seed, today })], today);
    }
  });

  test('the checker itself catches broken records', () => {
    const sample = demo.find((r) => r.provisionType === 'CCN' && r.statusHistory.length > 1);
    assert.ok(sample);
    const broken: Registration = {
      ...sample,
      statusHistory: [...sample.statusHistory].reverse(),
      lastChangeDate: '2099-01-01',
      provider: { ...sample.provider, contact: { telephoneNumber: '01234 567890' } },
    };
    const found = problems(broken, TODAY);
    assert.ok(found.includes('history dates not increasing'), found.join('; '));
    assert.ok(found.includes('lastChangeDate after today: 2099-01-01'), found.join('; '));
    assert.ok(
      found.some((p) => p.startsWith('telephoneNumber not synthetic')),
      found.join('; '),
    );
  });

  test('largest national LA, and another "today"', () => {
    const today = '2025-03-01';
    const kent = [...generateRegister({ scale: 'national', seed: 9, today, laCodes: ['886'] })];
    assert.ok(kent.length >= 4000 && kent.length <= 5000, `Kent ${kent.length}`);
    assertSound(kent, today);
  });

  test('national references are unique across LAs (first, last and largest blocks)', () => {
    // The full 90k run takes about a second alone and several under a parallel test run;
    // references come from per-LA blocks, so the edges and the largest LAs are what can collide.
    const laCodes = ['201', '202', '886', '881', '850', '330', '942', '943'];
    const options: GenerateOptions = { scale: 'national', seed: 11, today: TODAY, laCodes };
    const seen = new Set<string>();
    let count = 0;
    for (const r of generateRegister(options)) {
      seen.add(r.referenceNumber);
      count++;
    }
    assert.equal(count, plannedRegisterSize(options).total);
    assert.equal(seen.size, count);
  });
});

test("Ofsted v1.3's elements appear in realistic shares", () => {
  const withSetting = demo.filter((r) => r.setting);
  assert.ok(share(demo, (r) => r.provider.address.uprn !== undefined) > 75);
  assert.ok(share(withSetting, (r) => r.setting?.address.uprn !== undefined) > 75);
  const childminders = demo.filter((r) => r.provisionType === 'CMR');
  const withheld = share(childminders, (r) => r.provider.consentWithheld === 'Y');
  assert.ok(withheld > 5 && withheld < 20, `consent withheld ${withheld}%`);
  assert.ok(demo.some((r) => r.provisionType === 'CA'));
  assert.ok(share(demo, (r) => r.provisionType === 'CA') < 2);
  assert.ok(demo.some((r) => r.status === 'EXEM'));
  assert.ok(share(demo, (r) => r.status === 'EXEM') < 2);
  const conditions = share(demo, (r) => (r.certificateConditions?.length ?? 0) > 0);
  assert.ok(conditions > 1 && conditions < 10, `certificate conditions ${conditions}%`);
  const welfare = share(demo, (r) => (r.welfareNotices?.length ?? 0) > 0);
  assert.ok(welfare > 0.2 && welfare < 5, `welfare notices ${welfare}%`);
  // Links only on RP-linked records, and only to a proposed, active or suspended RP record.
  const byReference = new Map(demo.map((r) => [r.referenceNumber, r]));
  const linked = demo.filter((r) => r.linkedRegistrations);
  assert.ok(linked.length > 0);
  for (const r of linked) {
    assert.ok(r.rpReferenceNumber, r.referenceNumber);
    for (const link of r.linkedRegistrations!) {
      const target = byReference.get(link.referenceNumber);
      assert.ok(target && ['PROP', 'ACTV', 'SUSP'].includes(target.status), link.referenceNumber);
    }
  }
  assert.ok(demo.filter((r) => r.specialConsiderations).length > 0);
});
