/**
 * The attendance submission — the body of `POST /attendances` — and its validation.
 *
 * The contract is the 2020 DfE attendance API's, kept so that existing MIS clients work unchanged:
 *
 * ```json
 * {"urn": 123456, "totalNoOfPupils": 412,
 *  "submissionData": [{"ncYearGroup": "R", "date": "2020-10-20", "schoolSession": "AM",
 *                      "attendances": [{"attendanceCode": "/", "value": 52}, {"attendanceCode": "I", "value": 3}]}]}
 * ```
 *
 * plus one optional field of edgate's, `enrolments` (pupils enrolled per year group, which the MIS
 * sends and the 2020 body had no place for). Unknown fields are ignored, and `null` is read as
 * absent, as .NET clients write absent optional fields that way.
 *
 * Validation is two pipelines of named rules, each citing its code in `attendance-errors.ts`:
 *
 * - envelope rules, in order, stop at the first failure: the request is refused (HTTP 400) and
 *   nothing is stored;
 * - record rules all run, and every bad item is counted; the first `MAX_LISTED_ERRORS` in document
 *   order are listed with the 201 answer, and how many more there were beside them, so that a body
 *   of 2 million bad items cannot make an answer of hundreds of megabytes.
 *
 * Partial acceptance: an entry of `submissionData` — one (date, school session, year group) — is
 * stored only if nothing in it is wrong; the other entries are stored. The 2020 API answered 201
 * with a submission reference and the errors, so a client cannot have expected all-or-nothing,
 * and holding back a whole school's day for one bad mark would lose good data that is not resent
 * once it leaves the 8-working-day window. A bad `totalNoOfPupils` or `enrolments` is reported and
 * not stored; it does not hold back the entries.
 *
 * Nothing here reads the clock or a database: the time of receipt and the schools register are
 * passed in.
 */
import { isCalendarDate } from '../../platform/calendar.ts';
import { attendanceCodesOn, isAttendanceCodeValidOn, isKnownAttendanceCode } from './attendance-codes.ts';
import { isPupilYearGroup } from './nc-year-groups.ts';
import { envelopeError, recordError } from './attendance-errors.ts';
import type {
  AttendanceErrorCode,
  EnvelopeError,
  RecordError,
  RecordErrorCode,
} from './attendance-errors.ts';
import { compareDocumentOrder, isJsonObject, jsonPath } from './json-location.ts';
import type { JsonLocation } from './json-location.ts';
import { placeInWindow, submissionWindow } from './submission-window.ts';
import type { SubmissionWindow } from './submission-window.ts';

// The wire body, as a well-behaved client sends it: its schema (submission-body.ts) is the one
// source of its types. Documentation and test fixtures only: what arrives is `unknown` until
// validateSubmission has read it.
export type { AttendanceSubmissionBody, AttendanceSubmissionEntryBody } from './submission-body.ts';

// ---------------------------------------------------------------------------------------------
// The submission as read: what storage and statistics work with.

export type SchoolSession = 'AM' | 'PM';

/** How many pupils got one attendance code in one session. */
export interface AttendanceMark {
  code: string;
  value: number;
}

/** One (date, school session, year group) of a submission: the unit that is stored or refused. */
export interface AttendanceEntry {
  /** Its position in `submissionData`, for tracing it back to the body. */
  index: number;
  /** `YYYY-MM-DD` (a `T00:00:00` suffix is dropped). */
  date: string;
  session: SchoolSession;
  ncYearGroup: string;
  attendances: AttendanceMark[];
}

export interface YearGroupEnrolment {
  ncYearGroup: string;
  value: number;
}

export interface AttendanceSubmission {
  urn: number;
  /** Absent when the value sent was not valid (reported as VAL113). */
  totalNoOfPupils?: number;
  /** Absent when none were sent, or when they were not valid (reported as VAL114–VAL116, VAL103). */
  enrolments?: YearGroupEnrolment[];
  /** The entries to store: those with no error, in document order. */
  entries: AttendanceEntry[];
}

export interface ValidationContext {
  /** When the request arrived; its Europe/London date is "today" for the window. */
  receivedAt: Date;
  /** Whether the URN is a school in the schools register (looked up by the caller). */
  urnExists: (urn: number) => boolean;
}

export type SubmissionValidation =
  | {
      /** Refuse the request with HTTP `error.status`; store nothing. */
      kind: 'envelope-error';
      error: EnvelopeError;
    }
  | {
      /** Store `submission` and answer 201 with a submission reference and `errors`. */
      kind: 'accepted';
      submission: AttendanceSubmission;
      /** The first `MAX_LISTED_ERRORS` problems, in document order; `[]` when all is well. */
      errors: RecordError[];
      /** How many problems there were beyond those listed in `errors`; 0 when all are listed. */
      errorsNotListed: number;
      /** Indexes in `submissionData` of the entries not stored. */
      rejectedEntries: number[];
      /** The dates that were accepted. */
      window: SubmissionWindow;
    };

// ---------------------------------------------------------------------------------------------
// Reading values. Each returns undefined for anything the contract does not allow.

const URN_DIGITS = /^[1-9]\d{5}$/;
const SESSION_DATE = /^(\d{4}-\d{2}-\d{2})(?:T00:00:00)?$/;
const MAX_DETAIL_LENGTH = 200;

/** How many record errors an answer lists; the rest are counted (`errorsNotListed`). */
export const MAX_LISTED_ERRORS = 1000;

/**
 * The largest count of pupils taken: no school in England has a tenth of it. It is a bound on
 * each mark so that a school-day's totals fit the integer columns they are stored in: a day holds
 * at most 2 sessions × 20 year groups × 255 codes (clean-submission.ts reads no more codes), and
 * 2 × 20 × 255 × 100,000 is below 2^31. A bound of 2^31 on each value alone would not do: two
 * marks of 2^30 overflow the day's total (submission.test.ts checks the arithmetic).
 */
export const MAX_PUPIL_COUNT = 100_000;

/**
 * A URN: 6 digits, as a JSON number or a string. A number cannot keep a leading zero, so URNs
 * run from 100000 (and GIAS has none below), and a string must look like one.
 */
export function parseUrn(value: unknown): number | undefined {
  if (typeof value === 'number')
    return Number.isInteger(value) && value >= 100_000 && value <= 999_999 ? value : undefined;
  if (typeof value === 'string' && URN_DIGITS.test(value)) return Number(value);
  return undefined;
}

/** A session date: `YYYY-MM-DD` or `YYYY-MM-DDT00:00:00` (as .NET writes a date), read as `YYYY-MM-DD`. */
export function parseSessionDate(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const date = SESSION_DATE.exec(value)?.[1];
  return date !== undefined && isCalendarDate(date) ? date : undefined;
}

function parseSchoolSession(value: unknown): SchoolSession | undefined {
  return value === 'AM' || value === 'PM' ? value : undefined;
}

/**
 * A count of pupils: a JSON number, whole, from 0 to `MAX_PUPIL_COUNT`. Strings are refused, "3"
 * included, and so is -0: a count sent with a minus sign is a negative number gone wrong.
 */
function parseCount(value: unknown): number | undefined {
  return typeof value === 'number' &&
    Number.isInteger(value) &&
    value >= 0 &&
    value <= MAX_PUPIL_COUNT &&
    !Object.is(value, -0)
    ? value
    : undefined;
}

function parseYearGroup(value: unknown): string | undefined {
  return typeof value === 'string' && isPupilYearGroup(value) ? value : undefined;
}

/**
 * The bad value as the `detail` of an error: `-1`, `K`, `null`; `""` when missing; JSON for the
 * rest. A detail echoes what was sent, so a huge or hostile value is cut short at
 * `MAX_DETAIL_LENGTH` characters (never inside a character), and characters that are not text —
 * controls, `\u0000` among them, and halves of a surrogate pair, which PostgreSQL's jsonb refuses
 * to store — are written as `\u0000`.
 */
function describe(value: unknown): string {
  let text: string;
  if (value === undefined) text = '';
  else if (typeof value === 'string') text = value.slice(0, MAX_DETAIL_LENGTH + 1);
  else if (Object.is(value, -0)) text = '-0';
  else if (typeof value === 'number' || typeof value === 'boolean' || value === null) text = String(value);
  else text = jsonCutShort(value, MAX_DETAIL_LENGTH + 1);
  let detail = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let piece: string;
    if (c >= 0xd800 && c <= 0xdbff && isLowSurrogate(text.charCodeAt(i + 1))) piece = text.slice(i, ++i + 1);
    else if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0xd800 && c <= 0xdfff))
      piece = `\\u${c.toString(16).padStart(4, '0')}`;
    else piece = text.charAt(i);
    if (detail.length + piece.length > MAX_DETAIL_LENGTH) return `${detail}…`;
    detail += piece;
  }
  return detail;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/**
 * `JSON.stringify(value)`, stopped once longer than `limit`. Without recursion: a value nested
 * deeper than the stack (100,000 `[`) is written as far as needed, and a huge one is not written
 * whole to keep its first characters.
 */
function jsonCutShort(value: unknown, limit: number): string {
  type Frame =
    { list: unknown[]; next: number } | { object: Record<string, unknown>; keys: string[]; next: number };
  let json = '';
  const open = (item: unknown): Frame | undefined => {
    if (Array.isArray(item)) {
      json += '[';
      return { list: item, next: 0 };
    }
    if (isJsonObject(item)) {
      json += '{';
      return { object: item, keys: Object.keys(item), next: 0 };
    }
    const primitive = typeof item === 'string' ? item.slice(0, limit) : item;
    json += JSON.stringify(primitive) ?? 'null';
    return undefined;
  };
  const stack: Frame[] = [];
  const first = open(value);
  if (first) stack.push(first);
  while (stack.length > 0 && json.length <= limit) {
    const frame = stack[stack.length - 1] as Frame;
    const size = 'list' in frame ? frame.list.length : frame.keys.length;
    if (frame.next === size) {
      json += 'list' in frame ? ']' : '}';
      stack.pop();
      continue;
    }
    if (frame.next > 0) json += ',';
    let item: unknown;
    if ('list' in frame) item = frame.list[frame.next];
    else {
      const key = frame.keys[frame.next] as string;
      json += `${JSON.stringify(key)}:`;
      item = frame.object[key];
    }
    frame.next++;
    const inner = open(item);
    if (inner) stack.push(inner);
  }
  return json;
}

function absent(value: unknown): boolean {
  return value === undefined || value === null;
}

// ---------------------------------------------------------------------------------------------
// The document, walked once so that rules can look at its parts with their locations.

/** Where the `index`th mark of an entry is: made only when one is reported, as a submission holds thousands. */
function markLocation(entry: ReceivedEntry, index: number): JsonLocation {
  return [...entry.location, 'attendances', index];
}

/** A mark's properties when it is an object. Marks are read in place: thousands per submission. */
function markFields(mark: unknown): Record<string, unknown> | undefined {
  return isJsonObject(mark) ? mark : undefined;
}

interface ReceivedEntry {
  index: number;
  location: JsonLocation;
  value: unknown;
  /** The entry's properties when it is an object. */
  fields?: Record<string, unknown>;
  /** The attendances as sent, when they are a list. */
  marks?: unknown[];
  /** Read when valid, for the rules that depend on them. */
  date?: string;
  session?: SchoolSession;
  ncYearGroup?: string;
  /**
   * The marks read, when the scan in `receive` found nothing wrong with any of them (each an
   * object, its code valid on the entry's date and not repeated, its value a count). Then the
   * rules on marks (VAL117's items, VAL104, VAL105, VAL111) have nothing to report here and skip
   * the entry; otherwise they look at every mark themselves.
   */
  readMarks?: AttendanceMark[];
  /** The sum of the marks' values, with `readMarks`. */
  markTotal?: number;
}

interface ReceivedEnrolment {
  location: JsonLocation;
  value: unknown;
  fields?: Record<string, unknown>;
}

interface ReceivedSubmission {
  document: Record<string, unknown>;
  urn: number;
  entries: ReceivedEntry[];
  /** undefined when absent or null; the value otherwise, list or not. */
  enrolments?: unknown;
  enrolmentItems: ReceivedEnrolment[];
  window: SubmissionWindow;
}

/**
 * One pass over an entry's marks (thousands per submission): when every mark is good, they are
 * read here, once, and the rules on marks skip the entry. The conditions are exactly those the
 * rules check, so a mark any rule would report leaves `readMarks` unset.
 */
function scanMarks(entry: ReceivedEntry, marks: unknown[], date: string, seen: Set<string>): void {
  const codes = attendanceCodesOn(date);
  const read: AttendanceMark[] = [];
  let total = 0;
  seen.clear();
  for (const mark of marks) {
    if (!isJsonObject(mark)) return;
    const code = mark.attendanceCode;
    const value = parseCount(mark.value);
    if (typeof code !== 'string' || !codes.has(code) || value === undefined || seen.has(code)) return;
    seen.add(code);
    read.push({ code, value });
    total += value;
  }
  entry.readMarks = read;
  entry.markTotal = total;
}

function receive(
  document: Record<string, unknown>,
  urn: number,
  entries: unknown[],
  window: SubmissionWindow,
): ReceivedSubmission {
  const seen = new Set<string>();
  const received: ReceivedSubmission = {
    document,
    urn,
    entries: entries.map((value, index): ReceivedEntry => {
      const location = ['submissionData', index];
      const entry: ReceivedEntry = { index, location, value };
      if (!isJsonObject(value)) return entry;
      entry.fields = value;
      const date = parseSessionDate(value.date);
      const session = parseSchoolSession(value.schoolSession);
      const ncYearGroup = parseYearGroup(value.ncYearGroup);
      if (date !== undefined) entry.date = date;
      if (session !== undefined) entry.session = session;
      if (ncYearGroup !== undefined) entry.ncYearGroup = ncYearGroup;
      if (Array.isArray(value.attendances)) {
        entry.marks = value.attendances;
        if (date !== undefined) scanMarks(entry, value.attendances, date, seen);
      }
      return entry;
    }),
    enrolmentItems: [],
    window,
  };
  // An empty list is read as absent too: a client with nothing to say may still send the field.
  const sendsEnrolments = Array.isArray(document.enrolments)
    ? document.enrolments.length > 0
    : !absent(document.enrolments);
  if (sendsEnrolments) {
    received.enrolments = document.enrolments;
    if (Array.isArray(document.enrolments)) {
      received.enrolmentItems = document.enrolments.map((value: unknown, i) => ({
        location: ['enrolments', i],
        value,
        ...(isJsonObject(value) ? { fields: value } : {}),
      }));
    }
  }
  return received;
}

// ---------------------------------------------------------------------------------------------
// Envelope rules: run in order; the first that fails refuses the request. Each passes on what it
// has read to the next.

type EnvelopeCheck<T> = { ok: true; value: T } | { ok: false; error: EnvelopeError };

/** VAL118: a body that is not a JSON object (null, a list, a string) is as good as none. */
function bodyIsAnObject(body: unknown): EnvelopeCheck<Record<string, unknown>> {
  if (isJsonObject(body)) return { ok: true, value: body };
  return {
    ok: false,
    error: envelopeError(
      'VAL118',
      absent(body) ? 'Empty request body' : 'The request body is not a JSON object',
    ),
  };
}

/** VAL100: the URN is there (`null` is read as absent, as elsewhere). */
function urnIsPresent(document: Record<string, unknown>): EnvelopeCheck<Record<string, unknown>> {
  return absent(document.urn) ? { ok: false, error: envelopeError('VAL100') } : { ok: true, value: document };
}

/** VAL101: the URN is 6 digits. */
function urnIsSixDigits(document: Record<string, unknown>): EnvelopeCheck<number> {
  const urn = parseUrn(document.urn);
  return urn === undefined ? { ok: false, error: envelopeError('VAL101') } : { ok: true, value: urn };
}

/** VAL102: the URN is a school in the schools register. */
function urnIsInTheRegister(urn: number, context: ValidationContext): EnvelopeCheck<number> {
  return context.urnExists(urn) ? { ok: true, value: urn } : { ok: false, error: envelopeError('VAL102') };
}

/** VAL120: submissionData is a list; without one there is nothing to store, so no 201. */
function submissionDataIsAList(document: Record<string, unknown>): EnvelopeCheck<unknown[]> {
  const data = document.submissionData;
  return Array.isArray(data) ? { ok: true, value: data } : { ok: false, error: envelopeError('VAL120') };
}

// ---------------------------------------------------------------------------------------------
// Record rules: all run, in this order; each reports the items it finds wrong under its code.

interface Finding {
  location: JsonLocation;
  /** The bad value, as sent. */
  value: unknown;
}

/** What the rules before have found, for rules that only make sense on otherwise good data. */
interface RuleState {
  rejectedEntries: { has(index: number): boolean };
  pupilsOnRollRejected: boolean;
  enrolmentsRejected: boolean;
}

interface RecordRule {
  code: RecordErrorCode;
  check: (submission: ReceivedSubmission, state: RuleState) => Finding[];
}

const at = (location: JsonLocation, value: unknown): Finding => ({ location, value });

/** VAL113: totalNoOfPupils is a count. */
function pupilsOnRollIsACount(submission: ReceivedSubmission): Finding[] {
  const value = submission.document.totalNoOfPupils;
  return parseCount(value) === undefined ? [at(['totalNoOfPupils'], value)] : [];
}

/** VAL114: enrolments, when sent, is a list of objects whose values are counts. */
function enrolmentsAreWellFormed(submission: ReceivedSubmission): Finding[] {
  if (submission.enrolments === undefined) return [];
  if (!Array.isArray(submission.enrolments)) return [at(['enrolments'], submission.enrolments)];
  return submission.enrolmentItems.flatMap((item) => {
    if (!item.fields) return [at(item.location, item.value)];
    const value = item.fields.value;
    return parseCount(value) === undefined ? [at([...item.location, 'value'], value)] : [];
  });
}

/** VAL103: every ncYearGroup, of entries and of enrolments, is a pupil's NC year group. */
function yearGroupsArePupilYearGroups(submission: ReceivedSubmission): Finding[] {
  const inEntries = submission.entries.flatMap((entry) =>
    entry.fields && entry.ncYearGroup === undefined
      ? [at([...entry.location, 'ncYearGroup'], entry.fields.ncYearGroup)]
      : [],
  );
  const inEnrolments = submission.enrolmentItems.flatMap((item) =>
    item.fields && parseYearGroup(item.fields.ncYearGroup) === undefined
      ? [at([...item.location, 'ncYearGroup'], item.fields.ncYearGroup)]
      : [],
  );
  return [...inEntries, ...inEnrolments];
}

/** VAL115: a year group is enrolled once. */
function enrolmentYearGroupsAreDistinct(submission: ReceivedSubmission): Finding[] {
  const seen = new Set<string>();
  return submission.enrolmentItems.flatMap((item) => {
    const yearGroup = parseYearGroup(item.fields?.ncYearGroup);
    if (yearGroup === undefined) return [];
    if (!seen.has(yearGroup)) {
      seen.add(yearGroup);
      return [];
    }
    return [at([...item.location, 'ncYearGroup'], yearGroup)];
  });
}

/** VAL116: the year-group enrolments add up to the pupils on roll. */
function enrolmentsAddUpToPupilsOnRoll(submission: ReceivedSubmission, state: RuleState): Finding[] {
  const pupilsOnRoll = parseCount(submission.document.totalNoOfPupils);
  if (submission.enrolments === undefined || state.enrolmentsRejected || pupilsOnRoll === undefined)
    return [];
  const total = submission.enrolmentItems.reduce(
    (sum, item) => sum + (parseCount(item.fields?.value) ?? 0),
    0,
  );
  return total === pupilsOnRoll ? [] : [at(['enrolments'], total)];
}

/** VAL117: each entry is an object, its attendances a list, each attendance an object. */
function entriesAreWellFormed(submission: ReceivedSubmission): Finding[] {
  const findings: Finding[] = [];
  for (const entry of submission.entries) {
    if (!entry.fields) findings.push(at(entry.location, entry.value));
    else if (!entry.marks) findings.push(at([...entry.location, 'attendances'], entry.fields.attendances));
    else if (!entry.readMarks) {
      for (let j = 0; j < entry.marks.length; j++) {
        const mark = entry.marks[j];
        if (!markFields(mark)) findings.push(at(markLocation(entry, j), mark));
      }
    }
  }
  return findings;
}

/** VAL106: each date is `YYYY-MM-DD` or `YYYY-MM-DDT00:00:00`, and a real day. */
function datesAreWellFormed(submission: ReceivedSubmission): Finding[] {
  return submission.entries.flatMap((entry) =>
    entry.fields && entry.date === undefined ? [at([...entry.location, 'date'], entry.fields.date)] : [],
  );
}

/** VAL107: no date is after the day of receipt. */
function datesAreNotInTheFuture(submission: ReceivedSubmission): Finding[] {
  return submission.entries.flatMap((entry) =>
    entry.date !== undefined && placeInWindow(entry.date, submission.window) === 'future'
      ? [at([...entry.location, 'date'], entry.fields?.date)]
      : [],
  );
}

/** VAL108: no date is before the 8th working day before the day of receipt. */
function datesAreWithinTheWindow(submission: ReceivedSubmission): Finding[] {
  return submission.entries.flatMap((entry) =>
    entry.date !== undefined && placeInWindow(entry.date, submission.window) === 'too-old'
      ? [at([...entry.location, 'date'], entry.fields?.date)]
      : [],
  );
}

/** VAL109: each schoolSession is AM or PM. */
function schoolSessionsAreAmOrPm(submission: ReceivedSubmission): Finding[] {
  return submission.entries.flatMap((entry) =>
    entry.fields && entry.session === undefined
      ? [at([...entry.location, 'schoolSession'], entry.fields.schoolSession)]
      : [],
  );
}

/**
 * VAL104: each attendance code is valid on the entry's date — the 2020 API's own test expected
 * VAL104 for `K` in 2020, before K existed. When the date is unreadable (VAL106), only codes
 * valid on no date at all are reported.
 */
function attendanceCodesAreValidOnTheDate(submission: ReceivedSubmission): Finding[] {
  // Loops rather than flatMap: these three rules visit every mark of the submission.
  const findings: Finding[] = [];
  for (const entry of submission.entries) {
    if (entry.readMarks) continue;
    const marks = entry.marks ?? [];
    for (let j = 0; j < marks.length; j++) {
      const fields = markFields(marks[j]);
      if (!fields) continue;
      const code = fields.attendanceCode;
      const valid =
        typeof code === 'string' &&
        (entry.date === undefined ? isKnownAttendanceCode(code) : isAttendanceCodeValidOn(code, entry.date));
      if (!valid) findings.push(at([...markLocation(entry, j), 'attendanceCode'], code));
    }
  }
  return findings;
}

/** VAL105: each attendance value is a count: a whole JSON number, 0 or more. */
function attendanceValuesAreCounts(submission: ReceivedSubmission): Finding[] {
  const findings: Finding[] = [];
  for (const entry of submission.entries) {
    if (entry.readMarks) continue;
    const marks = entry.marks ?? [];
    for (let j = 0; j < marks.length; j++) {
      const fields = markFields(marks[j]);
      if (fields && parseCount(fields.value) === undefined)
        findings.push(at([...markLocation(entry, j), 'value'], fields.value));
    }
  }
  return findings;
}

/** VAL111: within an entry, each attendance code comes once; the second and later are reported. */
function attendanceCodesAreNotRepeated(submission: ReceivedSubmission): Finding[] {
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const entry of submission.entries) {
    if (entry.readMarks) continue;
    seen.clear();
    const marks = entry.marks ?? [];
    for (let j = 0; j < marks.length; j++) {
      const code = markFields(marks[j])?.attendanceCode;
      if (typeof code !== 'string') continue;
      if (seen.has(code)) findings.push(at([...markLocation(entry, j), 'attendanceCode'], code));
      else seen.add(code);
    }
  }
  return findings;
}

/**
 * VAL110: one entry per (date, school session, year group). Every one of the duplicates is
 * reported and none is stored: which of them the school meant cannot be known.
 */
function entriesAreNotRepeated(submission: ReceivedSubmission): Finding[] {
  const byKey = new Map<string, ReceivedEntry[]>();
  let repeated = false;
  for (const entry of submission.entries) {
    if (entry.date === undefined || entry.session === undefined || entry.ncYearGroup === undefined) continue;
    const key = `${entry.date} ${entry.session} ${entry.ncYearGroup}`;
    const same = byKey.get(key);
    if (same) {
      same.push(entry);
      repeated = true;
    } else byKey.set(key, [entry]);
  }
  if (!repeated) return [];
  return [...byKey]
    .filter(([, entries]) => entries.length > 1)
    .flatMap(([key, entries]) => entries.map((entry) => at(entry.location, key)));
}

/**
 * VAL112: on the day of receipt, an entry's marks add up to its year group's enrolment, when the
 * enrolments were sent. Earlier days are not checked: enrolments are as at the day of sending, and
 * pupils join and leave. Only entries with nothing else wrong are checked: the total of a
 * refused entry means nothing.
 */
function attendanceTotalsMatchEnrolment(submission: ReceivedSubmission, state: RuleState): Finding[] {
  if (submission.enrolments === undefined || state.enrolmentsRejected) return [];
  const enrolment = new Map<string, number>();
  for (const item of submission.enrolmentItems) {
    const yearGroup = parseYearGroup(item.fields?.ncYearGroup);
    const value = parseCount(item.fields?.value);
    if (yearGroup !== undefined && value !== undefined) enrolment.set(yearGroup, value);
  }
  return submission.entries.flatMap((entry) => {
    if (state.rejectedEntries.has(entry.index) || entry.date !== submission.window.today) return [];
    const expected = entry.ncYearGroup === undefined ? undefined : enrolment.get(entry.ncYearGroup);
    if (expected === undefined) return [];
    const total =
      entry.markTotal ??
      (entry.marks ?? []).reduce<number>((sum, mark) => sum + (parseCount(markFields(mark)?.value) ?? 0), 0);
    return total === expected ? [] : [at([...entry.location, 'attendances'], total)];
  });
}

/**
 * The record rules, in the order they run. The answer is sorted into document order afterwards.
 * `readCleanSubmission` accepts only bodies for which none of them finds anything: a rule added
 * here must be checked there too, with a case in clean-submission.test.ts (decision 0007).
 */
const RECORD_RULES = {
  pupilsOnRollIsACount: { code: 'VAL113', check: pupilsOnRollIsACount },
  enrolmentsAreWellFormed: { code: 'VAL114', check: enrolmentsAreWellFormed },
  yearGroupsArePupilYearGroups: { code: 'VAL103', check: yearGroupsArePupilYearGroups },
  enrolmentYearGroupsAreDistinct: { code: 'VAL115', check: enrolmentYearGroupsAreDistinct },
  enrolmentsAddUpToPupilsOnRoll: { code: 'VAL116', check: enrolmentsAddUpToPupilsOnRoll },
  entriesAreWellFormed: { code: 'VAL117', check: entriesAreWellFormed },
  datesAreWellFormed: { code: 'VAL106', check: datesAreWellFormed },
  datesAreNotInTheFuture: { code: 'VAL107', check: datesAreNotInTheFuture },
  datesAreWithinTheWindow: { code: 'VAL108', check: datesAreWithinTheWindow },
  schoolSessionsAreAmOrPm: { code: 'VAL109', check: schoolSessionsAreAmOrPm },
  attendanceCodesAreValidOnTheDate: { code: 'VAL104', check: attendanceCodesAreValidOnTheDate },
  attendanceValuesAreCounts: { code: 'VAL105', check: attendanceValuesAreCounts },
  attendanceCodesAreNotRepeated: { code: 'VAL111', check: attendanceCodesAreNotRepeated },
  entriesAreNotRepeated: { code: 'VAL110', check: entriesAreNotRepeated },
  attendanceTotalsMatchEnrolment: { code: 'VAL112', check: attendanceTotalsMatchEnrolment },
} as const satisfies Record<string, RecordRule>;

/** Every rule of `validateSubmission` and the code it cites, in the order they run. */
export const SUBMISSION_RULES: readonly { name: string; code: AttendanceErrorCode }[] = [
  { name: bodyIsAnObject.name, code: 'VAL118' },
  { name: urnIsPresent.name, code: 'VAL100' },
  { name: urnIsSixDigits.name, code: 'VAL101' },
  { name: urnIsInTheRegister.name, code: 'VAL102' },
  { name: submissionDataIsAList.name, code: 'VAL120' },
  ...Object.entries(RECORD_RULES).map(([name, rule]) => ({ name, code: rule.code })),
];

// ---------------------------------------------------------------------------------------------
// The pipeline.

/** A flag per entry of `submissionData`. */
class EntryFlags {
  private readonly flags: Uint8Array;

  constructor(entries: number) {
    this.flags = new Uint8Array(entries);
  }

  add(index: number): void {
    this.flags[index] = 1;
  }

  has(index: number): boolean {
    return this.flags[index] === 1;
  }
}

interface Found {
  code: RecordErrorCode;
  finding: Finding;
}

/**
 * Keeps the first `limit` findings in document order out of however many are offered, the rules'
 * order deciding between findings at one place; counts the rest. A body can hold 2 million bad
 * items: they are compared with the last one kept, not all kept and sorted.
 */
class FirstInDocumentOrder {
  private kept: Found[] = [];
  private offered = 0;
  /** Once `limit` are kept, the last of them: anything not before it cannot be listed. */
  private last: Found | undefined;

  constructor(
    private readonly document: Record<string, unknown>,
    private readonly limit: number,
  ) {}

  private compare = (a: Found, b: Found): number =>
    compareDocumentOrder(this.document, a.finding.location, b.finding.location);

  offer(found: Found): void {
    this.offered++;
    // Offered later, so at the same place it comes after the last kept too.
    if (this.last !== undefined && this.compare(found, this.last) >= 0) return;
    this.kept.push(found);
    if (this.kept.length >= 2 * this.limit) this.trim();
  }

  /** A stable sort: findings at the same place keep the order they were offered in. */
  private trim(): void {
    this.kept.sort(this.compare);
    if (this.kept.length >= this.limit) {
      this.kept.length = this.limit;
      this.last = this.kept[this.limit - 1];
    }
  }

  first(): Found[] {
    this.trim();
    return this.kept;
  }

  notListed(): number {
    return this.offered - Math.min(this.offered, this.limit);
  }
}

function readEntry(entry: ReceivedEntry): AttendanceEntry | undefined {
  if (entry.date === undefined || entry.session === undefined || entry.ncYearGroup === undefined)
    return undefined;
  if (!entry.marks) return undefined;
  if (entry.readMarks)
    return {
      index: entry.index,
      date: entry.date,
      session: entry.session,
      ncYearGroup: entry.ncYearGroup,
      attendances: entry.readMarks,
    };
  const attendances: AttendanceMark[] = [];
  for (const mark of entry.marks) {
    const fields = markFields(mark);
    const code = fields?.attendanceCode;
    const value = parseCount(fields?.value);
    if (typeof code !== 'string' || value === undefined) return undefined;
    attendances.push({ code, value });
  }
  return {
    index: entry.index,
    date: entry.date,
    session: entry.session,
    ncYearGroup: entry.ncYearGroup,
    attendances,
  };
}

/**
 * Validates a received body (already parsed from JSON; see `readSubmissionBody`) against the
 * contract, and reads it into the submission to store. An `envelope-error` is answered with its
 * status and the error as the body; `accepted` with 201, a submission reference and `errors`
 * (possibly every entry refused: the request itself was still received).
 */
export function validateSubmission(body: unknown, context: ValidationContext): SubmissionValidation {
  const document = bodyIsAnObject(body);
  if (!document.ok) return { kind: 'envelope-error', error: document.error };
  const withUrn = urnIsPresent(document.value);
  if (!withUrn.ok) return { kind: 'envelope-error', error: withUrn.error };
  const wellFormedUrn = urnIsSixDigits(document.value);
  if (!wellFormedUrn.ok) return { kind: 'envelope-error', error: wellFormedUrn.error };
  const urn = urnIsInTheRegister(wellFormedUrn.value, context);
  if (!urn.ok) return { kind: 'envelope-error', error: urn.error };
  const data = submissionDataIsAList(document.value);
  if (!data.ok) return { kind: 'envelope-error', error: data.error };

  const window = submissionWindow(context.receivedAt);
  const submission = receive(document.value, urn.value, data.value, window);
  const state = {
    // A byte per entry: a Set of 2 million bad entries cost half a second to fill.
    rejectedEntries: new EntryFlags(data.value.length),
    pupilsOnRollRejected: false,
    enrolmentsRejected: false,
  };
  const listed = new FirstInDocumentOrder(document.value, MAX_LISTED_ERRORS);
  for (const rule of Object.values(RECORD_RULES)) {
    for (const finding of rule.check(submission, state)) {
      listed.offer({ code: rule.code, finding });
      // What a finding is under decides what is not stored.
      const [top, index] = finding.location;
      if (top === 'submissionData' && typeof index === 'number') state.rejectedEntries.add(index);
      if (top === 'totalNoOfPupils') state.pupilsOnRollRejected = true;
      if (top === 'enrolments') state.enrolmentsRejected = true;
    }
  }
  const entries: AttendanceEntry[] = [];
  // In document order as they are met: sorting the set would cost seconds for 2 million entries.
  const rejectedEntries: number[] = [];
  for (const entry of submission.entries) {
    if (state.rejectedEntries.has(entry.index)) {
      rejectedEntries.push(entry.index);
      continue;
    }
    const read = readEntry(entry);
    // The rules have refused everything readEntry cannot read; if not, a rule is missing.
    if (!read) throw new Error(`submissionData[${entry.index}] passed every rule but cannot be read`);
    entries.push(read);
  }
  const accepted: AttendanceSubmission = { urn: submission.urn, entries };
  const pupilsOnRoll = parseCount(document.value.totalNoOfPupils);
  if (!state.pupilsOnRollRejected && pupilsOnRoll !== undefined) accepted.totalNoOfPupils = pupilsOnRoll;
  if (submission.enrolments !== undefined && !state.enrolmentsRejected) {
    accepted.enrolments = submission.enrolmentItems.map((item) => ({
      ncYearGroup: parseYearGroup(item.fields?.ncYearGroup) ?? '',
      value: parseCount(item.fields?.value) ?? 0,
    }));
  }

  return {
    kind: 'accepted',
    submission: accepted,
    errors: listed
      .first()
      .map(({ code, finding }) => recordError(code, describe(finding.value), jsonPath(finding.location))),
    errorsNotListed: listed.notListed(),
    rejectedEntries,
    window,
  };
}
