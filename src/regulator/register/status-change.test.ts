import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { REGISTRATION_STATUSES } from '../../contracts/childcare-extract/registration.ts';
import type {
  ChildServicesRegister,
  Notice,
  RegistrationStatus,
} from '../../contracts/childcare-extract/registration.ts';
import {
  CANCELLATION_GROUNDS,
  availableStatusChanges,
  decideStatusChange,
  isNormalTransition,
  resignationBarringNotices,
} from './status-change.ts';
import type {
  CancellationGround,
  StatusChangeContext,
  StatusChangeDecision,
  StatusChangeKind,
  StatusChangeRequest,
  Suspension,
} from './status-change.ts';

const TODAY = '2026-03-03';
const GROUNDS = 'Allegation of physical harm to a child';
const EYR: ChildServicesRegister = { register: 'EYR', status: 'REGD', startDate: '2020-01-01' };
const VCR: ChildServicesRegister = { register: 'VCR', status: 'REGD', startDate: '2020-01-01' };

/** A suspension that is current on TODAY: 24 February to 9 March 2026. */
const CURRENT_SUSPENSION: Suspension = {
  grounds: GROUNDS,
  startDate: '2026-02-24',
  endDate: '2026-03-09',
  investigationCannotFinishSooner: false,
};

function ctx(overrides: Partial<StatusChangeContext> = {}): StatusChangeContext {
  const status = overrides.status ?? 'ACTV';
  return {
    status,
    registers: [EYR],
    notices: [],
    suspensions: status === 'SUSP' ? [CURRENT_SUSPENSION] : [],
    today: TODAY,
    ...overrides,
  };
}

const NORMAL_KINDS = [
  'grant',
  'withdraw',
  'refuse',
  'suspend',
  'lift-suspension',
  'resign',
  'cancel',
] as const;
type NormalKind = (typeof NORMAL_KINDS)[number];

/** A request of each kind that passes every check except the one on the status. */
function validRequest(kind: NormalKind): StatusChangeRequest {
  const reason = 'Decided at case review on 2 March';
  switch (kind) {
    case 'grant':
      return { kind };
    case 'suspend':
      // Fits both a new suspension (from 3 March) and a further period (from 10 March).
      return { kind, grounds: GROUNDS, endDate: '2026-03-16', reason };
    case 'cancel':
      return { kind, ground: 'requirements-not-met', reason };
    default:
      return { kind, reason };
  }
}

/** The Act's state changes, written out independently of the module's table. */
const EXPECTED: Record<RegistrationStatus, Partial<Record<NormalKind, RegistrationStatus>>> = {
  PROP: { grant: 'ACTV', withdraw: 'INAC', refuse: 'REFU' },
  ACTV: { suspend: 'SUSP', resign: 'RESG', cancel: 'CANC' },
  SUSP: { 'lift-suspension': 'ACTV', suspend: 'SUSP', resign: 'RESG', cancel: 'CANC' },
  RESG: {},
  CANC: {},
  INAC: {},
  REFU: {},
  EXEM: {},
};

const EXPECTED_PAIRS = [
  'PROP→ACTV',
  'PROP→INAC',
  'PROP→REFU',
  'ACTV→SUSP',
  'ACTV→RESG',
  'ACTV→CANC',
  'SUSP→ACTV',
  'SUSP→SUSP',
  'SUSP→RESG',
  'SUSP→CANC',
];

function assertAllowed(
  decision: StatusChangeDecision,
): asserts decision is Extract<StatusChangeDecision, { allowed: true }> {
  assert.equal(decision.allowed, true, decision.allowed ? '' : `${decision.code}: ${decision.message}`);
}

function assertRefused(decision: StatusChangeDecision, code: string): string {
  assert.equal(decision.allowed, false, 'expected a refusal');
  assert.ok(!decision.allowed);
  assert.equal(decision.code, code, decision.message);
  return decision.message;
}

describe('state changes', () => {
  for (const from of REGISTRATION_STATUSES) {
    for (const kind of NORMAL_KINDS) {
      const to = EXPECTED[from][kind];
      test(`${from}: ${kind} is ${to ? `allowed, to ${to}` : 'refused'}`, () => {
        const decision = decideStatusChange(ctx({ status: from }), validRequest(kind));
        if (to === undefined) {
          assertRefused(decision, 'not-allowed-from-status');
          return;
        }
        assertAllowed(decision);
        assert.equal(decision.from, from);
        assert.equal(decision.to, to);
        assert.equal(decision.correction, false);
        assert.equal(decision.changeDate, TODAY);
      });
    }
  }

  test('over every pair of statuses, exactly the pairs of the Act are reachable without a correction', () => {
    for (const from of REGISTRATION_STATUSES) {
      for (const to of REGISTRATION_STATUSES) {
        const reachable = NORMAL_KINDS.some((kind) => {
          const decision = decideStatusChange(ctx({ status: from }), validRequest(kind));
          return decision.allowed && decision.to === to;
        });
        const pair = `${from}→${to}`;
        assert.equal(reachable, EXPECTED_PAIRS.includes(pair), pair);
        assert.equal(isNormalTransition(from, to), EXPECTED_PAIRS.includes(pair), pair);
      }
    }
  });

  test('a refusal names the status and what is possible from it', () => {
    const fromActive = assertRefused(decideStatusChange(ctx(), { kind: 'grant' }), 'not-allowed-from-status');
    assert.equal(
      fromActive,
      'A registration that is Active cannot be granted. From Active the possible changes are: suspend, resign, cancel registration.',
    );
    const fromCancelled = assertRefused(
      decideStatusChange(ctx({ status: 'CANC' }), validRequest('suspend')),
      'not-allowed-from-status',
    );
    assert.match(fromCancelled, /^A registration that is Cancelled cannot be suspended\./);
    assert.match(fromCancelled, /only a correction/);
  });

  test('availableStatusChanges lists the normal changes for each status, without corrections', () => {
    const expected: Record<RegistrationStatus, StatusChangeKind[]> = {
      PROP: ['grant', 'refuse', 'withdraw'],
      ACTV: ['cancel', 'resign', 'suspend'],
      SUSP: ['cancel', 'lift-suspension', 'resign', 'suspend'],
      RESG: [],
      CANC: [],
      INAC: [],
      REFU: [],
      EXEM: [],
    };
    for (const status of REGISTRATION_STATUSES) {
      assert.deepEqual(availableStatusChanges({ status }).sort(), expected[status], status);
    }
  });
});

describe('reasons', () => {
  for (const kind of NORMAL_KINDS.filter((k) => k !== 'grant')) {
    test(`${kind} needs a reason`, () => {
      const from =
        kind === 'withdraw' || kind === 'refuse' ? 'PROP' : kind === 'lift-suspension' ? 'SUSP' : 'ACTV';
      for (const reason of ['', '   \n']) {
        const req = { ...validRequest(kind), reason } as StatusChangeRequest;
        assertRefused(decideStatusChange(ctx({ status: from }), req), 'reason-required');
      }
    });
  }

  test('a grant needs no reason', () => {
    assertAllowed(decideStatusChange(ctx({ status: 'PROP' }), { kind: 'grant' }));
  });
});

describe('resignation (s.70)', () => {
  const resign: StatusChangeRequest = { kind: 'resign', reason: 'Provider is retiring' };
  const notice = (type: Notice['type'], status: string, date?: string): Notice => ({
    type,
    subType: type === 'NOI' ? 'Non-payment of fee NOI' : 'Cancellation NOD',
    status,
    ...(date === undefined ? {} : { date }),
  });

  test('is granted with no notices', () => {
    const decision = decideStatusChange(ctx(), resign);
    assertAllowed(decision);
    assert.equal(decision.to, 'RESG');
  });

  test('is barred while a notice of intention to cancel is open, with a plain explanation', () => {
    const message = assertRefused(
      decideStatusChange(ctx({ notices: [notice('NOI', 'Open', '2026-02-20')] }), resign),
      'resignation-barred-by-notice',
    );
    assert.equal(
      message,
      'The provider cannot resign while a notice of intention to cancel is open (Non-payment of fee NOI, NOI dated 20 February 2026). ' +
        'Section 70 of the Childcare Act 2006 bars resignation until the notice is withdrawn or decided and any appeal is over.',
    );
  });

  test('is barred from Suspended too', () => {
    assertRefused(
      decideStatusChange(ctx({ status: 'SUSP', notices: [notice('NOI', 'Open', '2026-02-20')] }), resign),
      'resignation-barred-by-notice',
    );
  });

  test('is barred by an open NOI whatever the case or spacing of its status', () => {
    assertRefused(
      decideStatusChange(ctx({ notices: [notice('NOI', ' open ')] }), resign),
      'resignation-barred-by-notice',
    );
  });

  test('is not barred by a withdrawn or superseded NOI', () => {
    for (const status of ['Withdrawn', 'Superseded']) {
      assertAllowed(decideStatusChange(ctx({ notices: [notice('NOI', status, '2026-02-20')] }), resign));
    }
  });

  test('is barred while a NOD is in its appeal period, however old its date', () => {
    const message = assertRefused(
      decideStatusChange(ctx({ notices: [notice('NOD', 'Appeal period', '2025-06-01')] }), resign),
      'resignation-barred-by-notice',
    );
    assert.match(message, /can still be appealed \(Cancellation NOD, NOD dated 1 June 2025\)/);
    assert.match(message, /until the appeal period has ended or the appeal has been decided/);
  });

  test('is barred while a NOD is under appeal', () => {
    const message = assertRefused(
      decideStatusChange(ctx({ notices: [notice('NOD', 'Under appeal', '2025-06-01')] }), resign),
      'resignation-barred-by-notice',
    );
    assert.match(message, /is under appeal/);
  });

  test('is not barred by a NOD that is final, even one dated yesterday', () => {
    for (const status of ['Effective', 'Withdrawn', 'Overturned']) {
      assertAllowed(decideStatusChange(ctx({ notices: [notice('NOD', status, '2026-03-02')] }), resign));
    }
  });

  test('is barred by a NOD not yet final during the 28-day appeal window, and not after it', () => {
    // 3 February 2026 is 28 days before 3 March 2026.
    assertRefused(
      decideStatusChange(ctx({ notices: [notice('NOD', 'Served', '2026-02-03')] }), resign),
      'resignation-barred-by-notice',
    );
    assertAllowed(decideStatusChange(ctx({ notices: [notice('NOD', 'Served', '2026-02-02')] }), resign));
    assertAllowed(decideStatusChange(ctx({ notices: [notice('NOD', 'Served')] }), resign));
  });

  test('is not barred on the voluntary register alone', () => {
    const notices = [notice('NOI', 'Open', '2026-02-20'), notice('NOD', 'Under appeal', '2026-01-10')];
    assertAllowed(decideStatusChange(ctx({ registers: [VCR], notices }), resign));
    // An ended compulsory register does not count.
    assertAllowed(
      decideStatusChange(ctx({ registers: [VCR, { ...EYR, endDate: '2026-03-02' }], notices }), resign),
    );
  });

  test('is barred when a compulsory register is current as well as the voluntary one', () => {
    const notices = [notice('NOI', 'Open', '2026-02-20')];
    assertRefused(
      decideStatusChange(ctx({ registers: [VCR, { ...EYR, endDate: TODAY }], notices }), resign),
      'resignation-barred-by-notice',
    );
    assertRefused(
      decideStatusChange(ctx({ registers: [VCR, { ...EYR, startDate: '2026-04-01' }], notices }), resign),
      'resignation-barred-by-notice',
    );
  });

  test('is barred when no register is current, since voluntary-only is not shown', () => {
    assertRefused(
      decideStatusChange(ctx({ registers: [], notices: [notice('NOI', 'Open')] }), resign),
      'resignation-barred-by-notice',
    );
  });

  test('names every barring notice, and resignationBarringNotices returns only those', () => {
    const open = notice('NOI', 'Open', '2026-02-20');
    const appeal = notice('NOD', 'Under appeal', '2026-01-10');
    const done = notice('NOD', 'Effective', '2025-01-10');
    const context = ctx({ notices: [open, done, appeal] });
    assert.deepEqual(resignationBarringNotices(context), [open, appeal]);
    const message = assertRefused(decideStatusChange(context, resign), 'resignation-barred-by-notice');
    assert.match(message, /20 February 2026.*; and .*10 January 2026/);
    assert.doesNotMatch(message, /2025/);
  });
});

describe('suspension (s.69, SI 2008/976)', () => {
  const suspend = (
    fields: Partial<Extract<StatusChangeRequest, { kind: 'suspend' }>>,
  ): StatusChangeRequest => ({
    kind: 'suspend',
    grounds: GROUNDS,
    endDate: '2026-03-16',
    reason: 'Police investigation under way',
    ...fields,
  });

  test('a new suspension starts today and records the period', () => {
    const decision = decideStatusChange(ctx(), suspend({ grounds: `  ${GROUNDS} ` }));
    assertAllowed(decision);
    assert.equal(decision.to, 'SUSP');
    assert.equal(decision.changeDate, TODAY);
    assert.deepEqual(decision.suspension, {
      grounds: GROUNDS,
      startDate: TODAY,
      endDate: '2026-03-16',
      investigationCannotFinishSooner: false,
    });
  });

  test('a period may run to the 42nd day counting the start, and no further', () => {
    // 3 March to 13 April 2026 is 42 days, both dates included.
    const last = decideStatusChange(ctx(), suspend({ endDate: '2026-04-13' }));
    assertAllowed(last);
    assert.equal(last.suspension?.endDate, '2026-04-13');
    const message = assertRefused(
      decideStatusChange(ctx(), suspend({ endDate: '2026-04-14' })),
      'suspension-too-long',
    );
    assert.match(message, /at most 6 weeks/);
    assert.match(message, /3 March 2026 to 14 April 2026 is 6 weeks and 1 day/);
    assert.match(message, /latest end date for this period is 13 April 2026/);
  });

  test('the 6-week limit holds even when the investigation cannot finish sooner', () => {
    assertRefused(
      decideStatusChange(ctx(), suspend({ endDate: '2026-04-14', investigationCannotFinishSooner: true })),
      'suspension-too-long',
    );
  });

  test('needs grounds', () => {
    assertRefused(decideStatusChange(ctx(), suspend({ grounds: '  ' })), 'suspension-grounds-required');
  });

  test('needs an end date after the start date, and real dates', () => {
    assertRefused(decideStatusChange(ctx(), suspend({ endDate: TODAY })), 'invalid-dates');
    assertRefused(decideStatusChange(ctx(), suspend({ endDate: '2026-03-01' })), 'invalid-dates');
    const message = assertRefused(
      decideStatusChange(ctx(), suspend({ endDate: '2026-02-30' })),
      'invalid-dates',
    );
    assert.match(message, /“2026-02-30” is not a real date/);
    assertRefused(decideStatusChange(ctx(), suspend({ startDate: '3/3/2026' })), 'invalid-dates');
  });

  test('a new suspension cannot start in the past or the future', () => {
    assertAllowed(decideStatusChange(ctx(), suspend({ startDate: TODAY })));
    const past = assertRefused(
      decideStatusChange(ctx(), suspend({ startDate: '2026-03-02' })),
      'invalid-dates',
    );
    assert.match(past, /today, 3 March 2026.*given was 2 March 2026/);
    assertRefused(decideStatusChange(ctx(), suspend({ startDate: '2026-03-04' })), 'invalid-dates');
  });

  describe('a further period while suspended', () => {
    // The current period runs 24 February to 9 March 2026.
    test('starts the day after the current one ends', () => {
      const decision = decideStatusChange(ctx({ status: 'SUSP' }), suspend({ endDate: '2026-04-20' }));
      assertAllowed(decision);
      assert.equal(decision.from, 'SUSP');
      assert.equal(decision.to, 'SUSP');
      assert.equal(decision.suspension?.startDate, '2026-03-10');
      assertAllowed(decideStatusChange(ctx({ status: 'SUSP' }), suspend({ startDate: '2026-03-10' })));
    });

    test('is limited to 6 weeks from its own start', () => {
      // 10 March + 41 days = 20 April.
      assertAllowed(decideStatusChange(ctx({ status: 'SUSP' }), suspend({ endDate: '2026-04-20' })));
      assertRefused(
        decideStatusChange(ctx({ status: 'SUSP' }), suspend({ endDate: '2026-04-21' })),
        'suspension-too-long',
      );
    });

    test('cannot leave a gap or overlap the current period', () => {
      for (const startDate of [TODAY, '2026-03-09', '2026-03-11']) {
        const message = assertRefused(
          decideStatusChange(ctx({ status: 'SUSP' }), suspend({ startDate })),
          'invalid-dates',
        );
        assert.match(message, /ends on 9 March 2026, so it starts on 10 March 2026/);
      }
    });

    test('starts today when the current period has already run out', () => {
      const lapsed = { ...CURRENT_SUSPENSION, startDate: '2026-02-01', endDate: '2026-02-27' };
      const decision = decideStatusChange(ctx({ status: 'SUSP', suspensions: [lapsed] }), suspend({}));
      assertAllowed(decision);
      assert.equal(decision.suspension?.startDate, TODAY);
      assertRefused(
        decideStatusChange(
          ctx({ status: 'SUSP', suspensions: [lapsed] }),
          suspend({ startDate: '2026-02-28' }),
        ),
        'invalid-dates',
      );
    });

    test('starts today when no period is recorded', () => {
      const decision = decideStatusChange(ctx({ status: 'SUSP', suspensions: [] }), suspend({}));
      assertAllowed(decision);
      assert.equal(decision.suspension?.startDate, TODAY);
    });
  });

  describe('12 weeks in a row on the same grounds', () => {
    const period = (startDate: string, endDate: string, grounds = GROUNDS): Suspension => ({
      grounds,
      startDate,
      endDate,
      investigationCannotFinishSooner: false,
    });
    // 6 January to 16 March 2026 is 70 days; 6 January + 83 days = 30 March.
    const seventyDays = [period('2026-01-06', '2026-02-16'), period('2026-02-17', '2026-03-16')];

    test('a further period may bring the total to exactly 12 weeks', () => {
      const decision = decideStatusChange(
        ctx({ status: 'SUSP', suspensions: seventyDays }),
        suspend({ endDate: '2026-03-30' }),
      );
      assertAllowed(decision);
      assert.equal(decision.suspension?.startDate, '2026-03-17');
    });

    test('but not one day more', () => {
      const message = assertRefused(
        decideStatusChange(
          ctx({ status: 'SUSP', suspensions: seventyDays }),
          suspend({ endDate: '2026-03-31' }),
        ),
        'suspension-limit-reached',
      );
      assert.match(message, /at most 12 weeks in a row/);
      assert.match(
        message,
        /began on 6 January 2026; ending on 31 March 2026 it would last 12 weeks and 1 day/,
      );
      assert.match(message, /latest end date within 12 weeks is 30 March 2026/);
    });

    test('is allowed beyond 12 weeks when the investigation cannot finish sooner, and says so', () => {
      const decision = decideStatusChange(
        ctx({ status: 'SUSP', suspensions: seventyDays }),
        suspend({ endDate: '2026-04-27', investigationCannotFinishSooner: true }),
      );
      assertAllowed(decision);
      assert.equal(decision.suspension?.investigationCannotFinishSooner, true);
    });

    test('once 12 weeks are used, says so', () => {
      const full = [period('2026-01-06', '2026-02-16'), period('2026-02-17', '2026-03-30')];
      const message = assertRefused(
        decideStatusChange(ctx({ status: 'SUSP', suspensions: full }), suspend({ endDate: '2026-04-06' })),
        'suspension-limit-reached',
      );
      assert.match(message, /already lasted 12 weeks/);
    });

    test('restarts on different grounds', () => {
      const decision = decideStatusChange(
        ctx({ status: 'SUSP', suspensions: seventyDays }),
        suspend({ grounds: 'Premises unsafe after flood', endDate: '2026-04-27' }),
      );
      assertAllowed(decision);
      assert.equal(decision.suspension?.startDate, '2026-03-17');
    });

    test('does not restart on grounds that differ only in case or spacing', () => {
      assertRefused(
        decideStatusChange(
          ctx({ status: 'SUSP', suspensions: seventyDays }),
          suspend({ grounds: `  ${GROUNDS.toUpperCase()}  `, endDate: '2026-03-31' }),
        ),
        'suspension-limit-reached',
      );
    });

    test('counts only the run on the same grounds', () => {
      const mixed = [period('2026-01-06', '2026-02-16', 'Other grounds'), period('2026-02-17', '2026-03-16')];
      // 17 February to 27 April is 70 days.
      assertAllowed(
        decideStatusChange(ctx({ status: 'SUSP', suspensions: mixed }), suspend({ endDate: '2026-04-27' })),
      );
    });

    test('restarts after a gap of a day or more, but a suspension the day after another continues it', () => {
      const liftedOnFirst = [period('2026-01-06', '2026-02-16'), period('2026-02-17', '2026-03-01')];
      assertAllowed(
        decideStatusChange(ctx({ suspensions: liftedOnFirst }), suspend({ endDate: '2026-04-13' })),
      );
      const liftedYesterday = [period('2026-01-06', '2026-02-16'), period('2026-02-17', '2026-03-02')];
      assertRefused(
        decideStatusChange(ctx({ suspensions: liftedYesterday }), suspend({ endDate: '2026-04-13' })),
        'suspension-limit-reached',
      );
    });

    test('does not depend on the order the periods are given in', () => {
      assertRefused(
        decideStatusChange(
          ctx({ status: 'SUSP', suspensions: [...seventyDays].reverse() }),
          suspend({ endDate: '2026-03-31' }),
        ),
        'suspension-limit-reached',
      );
    });
  });
});

describe('lifting a suspension', () => {
  const lift: StatusChangeRequest = { kind: 'lift-suspension', reason: 'Investigation found no risk' };

  test('returns to Active and cuts the current period short to end today', () => {
    const decision = decideStatusChange(ctx({ status: 'SUSP' }), lift);
    assertAllowed(decision);
    assert.equal(decision.to, 'ACTV');
    assert.deepEqual(decision.liftedSuspension, { ...CURRENT_SUSPENSION, endDate: TODAY });
  });

  test('keeps the end date of a period that has already run out, and ignores one not yet started', () => {
    const lapsed = { ...CURRENT_SUSPENSION, startDate: '2026-02-01', endDate: '2026-02-27' };
    const future = { ...CURRENT_SUSPENSION, startDate: '2026-03-10', endDate: '2026-03-20' };
    const decision = decideStatusChange(ctx({ status: 'SUSP', suspensions: [lapsed, future] }), lift);
    assertAllowed(decision);
    assert.deepEqual(decision.liftedSuspension, lapsed);
  });

  test('has no period to cut short when none is recorded', () => {
    const decision = decideStatusChange(ctx({ status: 'SUSP', suspensions: [] }), lift);
    assertAllowed(decision);
    assert.equal(decision.liftedSuspension, undefined);
  });
});

describe('cancellation (s.68)', () => {
  for (const ground of CANCELLATION_GROUNDS) {
    test(`records the ground ${ground}`, () => {
      const decision = decideStatusChange(ctx(), { kind: 'cancel', ground, reason: 'Decided at panel' });
      assertAllowed(decision);
      assert.equal(decision.to, 'CANC');
      assert.equal(decision.cancellationGround, ground);
    });
  }

  test('refuses a ground outside the list', () => {
    const ground = 'not-liked' as unknown as CancellationGround;
    const message = assertRefused(
      decideStatusChange(ctx(), { kind: 'cancel', ground, reason: 'Decided at panel' }),
      'invalid-cancellation-ground',
    );
    assert.match(message, /disqualification/);
  });
});

describe('corrections', () => {
  const reason = 'Cancellation overturned on appeal';

  test('allow a reactivation after appeal, flagged for audit', () => {
    const decision = decideStatusChange(ctx({ status: 'CANC' }), { kind: 'correct', to: 'ACTV', reason });
    assertAllowed(decision);
    assert.deepEqual(decision, {
      allowed: true,
      from: 'CANC',
      to: 'ACTV',
      changeDate: TODAY,
      correction: true,
    });
  });

  test('over every pair of statuses: allowed only where the Act has no normal change', () => {
    for (const from of REGISTRATION_STATUSES) {
      for (const to of REGISTRATION_STATUSES) {
        const decision = decideStatusChange(ctx({ status: from }), { kind: 'correct', to, reason });
        const pair = `${from}→${to}`;
        if (from === to) assertRefused(decision, 'correction-to-same-status');
        else if (EXPECTED_PAIRS.includes(pair)) assertRefused(decision, 'correction-not-needed');
        else {
          assertAllowed(decision);
          assert.equal(decision.correction, true, pair);
          assert.equal(decision.to, to, pair);
        }
      }
    }
  });

  test('cannot be used to get round the bar on resignation', () => {
    const notices: Notice[] = [{ type: 'NOI', subType: 'Cancellation NOI', status: 'Open' }];
    const message = assertRefused(
      decideStatusChange(ctx({ notices }), { kind: 'correct', to: 'RESG', reason }),
      'correction-not-needed',
    );
    assert.match(message, /Active to Resigned is a normal change.*“Resign”/);
  });

  test('need a reason of at least 10 characters after trimming', () => {
    for (const short of ['', '   ', 'typo', '  123456789  ']) {
      const message = assertRefused(
        decideStatusChange(ctx({ status: 'RESG' }), { kind: 'correct', to: 'ACTV', reason: short }),
        'reason-required',
      );
      assert.match(message, /from Resigned to Active must explain why/);
    }
    assertAllowed(
      decideStatusChange(ctx({ status: 'RESG' }), { kind: 'correct', to: 'ACTV', reason: '1234567890' }),
    );
  });

  test('to the same status is refused', () => {
    const message = assertRefused(
      decideStatusChange(ctx({ status: 'INAC' }), { kind: 'correct', to: 'INAC', reason }),
      'correction-to-same-status',
    );
    assert.match(message, /already Inactive \(application withdrawn\)/);
  });

  test('to an unknown status is refused', () => {
    const to = 'GONE' as unknown as RegistrationStatus;
    assertRefused(
      decideStatusChange(ctx({ status: 'CANC' }), { kind: 'correct', to, reason }),
      'unknown-status',
    );
  });
});

describe('purity', () => {
  test('does not change its input', () => {
    const context = ctx({
      status: 'SUSP',
      suspensions: [
        CURRENT_SUSPENSION,
        { ...CURRENT_SUSPENSION, startDate: '2026-01-01', endDate: '2026-01-10' },
      ],
      notices: [{ type: 'NOD', subType: 'Cancellation NOD', status: 'Effective', date: '2025-01-01' }],
    });
    const before = structuredClone(context);
    decideStatusChange(context, {
      kind: 'suspend',
      grounds: GROUNDS,
      endDate: '2026-03-20',
      reason: 'Extension',
    });
    decideStatusChange(context, { kind: 'lift-suspension', reason: 'Investigation closed' });
    decideStatusChange(context, { kind: 'resign', reason: 'Provider is retiring' });
    assert.deepEqual(context, before);
  });

  test('depends on today, not the clock', () => {
    const notices: Notice[] = [
      { type: 'NOD', subType: 'Cancellation NOD', status: 'Served', date: '2030-01-01' },
    ];
    const resign: StatusChangeRequest = { kind: 'resign', reason: 'Provider is retiring' };
    assertRefused(
      decideStatusChange(ctx({ notices, today: '2030-01-29' }), resign),
      'resignation-barred-by-notice',
    );
    assertAllowed(decideStatusChange(ctx({ notices, today: '2030-01-30' }), resign));
  });

  test('throws when today is not a calendar date', () => {
    assert.throws(() => decideStatusChange(ctx({ today: '2026-02-30' }), { kind: 'grant' }), RangeError);
  });
});

test('a reason or grounds holding NUL or another control character is refused in plain words, not stored', () => {
  const resign = decideStatusChange(ctx({ status: 'ACTV' }), { kind: 'resign', reason: 'Moved\u0000away' });
  assert.deepEqual(resign, {
    allowed: false,
    code: 'invalid-text',
    message:
      'The reason contains the character U+0000 at position 6, which the register cannot carry: remove it.',
  });
  const suspend = decideStatusChange(ctx({ status: 'ACTV' }), {
    ...validRequest('suspend'),
    grounds: 'Risk\u0007of harm',
  } as StatusChangeRequest);
  assert.equal(suspend.allowed, false);
  assert.equal(!suspend.allowed && suspend.code, 'invalid-text');
  // Tabs and line breaks are ordinary text.
  assert.equal(
    decideStatusChange(ctx({ status: 'ACTV' }), { kind: 'resign', reason: 'Moved\taway\r\nfor good' })
      .allowed,
    true,
  );
});
