import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatCsvProblem,
  readCalendarCsv,
  readEnrolmentsCsv,
  readMarksCsv,
  readPupilsCsv,
  readSchoolCsvs,
  type CsvResult,
  type SchoolFiles,
} from './school-csv.ts';
import { generateSchool, type SyntheticSchool } from './synthetic-school.ts';

function problems<T>(result: CsvResult<T>): string[] {
  assert.equal(result.ok, false, 'expected the file to be refused');
  return result.ok ? [] : result.problems.map(formatCsvProblem);
}

function records<T>(result: CsvResult<T>): T {
  if (!result.ok) assert.fail(result.problems.map(formatCsvProblem).join('\n'));
  return result.records;
}

const CALENDAR = [
  'kind,start_date,end_date,session,name',
  'term,2026-09-01,2026-10-23,,Autumn 1',
  'term,2026-11-02,2026-12-18,,Autumn 2',
  'inset,2026-09-01,2026-09-02,,',
  'closure,2026-11-19,,,Heating failure',
  'closure,18/12/2026,,PM,Early finish',
].join('\n');

describe('the school CSV files', () => {
  test('pupils: read whole, with a byte-order mark and UK dates', () => {
    const pupils = records(
      readPupilsCsv(
        '\uFEFFpupil_id,upn,forename,surname,date_of_birth\r\nP1,B801200005001,Ada,"Lovelace, Byron",10/12/2014\r\n',
        'pupils.csv',
      ),
    );
    assert.deepEqual(pupils, [
      {
        id: 'P1',
        upn: 'B801200005001',
        forename: 'Ada',
        surname: 'Lovelace, Byron',
        dateOfBirth: '2014-12-10',
      },
    ]);
  });

  test('every problem names the file and the line the row starts on, and nothing is read', () => {
    const text = [
      'pupil_id,upn,forename,surname,date_of_birth',
      'P1,B801200005001,Ada,"Lovelace',
      'Byron",2014-12-10',
      'P1,A801200005001,Grace,Hopper,2014-02-30',
      'P3,B801200005001,,Turing,2015-06-23',
    ].join('\n');
    assert.deepEqual(problems(readPupilsCsv(text, 'pupils.csv')), [
      'pupils.csv:4: date_of_birth: not a date (YYYY-MM-DD): 2014-02-30',
      'pupils.csv:4: pupil_id: P1 is already on line 2',
      'pupils.csv:4: upn: not a valid UPN (a check letter and 12 digits): A801200005001',
      'pupils.csv:5: forename: required',
      'pupils.csv:5: upn: B801200005001 is already on line 2',
    ]);
  });

  test('a header that is not right is reported before any row is read', () => {
    assert.deepEqual(problems(readPupilsCsv('pupil_id,UPN,forename,surname,dob\nP1,x,y,z,w\n', 'p.csv')), [
      "p.csv:1: unknown column 'dob'",
      "p.csv:1: missing column 'date_of_birth'",
    ]);
    assert.deepEqual(problems(readPupilsCsv('', 'p.csv')), [
      'p.csv:1: empty file: expected a header row with pupil_id, upn, forename, surname, date_of_birth',
    ]);
    assert.deepEqual(
      problems(readPupilsCsv('pupil_id,upn,forename,surname,date_of_birth\n"P1,x\n', 'p.csv')).length,
      1,
    );
  });

  test('enrolments: rows of one enrolment give its year groups over time', () => {
    const enrolments = records(
      readEnrolmentsCsv(
        [
          'pupil_id,admission_date,leaving_date,nc_year_group,year_group_from',
          'P1,2025-09-03,,8,',
          'P1,2025-09-03,,7,2026-01-05',
          'P2,2025-09-03,2026-03-31,9,',
        ].join('\n'),
        'enrolments.csv',
      ),
    );
    assert.deepEqual(enrolments, [
      {
        pupilId: 'P1',
        admitted: '2025-09-03',
        yearGroups: [
          { from: '2025-09-03', ncYearGroup: '8' },
          { from: '2026-01-05', ncYearGroup: '7' },
        ],
      },
      {
        pupilId: 'P2',
        admitted: '2025-09-03',
        left: '2026-03-31',
        yearGroups: [{ from: '2025-09-03', ncYearGroup: '9' }],
      },
    ]);
    assert.deepEqual(
      problems(
        readEnrolmentsCsv(
          [
            'pupil_id,admission_date,leaving_date,nc_year_group,year_group_from',
            'P1,2025-09-03,2025-08-01,M,',
            'P2,2025-09-03,,7,',
            'P2,2026-01-05,,7,',
          ].join('\n'),
          'enrolments.csv',
        ),
      ),
      [
        "enrolments.csv:2: nc_year_group: not a pupil's NC year group (E1 E2 N1 N2 R 1–14 X): M",
        'enrolments.csv:2: leaving_date 2025-08-01 is before admission_date 2025-09-03',
        'enrolments.csv:2: year_group_from 2025-09-03 is outside the enrolment (2025-09-03 to 2025-08-01)',
        'enrolments.csv:4: pupil P2 is still on roll from line 3',
      ],
    );
  });

  test('marks: each row a change, put in order of time; the history must chain', () => {
    const header = 'pupil_id,date,session,code,previous_code,changed_by,changed_at';
    const marks = records(
      readMarksCsv(
        [
          header,
          'P1,2026-11-10,AM,I,N,office,2026-11-12T14:30:00Z',
          'P1,2026-11-10,AM,N,,teacher,2026-11-10T08:50:00+00:00',
        ].join('\n'),
        'marks.csv',
      ),
    );
    assert.deepEqual(marks, [
      {
        pupilId: 'P1',
        date: '2026-11-10',
        session: 'AM',
        code: 'I',
        history: [
          { by: 'teacher', at: '2026-11-10T08:50:00.000Z', from: null, to: 'N' },
          { by: 'office', at: '2026-11-12T14:30:00.000Z', from: 'N', to: 'I' },
        ],
      },
    ]);
    assert.deepEqual(
      problems(
        readMarksCsv(
          [
            header,
            'P1,2026-11-10,AM,N,,teacher,2026-11-10T08:50:00Z',
            'P1,2026-11-10,AM,I,O,office,2026-11-12T14:30:00Z',
            'P2,2026-11-10,EVE,H,,teacher,yesterday',
            'P3,2026-11-10,PM,ZZ,,teacher,2026-11-10T13:15:00Z',
          ].join('\n'),
          'marks.csv',
        ),
      ),
      [
        'marks.csv:4: session: must be AM or PM, not "EVE"',
        'marks.csv:4: code: H is not valid on 2026-11-10',
        'marks.csv:4: changed_at: not a date and time with its offset (2026-11-12T08:50:00Z): yesterday',
        'marks.csv:5: code: not an attendance code: "ZZ"',
        'marks.csv:3: previous_code: O is not the code before this change (N, line 2)',
      ],
    );
  });

  test('calendar: terms, INSET days over a range, whole-day and half-day closures; overlaps named', () => {
    const calendar = records(readCalendarCsv(CALENDAR, 'calendar.csv'));
    assert.equal(calendar.terms.length, 2);
    assert.deepEqual(calendar.insetDays, ['2026-09-01', '2026-09-02']);
    assert.deepEqual(calendar.closures, [
      { date: '2026-11-19', reason: 'Heating failure' },
      { date: '2026-12-18', session: 'PM', reason: 'Early finish' },
    ]);
    assert.deepEqual(
      problems(
        readCalendarCsv(
          `${CALENDAR}\nterm,2026-10-19,2026-10-30,,Extra\nholiday,2026-10-26,,,`,
          'calendar.csv',
        ),
      ),
      [
        'calendar.csv:8: kind: must be term, inset or closure, not "holiday"',
        'calendar.csv:7: term Extra overlaps term Autumn 1',
      ],
    );
    assert.deepEqual(
      problems(readCalendarCsv(`${CALENDAR}\nclosure,2026-11-20,9999-12-31,,Typo`, 'calendar.csv')),
      ['calendar.csv:7: 2026-11-20 to 9999-12-31 is longer than a year'],
    );
  });

  test('the four files together: marks of unknown pupils, pupils not on roll and days the school was shut are refused', () => {
    const files: SchoolFiles = {
      pupils: {
        file: 'pupils.csv',
        text: 'pupil_id,upn,forename,surname,date_of_birth\nP1,B801200005001,Ada,Lovelace,2014-12-10\n',
      },
      enrolments: {
        file: 'enrolments.csv',
        text: 'pupil_id,admission_date,leaving_date,nc_year_group,year_group_from\nP1,2026-11-03,,7,\n',
      },
      marks: {
        file: 'marks.csv',
        text: [
          'pupil_id,date,session,code,previous_code,changed_by,changed_at',
          'P1,2026-11-03,AM,/,,t,2026-11-03T08:50:00Z',
          'P9,2026-11-03,AM,/,,t,2026-11-03T08:50:00Z',
          'P1,2026-11-02,AM,/,,t,2026-11-02T08:50:00Z',
          'P1,2026-11-19,AM,/,,t,2026-11-19T08:50:00Z',
          'P1,2026-12-18,PM,\\,,t,2026-12-18T13:15:00Z',
        ].join('\n'),
      },
      calendar: { file: 'calendar.csv', text: CALENDAR },
    };
    assert.deepEqual(problems(readSchoolCsvs(files)), [
      'marks.csv:3: pupil_id: P9 is not in pupils.csv',
      'marks.csv:4: pupil P1 is not on roll on 2026-11-02',
      "marks.csv:5: 2026-11-19 AM is not a session of the school's calendar",
      "marks.csv:6: 2026-12-18 PM is not a session of the school's calendar",
    ]);
  });

  test('a generated school written in these formats reads back the same', () => {
    const school = generateSchool({
      seed: 5,
      phase: 'primary',
      pupils: 40,
      today: '2026-11-20',
      marksFrom: '2026-11-09',
    });
    const read = records(readSchoolCsvs(toCsv(school)));
    assert.deepEqual(read, {
      pupils: school.pupils,
      enrolments: school.enrolments,
      marks: school.marks,
      calendar: school.calendar,
    });
  });
});

/** The generated school as the four files, as docs/school-csv.md describes them. */
function toCsv(school: SyntheticSchool): SchoolFiles {
  const lines = (header: string, rows: string[][]) =>
    [header, ...rows.map((row) => row.join(','))].join('\r\n');
  return {
    pupils: {
      file: 'pupils.csv',
      text: lines(
        'pupil_id,upn,forename,surname,date_of_birth',
        school.pupils.map((p) => [p.id, p.upn, p.forename, p.surname, p.dateOfBirth]),
      ),
    },
    enrolments: {
      file: 'enrolments.csv',
      text: lines(
        'pupil_id,admission_date,leaving_date,nc_year_group,year_group_from',
        school.enrolments.flatMap((e) =>
          e.yearGroups.map((g) => [e.pupilId, e.admitted, e.left ?? '', g.ncYearGroup, g.from]),
        ),
      ),
    },
    marks: {
      file: 'marks.csv',
      text: lines(
        'pupil_id,date,session,code,previous_code,changed_by,changed_at',
        school.marks.flatMap((m) =>
          m.history.map((c) => [
            m.pupilId,
            m.date,
            m.session,
            c.to === '\\' ? '\\' : c.to,
            c.from ?? '',
            c.by,
            c.at,
          ]),
        ),
      ),
    },
    calendar: {
      file: 'calendar.csv',
      text: lines('kind,start_date,end_date,session,name', [
        ...school.calendar.terms.map((t) => ['term', t.start, t.end, '', t.name]),
        ...school.calendar.insetDays.map((d) => ['inset', d, '', '', '']),
        ...school.calendar.closures.map((c) => ['closure', c.date, '', c.session ?? '', c.reason]),
      ]),
    },
  };
}
