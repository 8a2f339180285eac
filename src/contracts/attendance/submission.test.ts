import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ATTENDANCE_ERRORS } from './attendance-errors.ts';
import type { EnvelopeError, RecordError } from './attendance-errors.ts';
import { pupilYearGroups } from './nc-year-groups.ts';
import {
  MAX_LISTED_ERRORS,
  MAX_PUPIL_COUNT,
  SUBMISSION_RULES,
  parseSessionDate,
  parseUrn,
  validateSubmission,
} from './submission.ts';
import type { AttendanceSubmissionBody, SubmissionValidation } from './submission.ts';

// Tuesday 14 April 2026, 07:45 in London: the week after Easter. The window runs back to 31 March.
const RECEIVED = new Date('2026-04-14T07:45:00+01:00');
const TODAY = '2026-04-14';
const SCHOOLS = new Set([123456, 134646]);

type Loose = Record<string, unknown>;

function entry(
  ncYearGroup: unknown,
  date: unknown,
  schoolSession: unknown,
  marks: [unknown, unknown][],
): Loose {
  return {
    ncYearGroup,
    date,
    schoolSession,
    attendances: marks.map(([attendanceCode, value]) => ({ attendanceCode, value })),
  };
}

function body(submissionData: unknown[], extra: Loose = {}): Loose {
  return { urn: 123456, totalNoOfPupils: 412, submissionData, ...extra };
}

const GOOD_MARKS: [string, number][] = [
  ['/', 52],
  ['I', 3],
];

function validate(received: unknown, receivedAt = RECEIVED): SubmissionValidation {
  return validateSubmission(received, { receivedAt, urnExists: (urn) => SCHOOLS.has(urn) });
}

function accepted(result: SubmissionValidation): Extract<SubmissionValidation, { kind: 'accepted' }> {
  if (result.kind !== 'accepted') assert.fail(`expected accepted, got ${JSON.stringify(result)}`);
  return result;
}

function refused(result: SubmissionValidation): EnvelopeError {
  if (result.kind !== 'envelope-error')
    assert.fail(`expected an envelope error, got ${JSON.stringify(result)}`);
  return result.error;
}

/** [code, detail, path] of each error, for compact expectations. */
function brief(errors: RecordError[]): [string, string, string][] {
  return errors.map((error) => [error.code, error.detail, error.path]);
}

const INVALID_URN: EnvelopeError = {
  id: 'ERROR_INVALID_URN',
  code: 'VAL101',
  status: '400',
  title: 'Invalid URN',
  detail:
    'A Valid URN is required along with the submission. You can search here at https://get-information-schools.service.gov.uk/ to find the appropriate URN',
};

describe('a valid submission', () => {
  test("the contract's own example, received on its date, is accepted as sent", () => {
    const example: AttendanceSubmissionBody = {
      urn: 123456,
      totalNoOfPupils: 412,
      submissionData: [
        {
          ncYearGroup: 'R',
          date: '2020-10-20',
          schoolSession: 'AM',
          attendances: [
            { attendanceCode: '/', value: 52 },
            { attendanceCode: 'I', value: 3 },
          ],
        },
      ],
    };
    const result = accepted(validate(example, new Date('2020-10-20T08:00:00Z')));
    assert.deepEqual(result.errors, []);
    assert.deepEqual(result.rejectedEntries, []);
    assert.deepEqual(result.submission, {
      urn: 123456,
      totalNoOfPupils: 412,
      entries: [
        {
          index: 0,
          date: '2020-10-20',
          session: 'AM',
          ncYearGroup: 'R',
          attendances: [
            { code: '/', value: 52 },
            { code: 'I', value: 3 },
          ],
        },
      ],
    });
  });

  test('a date written YYYY-MM-DDT00:00:00 is read as the day', () => {
    const result = accepted(validate(body([entry('R', `${TODAY}T00:00:00`, 'PM', [['\\', 50]])])));
    assert.deepEqual(result.errors, []);
    assert.equal(result.submission.entries[0]?.date, TODAY);
  });

  test('an attendance value of 0 is valid, and an empty submissionData stores nothing', () => {
    assert.deepEqual(accepted(validate(body([entry('1', TODAY, 'AM', [['/', 0]])]))).errors, []);
    const empty = accepted(validate(body([])));
    assert.deepEqual(empty.errors, []);
    assert.deepEqual(empty.submission.entries, []);
  });

  test('unknown fields are ignored and null optional fields are absent', () => {
    const result = accepted(
      validate(
        body([{ ...entry('R', TODAY, 'AM', GOOD_MARKS), className: 'Owls' }], { enrolments: null, extra: 1 }),
      ),
    );
    assert.deepEqual(result.errors, []);
    assert.equal(result.submission.enrolments, undefined);
  });

  test('reports the window it applied', () => {
    assert.deepEqual(accepted(validate(body([]))).window, { today: TODAY, earliest: '2026-03-31' });
  });
});

describe('envelope errors (HTTP 400, nothing stored)', () => {
  test('a URN as a number or a string of 6 digits is accepted and looked up as a number', () => {
    const looked: number[] = [];
    const context = {
      receivedAt: RECEIVED,
      urnExists: (urn: number) => (looked.push(urn), SCHOOLS.has(urn)),
    };
    assert.equal(validateSubmission(body([], { urn: 123456 }), context).kind, 'accepted');
    assert.equal(validateSubmission(body([], { urn: '134646' }), context).kind, 'accepted');
    assert.deepEqual(looked, [123456, 134646]);
  });

  test('VAL101 for a URN that is missing or not 6 digits, with the 2020 wording', () => {
    for (const urn of [
      12345,
      '12345',
      1234567,
      '1234567',
      '012345',
      123456.5,
      '12345a',
      '',
      true,
      [123456],
    ]) {
      assert.deepEqual(refused(validate(body([], { urn }))), INVALID_URN, JSON.stringify(urn));
    }
  });

  test('VAL100 for a submission without a URN (or a null one), with the 2020 wording', () => {
    const { urn: _urn, ...noUrn } = body([]);
    const required: EnvelopeError = {
      id: 'ERROR_INVALID_URN',
      code: 'VAL100',
      status: '400',
      title: 'URN is required',
      detail: 'No URN was provided in the submission',
    };
    assert.deepEqual(refused(validate(noUrn)), required);
    assert.deepEqual(refused(validate(body([], { urn: null }))), required);
    // Before the check on submissionData, as every URN rule is.
    assert.deepEqual(refused(validate({ totalNoOfPupils: 3 })), required);
  });

  test('VAL102 for a URN not in the schools register, with the 2020 wording', () => {
    assert.deepEqual(refused(validate(body([], { urn: '700014' }))), {
      id: 'ERROR_INVALID_URN',
      code: 'VAL102',
      status: '400',
      title: 'URN not found',
      detail:
        'URN not found. You can search here at https://get-information-schools.service.gov.uk/ to find the appropriate URN',
    });
  });

  test('VAL118 for a body that is not a JSON object', () => {
    assert.deepEqual(refused(validate(null)), {
      id: 'ERROR_EMPTY_REQUEST_BODY',
      code: 'VAL118',
      status: '400',
      title: 'Empty request body',
      detail: 'Empty request body',
    });
    assert.equal(refused(validate(undefined)).code, 'VAL118');
    for (const received of [[], 'urn', 42]) {
      assert.equal(refused(validate(received)).detail, 'The request body is not a JSON object');
    }
  });

  test('VAL120 when submissionData is missing or not a list', () => {
    for (const submissionData of [undefined, null, {}, 'R']) {
      const error = refused(validate({ urn: 123456, totalNoOfPupils: 412, submissionData }));
      assert.deepEqual(
        [error.code, error.id, error.status],
        ['VAL120', 'ERROR_INVALID_SUBMISSION_DATA', '400'],
      );
    }
  });

  test('the first failing envelope rule wins: the URN before submissionData', () => {
    assert.equal(refused(validate({ urn: 5 })).code, 'VAL101');
    assert.equal(refused(validate({ urn: 700014 })).code, 'VAL102');
  });
});

describe("record errors: the 2020 API's acceptance scenarios", () => {
  const IN_2020 = new Date('2020-10-20T10:00:00+01:00');

  test('an invalid year group: VAL103 with the value and its path; the other entries are stored', () => {
    const result = accepted(
      validate(
        body([entry('R', '2020-10-20', 'AM', GOOD_MARKS), entry('T', '2020-10-20', 'AM', GOOD_MARKS)]),
        IN_2020,
      ),
    );
    assert.deepEqual(result.errors, [
      {
        id: 'FAILURE_INVALID_NCYEARGROUP_CODE',
        code: 'VAL103',
        status: '',
        title: 'Invalid NC Year Group Code',
        detail: 'T',
        path: '$.submissionData[1].ncYearGroup',
      },
    ]);
    assert.deepEqual(result.rejectedEntries, [1]);
    assert.deepEqual(
      result.submission.entries.map((stored) => stored.index),
      [0],
    );
  });

  test('K in 2020, before it existed: VAL104 at attendances[10]', () => {
    const marks: [string, number][] = ['/', 'L', 'B', 'C', 'E', 'G', 'I', 'M', 'N', 'O', 'K'].map((code) => [
      code,
      1,
    ]);
    const result = accepted(validate(body([entry('7', '2020-10-20', 'AM', marks)]), IN_2020));
    assert.deepEqual(result.errors, [
      {
        id: 'FAILURE_INVALID_ATTENDANCE_CODE',
        code: 'VAL104',
        status: '',
        title: 'Invalid Attendance Code',
        detail: 'K',
        path: '$.submissionData[0].attendances[10].attendanceCode',
      },
    ]);
    assert.deepEqual(result.submission.entries, []);
  });

  test('an invalid code and an invalid year group: both, in document order', () => {
    const result = accepted(
      validate(
        body([
          entry('R', '2020-10-20', 'AM', GOOD_MARKS),
          entry('1', '2020-10-20', 'AM', [
            ['/', 20],
            ['I', 1],
            ['ZZ', 2],
          ]),
          entry('15', '2020-10-20', 'AM', GOOD_MARKS),
        ]),
        IN_2020,
      ),
    );
    assert.deepEqual(
      result.errors.map((error) => [
        error.id,
        error.code,
        error.status,
        error.title,
        error.detail,
        error.path,
      ]),
      [
        [
          'FAILURE_INVALID_ATTENDANCE_CODE',
          'VAL104',
          '',
          'Invalid Attendance Code',
          'ZZ',
          '$.submissionData[1].attendances[2].attendanceCode',
        ],
        [
          'FAILURE_INVALID_NCYEARGROUP_CODE',
          'VAL103',
          '',
          'Invalid NC Year Group Code',
          '15',
          '$.submissionData[2].ncYearGroup',
        ],
      ],
    );
  });

  test('a negative value: VAL105 with the value as its detail', () => {
    const result = accepted(
      validate(
        body([
          entry('R', '2020-10-20', 'AM', [
            ['/', 52],
            ['I', -1],
          ]),
        ]),
        IN_2020,
      ),
    );
    assert.deepEqual(result.errors, [
      {
        id: 'FAILURE_INVALID_ATTENDANCE_VALUE',
        code: 'VAL105',
        status: '',
        title: 'Invalid Attendance Value',
        detail: '-1',
        path: '$.submissionData[0].attendances[1].value',
      },
    ]);
  });

  test('record errors have exactly the 2020 properties, in its order', () => {
    const [error] = accepted(validate(body([entry('M', TODAY, 'AM', GOOD_MARKS)]))).errors;
    assert.deepEqual(Object.keys(error ?? {}), ['id', 'code', 'status', 'title', 'detail', 'path']);
  });
});

describe('year groups and values', () => {
  test('M is a class year group, never a pupil’s: VAL103', () => {
    assert.deepEqual(brief(accepted(validate(body([entry('M', TODAY, 'AM', GOOD_MARKS)]))).errors), [
      ['VAL103', 'M', '$.submissionData[0].ncYearGroup'],
    ]);
  });

  test('a year group sent as a number or missing: VAL103 with the value as sent', () => {
    const { ncYearGroup: _ncYearGroup, ...noYearGroup } = entry('R', TODAY, 'AM', GOOD_MARKS);
    assert.deepEqual(
      brief(accepted(validate(body([entry(7, TODAY, 'AM', GOOD_MARKS), noYearGroup]))).errors),
      [
        ['VAL103', '7', '$.submissionData[0].ncYearGroup'],
        ['VAL103', '', '$.submissionData[1].ncYearGroup'],
      ],
    );
  });

  test('values that are not whole JSON numbers of 0 or more: VAL105', () => {
    const result = accepted(
      validate(
        body([
          entry('R', TODAY, 'AM', [
            ['/', 1.5],
            ['I', '3'],
            ['L', null],
            ['N', undefined],
            ['O', -3],
          ]),
        ]),
      ),
    );
    assert.deepEqual(brief(result.errors), [
      ['VAL105', '1.5', '$.submissionData[0].attendances[0].value'],
      ['VAL105', '3', '$.submissionData[0].attendances[1].value'],
      ['VAL105', 'null', '$.submissionData[0].attendances[2].value'],
      ['VAL105', '', '$.submissionData[0].attendances[3].value'],
      ['VAL105', '-3', '$.submissionData[0].attendances[4].value'],
    ]);
  });

  test('values too large for a count of pupils, written with an exponent, or as -0: VAL105', () => {
    const result = accepted(
      validate(
        body([
          entry('R', TODAY, 'AM', [
            ['/', 2 ** 31],
            ['I', 2 ** 31 - 1],
            ['L', MAX_PUPIL_COUNT + 1],
            ['N', Infinity],
            ['O', -0],
            ['B', 1e21],
          ]),
          entry('1', TODAY, 'AM', [['/', MAX_PUPIL_COUNT]]),
        ]),
      ),
    );
    assert.deepEqual(brief(result.errors), [
      ['VAL105', '2147483648', '$.submissionData[0].attendances[0].value'],
      ['VAL105', '2147483647', '$.submissionData[0].attendances[1].value'],
      ['VAL105', '100001', '$.submissionData[0].attendances[2].value'],
      ['VAL105', 'Infinity', '$.submissionData[0].attendances[3].value'],
      ['VAL105', '-0', '$.submissionData[0].attendances[4].value'],
      ['VAL105', '1e+21', '$.submissionData[0].attendances[5].value'],
    ]);
    assert.deepEqual(result.submission.entries[0]?.attendances, [{ code: '/', value: MAX_PUPIL_COUNT }]);
    // JSON.parse reads 1e400 as Infinity: refused the same.
    const parsed = JSON.parse('{"attendanceCode":"/","value":1e400}') as { value: number };
    assert.equal(parsed.value, Infinity);
  });

  test('a day of marks at the largest count still fits the integer totals it is stored in', () => {
    // The most a school-day can hold: both sessions of every pupil year group, each with as many
    // codes as the clean reader reads (255), each at the largest count.
    const most = 2 * pupilYearGroups().length * 255 * MAX_PUPIL_COUNT;
    assert.ok(most < 2 ** 31, `${most} does not fit a PostgreSQL integer`);
  });

  test('the same bound on pupils on roll and enrolments: VAL113, VAL114', () => {
    const result = accepted(
      validate(
        body([], {
          totalNoOfPupils: 2 ** 31,
          enrolments: [{ ncYearGroup: 'R', value: -0 }],
        }),
      ),
    );
    assert.deepEqual(brief(result.errors), [
      ['VAL113', '2147483648', '$.totalNoOfPupils'],
      ['VAL114', '-0', '$.enrolments[0].value'],
    ]);
  });

  test('control characters in a code or year group: VAL104 / VAL103, the detail written printable', () => {
    const result = accepted(
      validate(
        body([
          entry('R\u0000', TODAY, 'AM', [
            ['\u0000', 1],
            ['/\u001f\u007f\u0085', 2],
            ['\ud800', 3],
            ['😀\udc00', 4],
          ]),
        ]),
      ),
    );
    assert.deepEqual(brief(result.errors), [
      ['VAL103', 'R\\u0000', '$.submissionData[0].ncYearGroup'],
      ['VAL104', '\\u0000', '$.submissionData[0].attendances[0].attendanceCode'],
      ['VAL104', '/\\u001f\\u007f\\u0085', '$.submissionData[0].attendances[1].attendanceCode'],
      ['VAL104', '\\ud800', '$.submissionData[0].attendances[2].attendanceCode'],
      ['VAL104', '😀\\udc00', '$.submissionData[0].attendances[3].attendanceCode'],
    ]);
    // Every detail is well-formed text, as PostgreSQL's jsonb takes it.
    for (const error of result.errors) assert.doesNotMatch(error.detail, /[\p{Cc}\p{Cs}]/u);
  });

  test('a long value is never cut inside a character', () => {
    const [error] = accepted(
      validate(body([entry('R'.repeat(199) + '😀😀', TODAY, 'AM', GOOD_MARKS)])),
    ).errors;
    assert.equal(error?.detail, `${'R'.repeat(199)}…`);
  });

  test('codes are case-sensitive and must be strings', () => {
    assert.deepEqual(
      brief(
        accepted(
          validate(
            body([
              entry('R', TODAY, 'AM', [
                ['i', 1],
                [7, 1],
              ]),
            ]),
          ),
        ).errors,
      ),
      [
        ['VAL104', 'i', '$.submissionData[0].attendances[0].attendanceCode'],
        ['VAL104', '7', '$.submissionData[0].attendances[1].attendanceCode'],
      ],
    );
  });
});

describe('attendance codes by date', () => {
  // Tuesday 20 August 2024: the window runs back to Thursday 8 August, across the 2024 change.
  const AFTER_CHANGE = new Date('2024-08-20T08:00:00+01:00');

  test('K is refused before 19 August 2024 and accepted from it; H the other way round', () => {
    const result = accepted(
      validate(
        body([
          entry('9', '2024-08-16', 'AM', [
            ['K', 1],
            ['H', 2],
          ]),
          entry('9', '2024-08-19', 'AM', [
            ['K', 1],
            ['H', 2],
          ]),
          entry('9', '2024-08-19', 'PM', [
            ['K', 1],
            ['J1', 1],
          ]),
        ]),
        AFTER_CHANGE,
      ),
    );
    assert.deepEqual(brief(result.errors), [
      ['VAL104', 'K', '$.submissionData[0].attendances[0].attendanceCode'],
      ['VAL104', 'H', '$.submissionData[1].attendances[1].attendanceCode'],
    ]);
    assert.deepEqual(
      result.submission.entries.map((stored) => stored.index),
      [2],
    );
  });

  test('with an unreadable date, only codes valid on no date are reported', () => {
    const result = accepted(
      validate(
        body([
          entry('R', 'yesterday', 'AM', [
            ['H', 1],
            ['K', 1],
            ['ZZ', 1],
          ]),
        ]),
      ),
    );
    assert.deepEqual(brief(result.errors), [
      ['VAL106', 'yesterday', '$.submissionData[0].date'],
      ['VAL104', 'ZZ', '$.submissionData[0].attendances[2].attendanceCode'],
    ]);
  });
});

describe('dates and the 8-working-day window', () => {
  test('malformed dates: VAL106', () => {
    const dates: unknown[] = [
      '2026-04-14T10:00:00',
      '2026-04-14T00:00:00Z',
      '14/04/2026',
      '2026-4-14',
      '2026-02-30',
      20260414,
      null,
    ];
    const result = accepted(validate(body(dates.map((date) => entry('R', date, 'AM', GOOD_MARKS)))));
    assert.deepEqual(
      brief(result.errors),
      dates.map((date, i) => [
        'VAL106',
        date === null ? 'null' : String(date),
        `$.submissionData[${i}].date`,
      ]),
    );
    assert.deepEqual(result.submission.entries, []);
  });

  test('across Easter 2026: from Tuesday 31 March to the day of receipt, bank holidays skipped', () => {
    const dates = ['2026-03-30', '2026-03-31', '2026-04-02', '2026-04-03', '2026-04-13', TODAY, '2026-04-15'];
    const result = accepted(validate(body(dates.map((date) => entry('R', date, 'AM', GOOD_MARKS)))));
    assert.deepEqual(brief(result.errors), [
      ['VAL108', '2026-03-30', '$.submissionData[0].date'],
      ['VAL107', '2026-04-15', '$.submissionData[6].date'],
    ]);
    // A session held on Good Friday is within the window, so it is stored.
    assert.deepEqual(
      result.submission.entries.map((stored) => stored.date),
      ['2026-03-31', '2026-04-02', '2026-04-03', '2026-04-13', TODAY],
    );
    const [tooOld, future] = result.errors;
    assert.equal(tooOld?.id, 'FAILURE_DATE_OUTSIDE_WINDOW');
    assert.equal(future?.id, 'FAILURE_FUTURE_DATE');
  });

  test('without Easter the same send would stop at Thursday 2 April: the bank holidays count', () => {
    // Tuesday 21 April 2026: 8 working days back is Thursday 9 April.
    const result = accepted(
      validate(
        body([entry('R', '2026-04-08', 'AM', GOOD_MARKS), entry('R', '2026-04-09', 'AM', GOOD_MARKS)]),
        new Date('2026-04-21T08:00:00+01:00'),
      ),
    );
    assert.deepEqual(brief(result.errors), [['VAL108', '2026-04-08', '$.submissionData[0].date']]);
  });

  test('"today" is the London date of receipt: just after midnight BST it is already the next day', () => {
    const justAfterMidnight = new Date('2026-04-14T23:15:00Z'); // 00:15 on 15 April in London
    assert.deepEqual(
      accepted(validate(body([entry('R', '2026-04-15', 'AM', GOOD_MARKS)]), justAfterMidnight)).errors,
      [],
    );
  });
});

describe('school sessions', () => {
  test('anything but AM or PM: VAL109', () => {
    const sessions: unknown[] = ['am', 'Morning', 'AMPM', 1, undefined];
    const result = accepted(
      validate(body(sessions.map((session) => entry('R', TODAY, session, GOOD_MARKS)))),
    );
    assert.deepEqual(
      brief(result.errors),
      sessions.map((session, i) => [
        'VAL109',
        session === undefined ? '' : String(session),
        `$.submissionData[${i}].schoolSession`,
      ]),
    );
  });
});

describe('duplicates', () => {
  test('the same date, session and year group twice: VAL110 on each, neither stored', () => {
    const result = accepted(
      validate(
        body([
          entry('R', TODAY, 'AM', GOOD_MARKS),
          entry('R', TODAY, 'PM', GOOD_MARKS),
          entry('R', `${TODAY}T00:00:00`, 'AM', GOOD_MARKS),
          entry('1', TODAY, 'AM', GOOD_MARKS),
        ]),
      ),
    );
    assert.deepEqual(
      result.errors.map((error) => [error.code, error.id, error.title, error.detail, error.path]),
      [
        [
          'VAL110',
          'FAILURE_DUPLICATE_SUBMISSION_DATA',
          'Duplicate Date, School Session and NC Year Group',
          `${TODAY} AM R`,
          '$.submissionData[0]',
        ],
        [
          'VAL110',
          'FAILURE_DUPLICATE_SUBMISSION_DATA',
          'Duplicate Date, School Session and NC Year Group',
          `${TODAY} AM R`,
          '$.submissionData[2]',
        ],
      ],
    );
    assert.deepEqual(result.rejectedEntries, [0, 2]);
    assert.deepEqual(
      result.submission.entries.map((stored) => stored.index),
      [1, 3],
    );
  });

  test('the same code twice in one entry: VAL111 on the repeat, the entry not stored', () => {
    const result = accepted(
      validate(
        body([
          entry('R', TODAY, 'AM', [
            ['/', 50],
            ['I', 2],
            ['/', 3],
          ]),
        ]),
      ),
    );
    assert.deepEqual(brief(result.errors), [
      ['VAL111', '/', '$.submissionData[0].attendances[2].attendanceCode'],
    ]);
    assert.equal(result.errors[0]?.id, 'FAILURE_DUPLICATE_ATTENDANCE_CODE');
    assert.deepEqual(result.submission.entries, []);
  });
});

describe('pupils on roll, enrolments and totals', () => {
  const enrolments = [
    { ncYearGroup: 'R', value: 55 },
    { ncYearGroup: '1', value: 357 },
  ];

  test('enrolments that add up are stored; the day’s entries that match them pass', () => {
    const result = accepted(validate(body([entry('R', TODAY, 'AM', GOOD_MARKS)], { enrolments })));
    assert.deepEqual(result.errors, []);
    assert.deepEqual(result.submission.enrolments, enrolments);
    assert.equal(result.submission.totalNoOfPupils, 412);
  });

  test("today's marks that do not add up to the enrolment: VAL112 with their total", () => {
    const result = accepted(
      validate(
        body(
          [
            entry('R', TODAY, 'AM', [
              ['/', 52],
              ['I', 2],
            ]),
            entry('R', '2026-04-13', 'AM', [['/', 40]]), // an earlier day: enrolment may have changed since
            entry('2', TODAY, 'AM', [['/', 40]]), // a year group not in enrolments: not checked
          ],
          { enrolments },
        ),
      ),
    );
    assert.deepEqual(
      result.errors.map((error) => [error.code, error.id, error.detail, error.path]),
      [['VAL112', 'FAILURE_ATTENDANCE_TOTAL_MISMATCH', '54', '$.submissionData[0].attendances']],
    );
    assert.deepEqual(
      result.submission.entries.map((stored) => stored.index),
      [1, 2],
    );
  });

  test('not-counted codes are marks too: they count towards the total', () => {
    const marks: [string, number][] = [
      ['/', 50],
      ['X', 3],
      ['#', 2],
    ];
    assert.deepEqual(accepted(validate(body([entry('R', TODAY, 'AM', marks)], { enrolments }))).errors, []);
  });

  test('enrolments that do not add up to totalNoOfPupils: VAL116, not stored, totals not checked', () => {
    const result = accepted(
      validate(body([entry('R', TODAY, 'AM', [['/', 1]])], { totalNoOfPupils: 400, enrolments })),
    );
    assert.deepEqual(
      result.errors.map((error) => [error.code, error.id, error.detail, error.path]),
      [['VAL116', 'FAILURE_ENROLMENT_TOTAL_MISMATCH', '412', '$.enrolments']],
    );
    assert.equal(result.submission.enrolments, undefined);
    assert.equal(result.submission.totalNoOfPupils, 400);
    assert.equal(result.submission.entries.length, 1);
  });

  test('bad enrolments: VAL114, VAL103 and VAL115', () => {
    const result = accepted(
      validate(
        body([entry('R', TODAY, 'AM', [['/', 1]])], {
          enrolments: [
            { ncYearGroup: 'R', value: 55 },
            { ncYearGroup: 'M', value: 10 },
            { ncYearGroup: '1', value: -1 },
            'Year 2',
            { ncYearGroup: 'R', value: 5 },
          ],
        }),
      ),
    );
    assert.deepEqual(brief(result.errors), [
      ['VAL103', 'M', '$.enrolments[1].ncYearGroup'],
      ['VAL114', '-1', '$.enrolments[2].value'],
      ['VAL114', 'Year 2', '$.enrolments[3]'],
      ['VAL115', 'R', '$.enrolments[4].ncYearGroup'],
    ]);
    assert.equal(result.submission.enrolments, undefined);
    // The entry is not held back by the enrolments, and not checked against them.
    assert.equal(result.submission.entries.length, 1);
  });

  test('enrolments that are not a list: VAL114; an empty list is as good as none', () => {
    assert.deepEqual(brief(accepted(validate(body([], { enrolments: { R: 55 } }))).errors), [
      ['VAL114', '{"R":55}', '$.enrolments'],
    ]);
    const none = accepted(validate(body([entry('R', TODAY, 'AM', [['/', 1]])], { enrolments: [] })));
    assert.deepEqual(none.errors, []);
    assert.equal(none.submission.enrolments, undefined);
  });

  test('totalNoOfPupils missing or not a count: VAL113; the entries are still stored', () => {
    for (const [totalNoOfPupils, detail] of [
      [undefined, ''],
      ['412', '412'],
      [-1, '-1'],
      [41.2, '41.2'],
    ] as const) {
      const result = accepted(validate(body([entry('R', TODAY, 'AM', GOOD_MARKS)], { totalNoOfPupils })));
      assert.deepEqual(brief(result.errors), [['VAL113', detail, '$.totalNoOfPupils']]);
      assert.equal(result.errors[0]?.id, 'FAILURE_INVALID_NO_OF_PUPILS');
      assert.equal(result.submission.totalNoOfPupils, undefined);
      assert.equal(result.submission.entries.length, 1);
    }
  });
});

describe('malformed entries', () => {
  test('VAL117 for an entry, attendances or attendance that has the wrong shape', () => {
    const { attendances: _attendances, ...noAttendances } = entry('1', TODAY, 'AM', []);
    const result = accepted(
      validate(
        body([
          'R AM 52',
          noAttendances,
          { ...entry('2', TODAY, 'AM', []), attendances: { '/': 52 } },
          { ...entry('3', TODAY, 'AM', []), attendances: [{ attendanceCode: '/', value: 52 }, 5] },
          entry('4', TODAY, 'AM', GOOD_MARKS),
        ]),
      ),
    );
    assert.deepEqual(brief(result.errors), [
      ['VAL117', 'R AM 52', '$.submissionData[0]'],
      ['VAL117', '', '$.submissionData[1].attendances'],
      ['VAL117', '{"/":52}', '$.submissionData[2].attendances'],
      ['VAL117', '5', '$.submissionData[3].attendances[1]'],
    ]);
    assert.equal(result.errors[0]?.title, 'Invalid Submission Data');
    assert.deepEqual(
      result.submission.entries.map((stored) => stored.index),
      [4],
    );
  });

  test('a value nested 100,000 deep: VAL117, its detail cut short, no stack overflow', () => {
    let deep: unknown = [];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const result = accepted(
      validate(body([deep, entry('R', TODAY, 'AM', GOOD_MARKS)], { totalNoOfPupils: { deep } })),
    );
    assert.deepEqual(
      result.errors.map((error) => [error.code, error.path, error.detail.length]),
      [
        ['VAL113', '$.totalNoOfPupils', 201],
        ['VAL117', '$.submissionData[0]', 201],
      ],
    );
    assert.equal(result.errors[1]?.detail, `${'['.repeat(200)}…`);
    assert.equal(result.submission.entries.length, 1);
  });

  test('a bad value that is a list or object is written as JSON', () => {
    const result = accepted(
      validate(body([[1, 'x', null, { b: true }], []], { totalNoOfPupils: { a: [], 'c"': {} } })),
    );
    assert.deepEqual(
      result.errors.map((error) => error.detail),
      ['{"a":[],"c\\"":{}}', '[1,"x",null,{"b":true}]', '[]'],
    );
  });

  test('a long bad value is cut short in the detail', () => {
    const [error] = accepted(validate(body([entry('R'.repeat(5000), TODAY, 'AM', GOOD_MARKS)]))).errors;
    assert.equal(error?.detail.length, 201);
    assert.ok(error?.detail.endsWith('…'));
  });
});

describe('every bad item, in document order', () => {
  test('errors follow the order of the body, whatever order the rules run in', () => {
    const result = accepted(
      validate(
        body([
          entry('T', '2026-13-01', 'Noon', [
            ['ZZ', -1],
            ['/', 2],
          ]),
          // The same mistakes, properties in another order.
          {
            attendances: [{ value: -1, attendanceCode: 'ZZ' }],
            schoolSession: 'Noon',
            date: '2026-13-01',
            ncYearGroup: 'T',
          },
        ]),
      ),
    );
    assert.deepEqual(brief(result.errors), [
      ['VAL103', 'T', '$.submissionData[0].ncYearGroup'],
      ['VAL106', '2026-13-01', '$.submissionData[0].date'],
      ['VAL109', 'Noon', '$.submissionData[0].schoolSession'],
      ['VAL104', 'ZZ', '$.submissionData[0].attendances[0].attendanceCode'],
      ['VAL105', '-1', '$.submissionData[0].attendances[0].value'],
      ['VAL105', '-1', '$.submissionData[1].attendances[0].value'],
      ['VAL104', 'ZZ', '$.submissionData[1].attendances[0].attendanceCode'],
      ['VAL109', 'Noon', '$.submissionData[1].schoolSession'],
      ['VAL106', '2026-13-01', '$.submissionData[1].date'],
      ['VAL103', 'T', '$.submissionData[1].ncYearGroup'],
    ]);
  });

  test('top-level record errors take their place among the entries', () => {
    const result = accepted(
      validate({
        urn: 123456,
        submissionData: [entry('T', TODAY, 'AM', GOOD_MARKS)],
        totalNoOfPupils: 'many',
      }),
    );
    assert.deepEqual(
      result.errors.map((error) => error.path),
      ['$.submissionData[0].ncYearGroup', '$.totalNoOfPupils'],
    );
  });
});

describe('a body with more bad items than an answer lists', () => {
  test(`the first ${MAX_LISTED_ERRORS} in document order are listed, and how many more there were`, () => {
    // 750 entries, each with a bad year group and a bad value: two rules, interleaved in the body.
    const entries = Array.from({ length: 750 }, () => entry('T', TODAY, 'AM', [['/', -1]]));
    const result = accepted(validate(body(entries)));
    assert.equal(result.errors.length, MAX_LISTED_ERRORS);
    assert.equal(result.errorsNotListed, 1500 - MAX_LISTED_ERRORS);
    const expected = Array.from({ length: 500 }, (_, i) => [
      ['VAL103', 'T', `$.submissionData[${i}].ncYearGroup`],
      ['VAL105', '-1', `$.submissionData[${i}].attendances[0].value`],
    ]).flat();
    assert.deepEqual(brief(result.errors), expected);
    // Every bad entry is still refused, listed or not.
    assert.equal(result.rejectedEntries.length, 750);
    assert.deepEqual(result.rejectedEntries.slice(0, 3), [0, 1, 2]);
  });

  test('300,000 bad marks: the answer lists 1,000 and counts the rest', () => {
    const marks = Array.from({ length: 300_000 }, () => 5);
    const result = accepted(
      validate(body([{ ncYearGroup: 'R', date: TODAY, schoolSession: 'AM', attendances: marks }])),
    );
    assert.equal(result.errors.length, MAX_LISTED_ERRORS);
    assert.equal(result.errorsNotListed, 300_000 - MAX_LISTED_ERRORS);
    assert.equal(result.errors.at(-1)?.path, '$.submissionData[0].attendances[999]');
    assert.ok(JSON.stringify(result.errors).length < 200_000);
  });

  test('when every error is listed, none is said to be missing', () => {
    assert.equal(accepted(validate(body([entry('T', TODAY, 'AM', GOOD_MARKS)]))).errorsNotListed, 0);
  });
});

describe('the rules and the table', () => {
  test('every rule cites a code in the table, and no code has two rules', () => {
    const codes = SUBMISSION_RULES.map((rule) => rule.code);
    for (const code of codes) assert.ok(code in ATTENDANCE_ERRORS, code);
    assert.equal(new Set(codes).size, codes.length);
    // VAL119 (content type) is checked before the body is read: request-body.ts. From VAL121 on,
    // the codes belong to the API around the body (consent, idempotency, look-ups), not to it.
    assert.deepEqual(
      Object.keys(ATTENDANCE_ERRORS).filter(
        (code) => code <= 'VAL120' && !codes.some((cited) => cited === code),
      ),
      ['VAL119'],
    );
  });

  test('rules have names in the domain’s words', () => {
    const names = SUBMISSION_RULES.map((rule) => rule.name);
    assert.ok(names.includes('urnIsSixDigits'));
    assert.ok(names.includes('attendanceCodesAreValidOnTheDate'));
    assert.ok(names.every((name) => /^[a-z][A-Za-z]+$/.test(name)));
  });
});

describe('parseUrn and parseSessionDate', () => {
  test('parseUrn', () => {
    assert.equal(parseUrn(123456), 123456);
    assert.equal(parseUrn('999999'), 999999);
    for (const urn of [99999, 1000000, '12345', ' 123456', '123456 ', 'abcdef', undefined]) {
      assert.equal(parseUrn(urn), undefined, String(urn));
    }
  });

  test('parseSessionDate', () => {
    assert.equal(parseSessionDate('2026-04-14'), '2026-04-14');
    assert.equal(parseSessionDate('2026-04-14T00:00:00'), '2026-04-14');
    assert.equal(parseSessionDate('2024-02-29T00:00:00'), '2024-02-29');
    for (const date of ['2026-04-14T00:00:01', '2026-04-14 ', '2025-02-29', 20260414]) {
      assert.equal(parseSessionDate(date), undefined, String(date));
    }
  });
});
