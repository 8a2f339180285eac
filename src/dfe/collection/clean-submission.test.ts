import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { prng } from '../schools/synthetic-schools.ts';
import { readCleanSubmission, type CleanSubmission } from './clean-submission.ts';
import { schoolDaysOf } from './school-day.ts';
import { bodyIsJson } from './request-body.ts';
import {
  MAX_PUPIL_COUNT,
  validateSubmission,
  type ValidationContext,
} from '../../contracts/attendance/submission.ts';
import { PRIMARY_YEAR_GROUPS, SECONDARY_YEAR_GROUPS, syntheticSubmission } from './synthetic-submission.ts';

const REF = '0b6c7d8e-1f2a-4b3c-9d4e-5f6a7b8c9d0e';
// A Friday: the window runs from Tuesday 10 November.
const CONTEXT: ValidationContext = { receivedAt: new Date('2026-11-20T09:30:00Z'), urnExists: () => true };
const DATES = [
  '2026-11-11',
  '2026-11-12',
  '2026-11-13',
  '2026-11-16',
  '2026-11-17',
  '2026-11-18',
  '2026-11-19',
  '2026-11-20',
];

/** What the general way makes of a body: a reading when it is accepted with no error, else undefined. */
function generalReading(text: string, context = CONTEXT): CleanSubmission | undefined {
  // As the API reads it: bodyIsJson, then validateSubmission.
  const read = bodyIsJson(Buffer.from(text));
  if (!read.ok) return undefined;
  const validation = validateSubmission(read.body, context);
  if (validation.kind !== 'accepted' || validation.errors.length > 0) return undefined;
  return {
    urn: validation.submission.urn,
    entriesReceived: validation.submission.entries.length,
    days: schoolDaysOf(validation.submission.entries, REF, context.receivedAt),
  };
}

/**
 * Reads `text` both ways. The clean reader may decline anything; whatever it reads must be what the
 * general way gives. Returns whether it read the body.
 */
function readsLikeTheGeneralWay(text: string, message?: string, context = CONTEXT): boolean {
  const clean = readCleanSubmission(Buffer.from(text), context, REF);
  if (clean === undefined) return false;
  const general = generalReading(text, context);
  assert.ok(general, `read a body the general way refuses or reports: ${message ?? text.slice(0, 300)}`);
  assert.deepEqual(clean, general, message);
  return true;
}

function body(options: Partial<Parameters<typeof syntheticSubmission>[0]> = {}): Record<string, unknown> {
  return syntheticSubmission({
    urn: 123456,
    dates: DATES,
    yearGroups: SECONDARY_YEAR_GROUPS,
    pupilsPerYearGroup: 150,
    seed: 7,
    ...options,
  }) as unknown as Record<string, unknown>;
}

type Entry = {
  ncYearGroup: string;
  date: string;
  schoolSession: string;
  attendances: Record<string, unknown>[];
};
const entriesOf = (document: Record<string, unknown>) => document.submissionData as Entry[];

describe('readCleanSubmission reads the usual body as the general way does', () => {
  test('a large secondary school’s eight days, as MIS send them', () => {
    assert.ok(readsLikeTheGeneralWay(JSON.stringify(body())));
  });

  test('a body lying inside a larger buffer, at an odd offset, as received bodies may', () => {
    const text = JSON.stringify(body());
    const bytes = Buffer.from(text);
    const larger = Buffer.alloc(bytes.length + 10, 0x7b);
    bytes.copy(larger, 3);
    const inside = larger.subarray(3, 3 + bytes.length);
    assert.deepEqual(readCleanSubmission(inside, CONTEXT, REF), generalReading(text));
    // Cut short anywhere in its last mark, it is not read (and nothing past its end is looked at).
    const lastMark = text.lastIndexOf('{"attendanceCode"');
    for (let end = lastMark; end < text.length; end++)
      assert.equal(readCleanSubmission(larger.subarray(3, 3 + end), CONTEXT, REF), undefined);
  });

  test('a primary school, without enrolments, with null or empty enrolments, the URN as a string', () => {
    const primary = body({ yearGroups: PRIMARY_YEAR_GROUPS, pupilsPerYearGroup: 28, urn: 654321 });
    assert.ok(readsLikeTheGeneralWay(JSON.stringify(primary)));
    assert.ok(readsLikeTheGeneralWay(JSON.stringify({ ...primary, enrolments: undefined })));
    assert.ok(readsLikeTheGeneralWay(JSON.stringify({ ...primary, enrolments: null })));
    assert.ok(readsLikeTheGeneralWay(JSON.stringify({ ...primary, enrolments: [] })));
    assert.ok(readsLikeTheGeneralWay(JSON.stringify({ ...primary, urn: '654321' })));
  });

  test('whitespace, other key orders, .NET dates and escaped codes', () => {
    const document = body({ dates: DATES.slice(-2) });
    assert.ok(readsLikeTheGeneralWay(JSON.stringify(document, null, 2)));
    assert.ok(readsLikeTheGeneralWay(JSON.stringify(document, null, '\t').replaceAll('\n', '\r\n')));
    const reordered = {
      submissionData: entriesOf(document).map((entry) => ({
        attendances: entry.attendances.map((mark) => ({
          value: mark.value,
          attendanceCode: mark.attendanceCode,
        })),
        schoolSession: entry.schoolSession,
        date: `${entry.date}T00:00:00`,
        ncYearGroup: entry.ncYearGroup,
      })),
      enrolments: document.enrolments,
      totalNoOfPupils: document.totalNoOfPupils,
      urn: document.urn,
    };
    assert.ok(readsLikeTheGeneralWay(JSON.stringify(reordered)));
    // PHP escapes the solidus; JSON reads "\/" as "/".
    assert.ok(readsLikeTheGeneralWay(JSON.stringify(document).replaceAll('"/"', '"\\/"')));
  });

  test('counts of every length', () => {
    const marks = [0, 7, 42, 999, 1000, 12345, MAX_PUPIL_COUNT].map((value, i) => ({
      attendanceCode: ['/', 'L', 'B', 'P', 'V', 'K', 'C'][i],
      value,
    }));
    const send = {
      urn: 123456,
      totalNoOfPupils: 5,
      submissionData: [{ ncYearGroup: '7', date: '2026-11-19', schoolSession: 'AM', attendances: marks }],
    };
    assert.ok(readsLikeTheGeneralWay(JSON.stringify(send)));
  });

  test('an empty send, and a value with no marks', () => {
    assert.ok(readsLikeTheGeneralWay('{"urn":123456,"totalNoOfPupils":0,"submissionData":[]}'));
    assert.ok(
      readsLikeTheGeneralWay(
        '{"urn":123456,"totalNoOfPupils":0,"submissionData":[{"ncYearGroup":"R","date":"2026-11-20","schoolSession":"AM","attendances":[]}]}',
      ),
    );
  });
});

describe('readCleanSubmission leaves every other body to the general way', () => {
  const base = body({ dates: DATES.slice(-3) });
  const text = JSON.stringify(base);
  const changed = (change: (document: Record<string, unknown>) => void): string => {
    const copy = JSON.parse(text) as Record<string, unknown>;
    change(copy);
    return JSON.stringify(copy);
  };
  const firstMark = (document: Record<string, unknown>) => entriesOf(document)[0]!.attendances[0]!;
  const cases: Record<string, string> = {
    'not JSON': text.slice(0, -1),
    'trailing text': `${text} x`,
    'a byte order mark': `\uFEFF${text}`,
    'a list': `[${text}]`,
    'no URN (VAL101)': changed((d) => delete d.urn),
    'a 5-digit URN (VAL101)': changed((d) => (d.urn = 12345)),
    'a URN with a fraction (read the general way)': text.replace('"urn":123456', '"urn":123456.0'),
    'no submissionData (VAL120)': changed((d) => delete d.submissionData),
    'no totalNoOfPupils (VAL113)': changed((d) => delete d.totalNoOfPupils),
    'a negative totalNoOfPupils (VAL113)': changed((d) => (d.totalNoOfPupils = -1)),
    'enrolments not adding up (VAL116)': changed((d) => (d.totalNoOfPupils = 1201)),
    'a year group enrolled twice (VAL115)': changed((d) => {
      const enrolments = d.enrolments as { ncYearGroup: string }[];
      enrolments[1]!.ncYearGroup = enrolments[0]!.ncYearGroup;
    }),
    'a class-only year group (VAL103)': changed((d) => (entriesOf(d)[0]!.ncYearGroup = 'M')),
    'an entry that is not an object (VAL117)': changed((d) => (entriesOf(d) as unknown[]).push(3)),
    'a mark that is not an object (VAL117)': changed((d) => entriesOf(d)[0]!.attendances.push(null as never)),
    'no attendances (VAL117)': changed((d) => delete (entriesOf(d)[0] as Partial<Entry>).attendances),
    'a date that is no day (VAL106)': changed((d) => (entriesOf(d)[0]!.date = '2026-11-31')),
    'a date in the future (VAL107)': changed((d) => (entriesOf(d)[0]!.date = '2026-11-23')),
    'a date before the window (VAL108)': changed((d) => (entriesOf(d)[0]!.date = '2026-11-09')),
    'a session neither AM nor PM (VAL109)': changed((d) => (entriesOf(d)[0]!.schoolSession = 'am')),
    'an unknown code (VAL104)': changed((d) => (firstMark(d).attendanceCode = 'A')),
    'a code not valid on the date (VAL104)': changed((d) => (firstMark(d).attendanceCode = 'H')),
    'a three-letter code (VAL104)': changed((d) => (firstMark(d).attendanceCode = 'Y10')),
    'a negative count (VAL105)': changed((d) => (firstMark(d).value = -2)),
    'a fraction (VAL105)': changed((d) => (firstMark(d).value = 2.5)),
    'a count as a string (VAL105)': changed((d) => (firstMark(d).value = '2')),
    'a count written 1.0 (read the general way)': text.replace(/"value":(\d+)\}/, '"value":$1.0}'),
    'a count written 1e1 (read the general way)': text.replace(/"value":(\d+)\}/, '"value":1e1}'),
    'a code twice in an entry (VAL111)': changed((d) => {
      const marks = entriesOf(d)[0]!.attendances;
      marks.push({ ...marks[0] });
    }),
    'an entry sent twice (VAL110)': changed((d) => entriesOf(d).push(entriesOf(d)[0]!)),
    'today’s marks not adding up to the enrolment (VAL112)': changed((d) => {
      const today = entriesOf(d).find((entry) => entry.date === '2026-11-20')!;
      (today.attendances[0] as { value: number }).value += 1;
    }),
    'an unknown field': changed((d) => (d.schoolName = 'Synthetic School')),
    'an unknown field in a mark': changed((d) => (firstMark(d).comment = 'x')),
    'a key sent twice (JSON.parse keeps the last)': text.replace(
      '{"urn":123456,',
      '{"urn":123456,"urn":654321,',
    ),
    'an escaped key': text.replace('"urn"', '"\\u0075rn"'),
    'a code escaped as \\u': text.replace('"attendanceCode":"/"', '"attendanceCode":"\\u002f"'),
    'a year group in other characters': changed((d) => (entriesOf(d)[0]!.ncYearGroup = '７')),
  };
  for (const [name, variant] of Object.entries(cases)) {
    test(name, () => {
      assert.equal(readCleanSubmission(Buffer.from(variant), CONTEXT, REF), undefined);
      readsLikeTheGeneralWay(variant, name);
    });
  }

  test('the same day’s marks not adding up, on an earlier day, are no error and are read', () => {
    const earlier = changed((d) => {
      const entry = entriesOf(d).find((e) => e.date === '2026-11-18')!;
      (entry.attendances[0] as { value: number }).value += 1;
    });
    assert.ok(readsLikeTheGeneralWay(earlier));
  });

  test('a URN the register does not hold is left to the general way', () => {
    const context = { ...CONTEXT, urnExists: () => false };
    assert.equal(readCleanSubmission(Buffer.from(text), context, REF), undefined);
  });
});

describe('hostile bodies: the clean reader refuses exactly what the general way refuses', () => {
  const text = JSON.stringify(body({ dates: DATES.slice(-2) }));
  /** `text` with its first mark's value, code or first entry's year group written as `json`. */
  const withValue = (json: string) =>
    text.replace(/("attendanceCode":"[^"]*","value":)\d+/, (_, before: string) => `${before}${json}`);
  const withCode = (json: string) => text.replace(/"attendanceCode":"[^"]*"/, `"attendanceCode":${json}`);
  const withYearGroup = (json: string) => text.replace(/"ncYearGroup":"[^"]*"/, `"ncYearGroup":${json}`);
  const deep = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
  const hostile: Record<string, [string, string | undefined]> = {
    'a value of 2^31': [withValue('2147483648'), 'VAL105'],
    'a value of 2^31 - 1': [withValue('2147483647'), 'VAL105'],
    'a value one above the largest count': [withValue(String(MAX_PUPIL_COUNT + 1)), 'VAL105'],
    'a value of 15 digits': [withValue('999999999999999'), 'VAL105'],
    'a value of 400 digits': [withValue('9'.repeat(400)), 'VAL105'],
    'a value of 1e400': [withValue('1e400'), 'VAL105'],
    'a value of -0': [withValue('-0'), 'VAL105'],
    'a value of -0.0e5': [withValue('-0.0e5'), 'VAL105'],
    'a value of 1.5': [withValue('1.5'), 'VAL105'],
    'pupils on roll of 2^31': [
      text.replace(/"totalNoOfPupils":\d+/, '"totalNoOfPupils":2147483648'),
      'VAL113',
    ],
    'a code \\u0000': [withCode('"\\u0000"'), 'VAL104'],
    'a code with a control character': [withCode('"/\\u001f"'), 'VAL104'],
    'a code with DEL': [withCode('"/\u007f"'), 'VAL104'],
    'a code of half a surrogate pair': [withCode('"\\ud800"'), 'VAL104'],
    'a year group \\u0000': [withYearGroup('"\\u0000"'), 'VAL103'],
    'a year group R\\u0000': [withYearGroup('"R\\u0000"'), 'VAL103'],
    'a year group with a tab': [withYearGroup('"R\\t"'), 'VAL103'],
    'a date with \\u0000': [text.replace(/"date":"([^"]*)"/, '"date":"$1\\u0000"'), 'VAL106'],
    'an entry nested 100,000 deep': [
      text.replace('"submissionData":[', `"submissionData":[${deep(100_000)},`),
      undefined,
    ],
    'a value nested 100,000 deep': [withValue(deep(100_000)), undefined],
    'a body nested 100,000 deep': [deep(100_000), undefined],
  };
  for (const [name, [variant, code]] of Object.entries(hostile)) {
    test(`${name}: ${code ?? 'VAL118'}`, () => {
      assert.equal(readCleanSubmission(Buffer.from(variant), CONTEXT, REF), undefined);
      const read = bodyIsJson(Buffer.from(variant));
      if (code === undefined) {
        assert.equal(read.ok ? undefined : read.error.code, 'VAL118');
        return;
      }
      assert.ok(read.ok);
      const validation = validateSubmission(read.body, CONTEXT);
      assert.equal(validation.kind, 'accepted');
      if (validation.kind !== 'accepted') return;
      assert.deepEqual(
        validation.errors.map((error) => error.code),
        [code],
      );
      // No control character, no half of a surrogate pair: text that jsonb stores.
      assert.doesNotMatch(validation.errors[0]?.detail ?? '', /[\p{Cc}\p{Cs}]/u);
    });
  }

  test('the largest count, and a code and year group of plain characters, are read by both', () => {
    assert.ok(readsLikeTheGeneralWay(withValue(String(MAX_PUPIL_COUNT))), 'the largest count');
    assert.ok(readsLikeTheGeneralWay(withCode('"\\/"')), 'an escaped solidus');
  });
});

describe('readCleanSubmission on randomly damaged bodies', () => {
  test('reads only what the general way accepts, and reads it the same', () => {
    const rand = prng(42);
    const original = JSON.stringify(
      body({ dates: DATES.slice(-2), yearGroups: ['7', '8'], pupilsPerYearGroup: 30 }),
    );
    const pieces = [
      '',
      ' ',
      ',',
      ':',
      '{',
      '}',
      '[',
      ']',
      '"',
      '\\',
      '0',
      '1',
      '9',
      '-',
      '.',
      'e',
      'null',
      '"/"',
      '"L"',
      'AM',
      'PM',
    ];
    let read = 0;
    for (let i = 0; i < 1500; i++) {
      let text = original;
      const damages = 1 + Math.floor(rand() * 3);
      for (let d = 0; d < damages; d++) {
        const at = Math.floor(rand() * text.length);
        const length = Math.floor(rand() * 3);
        const piece = pieces[Math.floor(rand() * pieces.length)] ?? '';
        text = text.slice(0, at) + piece + text.slice(at + length);
      }
      if (readsLikeTheGeneralWay(text, `damage ${i}: ${text}`)) read++;
    }
    // Some damage leaves a clean body (a digit for a digit, a space): those must have been read.
    assert.ok(read > 0, 'no damaged body was read');
  });
});
