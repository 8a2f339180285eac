/**
 * The usual submission — JSON as MIS write it, with nothing wrong in it — read straight from its
 * bytes into the school-days to store, without an object per mark. Reading a large school's body
 * with JSON.parse, validating it and writing its school-days cost ~0.9 ms, most of it making and
 * visiting the 2,048 `{attendanceCode, value}` objects; this reads the same body in a fraction of
 * that.
 *
 * It is a shortcut, never a second set of rules: it accepts only a body in which every rule of
 * `validateSubmission` holds, and anything else — an error of any kind, a field it does not know,
 * a key sent twice, an escape other than `\\` or `\/`, a number written as `1.0` or `1e2` —
 * returns undefined, and the body goes the general way (JSON.parse, `validateSubmission`,
 * `schoolDaysOf`), which answers it. Whenever it returns a reading, that reading is what the
 * general way gives: clean-submission.test.ts checks it on hand-made and randomly damaged bodies.
 */
import { attendanceCodesOn, type AttendanceCode } from '../../contracts/attendance/attendance-codes.ts';
import { isPupilYearGroup } from '../../contracts/attendance/nc-year-groups.ts';
import { jsonName, schoolDaysWriter, type SchoolDay, type SchoolDaysWriter } from './school-day.ts';
import type { SchoolSession, ValidationContext } from '../../contracts/attendance/submission.ts';
import { MAX_PUPIL_COUNT, parseSessionDate, parseUrn } from '../../contracts/attendance/submission.ts';
import {
  placeInWindow,
  submissionWindow,
  type SubmissionWindow,
} from '../../contracts/attendance/submission-window.ts';

/** A clean submission, read: what storing needs. */
export interface CleanSubmission {
  urn: number;
  /** How many entries `submissionData` held: every one is stored. */
  entriesReceived: number;
  days: SchoolDay[];
}

/** Thrown inside the reader when the body is not one it reads; caught at the top. */
const NOT_CLEAN = Symbol('not clean');

// Byte values of the JSON the reader meets.
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const SLASH = 0x2f;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const LOWER_E = 0x65;
const UPPER_E = 0x45;
/** Counts longer than this are left to the general way (a safe integer has at most 16 digits). */
const MAX_COUNT_DIGITS = 15;

/**
 * A code as the reader looks it up: its bytes (1 or 2, as every attendance code is) packed into
 * a number below 2^14, so a mark's code is found without making a string.
 */
const CODE_SLOTS = 128 * 128;

interface CodeOnDate {
  meaning: AttendanceCode;
  name: Buffer;
  /** Its place in the day's list: marks repeated within an entry are found by it. */
  ordinal: number;
}

interface CodeTable {
  /** By packed code: 1 + the index in `codes`, or 0 when the code is not valid on the date. */
  slots: Uint8Array;
  codes: CodeOnDate[];
}

/** Tables by the codes-on-a-date map they were made from (one per set of dates the list treats alike). */
const tables = new WeakMap<ReadonlyMap<string, AttendanceCode>, CodeTable>();

function packCode(code: string): number {
  return code.length === 1 ? code.charCodeAt(0) : code.charCodeAt(0) + code.charCodeAt(1) * 128;
}

function codeTableOn(date: string): CodeTable {
  const codesOn = attendanceCodesOn(date);
  let table = tables.get(codesOn);
  if (table) return table;
  const codes: CodeOnDate[] = [];
  const slots = new Uint8Array(CODE_SLOTS);
  for (const meaning of codesOn.values()) {
    const { code } = meaning;
    // Only 1- or 2-character ASCII codes can be packed; a longer one would go the general way.
    if (code.length > 2 || [...code].some((c) => c.charCodeAt(0) >= 128)) continue;
    codes.push({ meaning, name: jsonName(code), ordinal: codes.length });
    slots[packCode(code)] = codes.length;
  }
  // A byte per slot, and `lastEntryOfCode` per ordinal: the national list has ~40 codes.
  if (codes.length > 255)
    throw new Error(`${codes.length} attendance codes on ${date}: at most 255 are read`);
  table = { slots, codes };
  tables.set(codesOn, table);
  return table;
}

/** Field names, as bytes between quotes. */
const NAMES = {
  urn: Buffer.from('urn'),
  totalNoOfPupils: Buffer.from('totalNoOfPupils'),
  enrolments: Buffer.from('enrolments'),
  submissionData: Buffer.from('submissionData'),
  ncYearGroup: Buffer.from('ncYearGroup'),
  date: Buffer.from('date'),
  schoolSession: Buffer.from('schoolSession'),
  attendances: Buffer.from('attendances'),
  attendanceCode: Buffer.from('attendanceCode'),
  value: Buffer.from('value'),
};

/** One entry's marks, as packed codes and counts: kept between bodies, grown when needed. */
let markCodes = new Uint16Array(256);
let markCounts = new Float64Array(256);
/** Per code ordinal, the entry that last used it: a repeated code is one seen in the same entry. */
const lastEntryOfCode = new Float64Array(256);
let entryStamp = 0;

/** Strings read from bodies — dates, year groups, sessions — are the same few again and again. */
const knownStrings = new Map<number, string>();
const MAX_KNOWN_STRINGS = 4096;

/** The text of ASCII `bytes[start, end)`, the same string as last time for the same bytes. */
function stringAt(bytes: Uint8Array, start: number, end: number): string {
  let hash = end - start;
  for (let i = start; i < end; i++) hash = (Math.imul(hash, 31) + (bytes[i] ?? 0)) | 0;
  const known = knownStrings.get(hash);
  if (known !== undefined && known.length === end - start) {
    let same = true;
    for (let i = 0; i < known.length && same; i++) same = known.charCodeAt(i) === bytes[start + i];
    if (same) return known;
  }
  const text = Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1');
  // Bodies choose these strings: a full map is started again rather than grown.
  if (knownStrings.size >= MAX_KNOWN_STRINGS) knownStrings.clear();
  knownStrings.set(hash, text);
  return text;
}

/** Session dates as sent, read (`parseSessionDate`): a send holds the same few dates. */
const sessionDates = new Map<string, string | null>();

function sessionDate(sent: string | undefined): string | undefined {
  if (sent === undefined) return undefined;
  let date = sessionDates.get(sent);
  if (date === undefined) {
    date = parseSessionDate(sent) ?? null;
    if (sessionDates.size >= MAX_KNOWN_STRINGS) sessionDates.clear();
    sessionDates.set(sent, date);
  }
  return date ?? undefined;
}

class Reader {
  at = 0;

  /** The same bytes, for reading four at a time. */
  readonly view: DataView;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Skips JSON whitespace. */
  space(): void {
    const bytes = this.bytes;
    let at = this.at;
    for (;;) {
      const b = bytes[at];
      if (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09) at++;
      else break;
    }
    this.at = at;
  }

  /** The next byte after whitespace, not consumed. */
  peek(): number {
    this.space();
    return this.bytes[this.at] ?? -1;
  }

  expect(byte: number): void {
    this.space();
    if (this.bytes[this.at] !== byte) throw NOT_CLEAN;
    this.at++;
  }

  /** After a member or item: true for a comma (another follows), false for the closing byte. */
  more(close: number): boolean {
    this.space();
    const b = this.bytes[this.at];
    this.at++;
    if (b === COMMA) return true;
    if (b === close) return false;
    throw NOT_CLEAN;
  }

  /** Reads `"name":` when the next key is `name`; false (nothing read) when it is another key. */
  key(name: Buffer): boolean {
    this.space();
    const bytes = this.bytes;
    const at = this.at;
    if (bytes[at] !== QUOTE || bytes[at + name.length + 1] !== QUOTE) return false;
    for (let i = 0; i < name.length; i++) if (bytes[at + 1 + i] !== name[i]) return false;
    this.at = at + name.length + 2;
    this.expect(COLON);
    return true;
  }

  /** A string of printable ASCII without escapes (dates, year groups, sessions, URNs). */
  plainString(): string {
    this.expect(QUOTE);
    const bytes = this.bytes;
    const start = this.at;
    let at = start;
    for (;;) {
      const b = bytes[at];
      if (b === undefined || b < 0x20 || b >= 0x7f || b === BACKSLASH) throw NOT_CLEAN;
      if (b === QUOTE) break;
      at++;
    }
    this.at = at + 1;
    return stringAt(bytes, start, at);
  }

  /** An attendance code, packed (see `packCode`); `\\` and `\/` read as JSON reads them. */
  code(): number {
    this.expect(QUOTE);
    const bytes = this.bytes;
    let packed = 0;
    let length = 0;
    for (;;) {
      let b = bytes[this.at++];
      if (b === QUOTE) break;
      if (b === BACKSLASH) {
        b = bytes[this.at++];
        if (b !== BACKSLASH && b !== SLASH && b !== QUOTE) throw NOT_CLEAN;
      } else if (b === undefined || b < 0x20 || b >= 0x7f) throw NOT_CLEAN;
      if (length === 2) throw NOT_CLEAN;
      packed += length === 0 ? b : b * 128;
      length++;
    }
    if (length === 0) throw NOT_CLEAN;
    return packed;
  }

  /** A count as a plain whole number: digits, no sign, fraction, exponent or leading zero. */
  count(): number {
    this.space();
    const bytes = this.bytes;
    let at = this.at;
    const first = bytes[at];
    if (first === undefined || first < DIGIT_0 || first > DIGIT_9) throw NOT_CLEAN;
    let value = first - DIGIT_0;
    at++;
    if (value === 0) {
      const next = bytes[at];
      if (next !== undefined && next >= DIGIT_0 && next <= DIGIT_9) throw NOT_CLEAN;
    } else {
      for (;;) {
        const b = bytes[at];
        if (b === undefined || b < DIGIT_0 || b > DIGIT_9) break;
        value = value * 10 + (b - DIGIT_0);
        at++;
        if (at - this.at > MAX_COUNT_DIGITS) throw NOT_CLEAN;
      }
    }
    const next = bytes[at];
    if (next === DOT || next === LOWER_E || next === UPPER_E || next === MINUS || next === PLUS)
      throw NOT_CLEAN;
    this.at = at;
    return value;
  }

  /** A count of pupils (`parseCount`): a plain whole number up to `MAX_PUPIL_COUNT`. */
  pupils(): number {
    const value = this.count();
    if (value > MAX_PUPIL_COUNT) throw NOT_CLEAN;
    return value;
  }

  /** A URN as the contract takes it: a number, or a string of 6 digits. */
  urn(): number {
    const value = this.peek() === QUOTE ? this.plainString() : this.count();
    const urn = parseUrn(value);
    if (urn === undefined) throw NOT_CLEAN;
    return urn;
  }

  /** `null`, consumed. */
  isNull(): boolean {
    this.space();
    const bytes = this.bytes;
    const at = this.at;
    if (bytes[at] === 0x6e && bytes[at + 1] === 0x75 && bytes[at + 2] === 0x6c && bytes[at + 3] === 0x6c) {
      this.at = at + 4;
      return true;
    }
    return false;
  }

  atEnd(): boolean {
    this.space();
    return this.at === this.bytes.length;
  }
}

interface Enrolment {
  ncYearGroup: string;
  value: number;
}

function readEnrolments(reader: Reader): Enrolment[] {
  if (reader.isNull()) return [];
  const enrolments: Enrolment[] = [];
  reader.expect(OPEN_BRACKET);
  if (reader.peek() === CLOSE_BRACKET) {
    reader.at++;
    return enrolments;
  }
  do {
    reader.expect(OPEN_BRACE);
    let ncYearGroup: string | undefined;
    let value: number | undefined;
    do {
      if (ncYearGroup === undefined && reader.key(NAMES.ncYearGroup)) ncYearGroup = reader.plainString();
      else if (value === undefined && reader.key(NAMES.value)) value = reader.pupils();
      else throw NOT_CLEAN;
    } while (reader.more(CLOSE_BRACE));
    if (ncYearGroup === undefined || value === undefined || !isPupilYearGroup(ncYearGroup)) throw NOT_CLEAN;
    enrolments.push({ ncYearGroup, value });
  } while (reader.more(CLOSE_BRACKET));
  return enrolments;
}

/** Four bytes of `text` from `at`, as `DataView.getUint32(…, true)` reads them. */
function fourBytes(text: string, at: number): number {
  return Buffer.from(text, 'latin1').readUInt32LE(at);
}

// `{"attendanceCode":"` (19 bytes) as five overlapping groups of four, and `,"value":` (9) as three.
const CODE_PREFIX = '{"attendanceCode":"';
const CODE_0 = fourBytes(CODE_PREFIX, 0);
const CODE_4 = fourBytes(CODE_PREFIX, 4);
const CODE_8 = fourBytes(CODE_PREFIX, 8);
const CODE_12 = fourBytes(CODE_PREFIX, 12);
const CODE_15 = fourBytes(CODE_PREFIX, 15);
const VALUE_PREFIX = ',"value":';
const VALUE_0 = fourBytes(VALUE_PREFIX, 0);
const VALUE_4 = fourBytes(VALUE_PREFIX, 4);
const VALUE_5 = fourBytes(VALUE_PREFIX, 5);
/** The shortest compact mark: `{"attendanceCode":"/","value":0}`. */
const COMPACT_MARK_MIN = CODE_PREFIX.length + 2 + VALUE_PREFIX.length + 2;

/**
 * Reads a mark written exactly as MIS write it (`{"attendanceCode":"/","value":12}`, no spaces, in
 * that order) at `at`, into slot `mark`; returns where it ends, or -1 for any other writing (which
 * `readMark` then reads). This is the loop that runs 2,048 times for a large school: its fixed
 * parts are compared four bytes at a time.
 */
function readCompactMark(bytes: Uint8Array, view: DataView, at: number, mark: number): number {
  if (at + COMPACT_MARK_MIN > bytes.length) return -1;
  if (
    view.getUint32(at, true) !== CODE_0 ||
    view.getUint32(at + 4, true) !== CODE_4 ||
    view.getUint32(at + 8, true) !== CODE_8 ||
    view.getUint32(at + 12, true) !== CODE_12 ||
    view.getUint32(at + 15, true) !== CODE_15
  )
    return -1;
  at += CODE_PREFIX.length;
  let code = 0;
  for (let length = 0; ; length++) {
    let b = bytes[at++] ?? -1;
    if (b === QUOTE) {
      if (length === 0) return -1;
      break;
    }
    if (b === BACKSLASH) {
      b = bytes[at++] ?? -1;
      if (b !== BACKSLASH && b !== SLASH) return -1;
    } else if (b < 0x20 || b >= 0x7f) return -1;
    if (length === 2) return -1;
    code += length === 0 ? b : b * 128;
  }
  // `,"value":` (the code's closing quote is read), if the bytes are there.
  if (
    at + VALUE_PREFIX.length + 2 > bytes.length ||
    view.getUint32(at, true) !== VALUE_0 ||
    view.getUint32(at + 4, true) !== VALUE_4 ||
    view.getUint32(at + 5, true) !== VALUE_5
  )
    return -1;
  at += VALUE_PREFIX.length;
  let b = bytes[at++] ?? -1;
  if (b < DIGIT_0 || b > DIGIT_9) return -1;
  let count = b - DIGIT_0;
  const start = at;
  b = bytes[at++] ?? -1;
  if (count !== 0) {
    while (b >= DIGIT_0 && b <= DIGIT_9) {
      count = count * 10 + (b - DIGIT_0);
      b = bytes[at++] ?? -1;
    }
    if (at - start >= MAX_COUNT_DIGITS || count > MAX_PUPIL_COUNT) return -1;
  }
  if (b !== CLOSE_BRACE) return -1;
  markCodes[mark] = code;
  markCounts[mark] = count;
  return at;
}

/** Reads a mark written any other way JSON allows (spaces, the other order) into slot `mark`. */
function readMark(reader: Reader, mark: number): void {
  reader.expect(OPEN_BRACE);
  let code = -1;
  let count = -1;
  do {
    if (code < 0 && reader.key(NAMES.attendanceCode)) code = reader.code();
    else if (count < 0 && reader.key(NAMES.value)) count = reader.pupils();
    else throw NOT_CLEAN;
  } while (reader.more(CLOSE_BRACE));
  if (code < 0 || count < 0) throw NOT_CLEAN;
  markCodes[mark] = code;
  markCounts[mark] = count;
}

/** Reads one entry's marks into `markCodes`/`markCounts`; returns how many. */
function readMarks(reader: Reader): number {
  reader.expect(OPEN_BRACKET);
  if (reader.peek() === CLOSE_BRACKET) {
    reader.at++;
    return 0;
  }
  let marks = 0;
  do {
    if (marks === markCodes.length) {
      const codes = new Uint16Array(marks * 2);
      codes.set(markCodes);
      markCodes = codes;
      const counts = new Float64Array(marks * 2);
      counts.set(markCounts);
      markCounts = counts;
    }
    reader.space();
    const end = readCompactMark(reader.bytes, reader.view, reader.at, marks);
    if (end < 0) readMark(reader, marks);
    else reader.at = end;
    marks++;
  } while (reader.more(CLOSE_BRACKET));
  return marks;
}

interface ReadEntry {
  date: string;
  session: SchoolSession;
  ncYearGroup: string;
  /** The sum of its marks, for the check against enrolments. */
  total: number;
}

/** Reads one entry and writes its value; every rule on an entry and its marks holds, or it throws. */
function readEntry(reader: Reader, window: SubmissionWindow, days: SchoolDaysWriter): ReadEntry {
  reader.expect(OPEN_BRACE);
  let ncYearGroup: string | undefined;
  let dateSent: string | undefined;
  let session: string | undefined;
  let marks = -1;
  do {
    if (ncYearGroup === undefined && reader.key(NAMES.ncYearGroup)) ncYearGroup = reader.plainString();
    else if (dateSent === undefined && reader.key(NAMES.date)) dateSent = reader.plainString();
    else if (session === undefined && reader.key(NAMES.schoolSession)) session = reader.plainString();
    else if (marks < 0 && reader.key(NAMES.attendances)) marks = readMarks(reader);
    else throw NOT_CLEAN;
  } while (reader.more(CLOSE_BRACE));
  if (ncYearGroup === undefined || !isPupilYearGroup(ncYearGroup)) throw NOT_CLEAN;
  if (session !== 'AM' && session !== 'PM') throw NOT_CLEAN;
  const date = sessionDate(dateSent);
  if (date === undefined || placeInWindow(date, window) !== 'within' || marks < 0) throw NOT_CLEAN;

  const table = codeTableOn(date);
  const stamp = ++entryStamp;
  days.value(date, session, ncYearGroup);
  let total = 0;
  for (let i = 0; i < marks; i++) {
    const slot = table.slots[markCodes[i] ?? 0] ?? 0;
    const code = table.codes[slot - 1];
    if (code === undefined || lastEntryOfCode[code.ordinal] === stamp) throw NOT_CLEAN;
    lastEntryOfCode[code.ordinal] = stamp;
    const count = markCounts[i] ?? 0;
    days.mark(code.name, code.meaning, count);
    total += count;
  }
  days.endValue();
  return { date, session, ncYearGroup, total };
}

/**
 * Reads a clean submission's body (UTF-8 bytes) for storing under `submissionRef`; undefined when
 * the body is anything else, for the general way to answer.
 */
export function readCleanSubmission(
  body: Uint8Array,
  context: ValidationContext,
  submissionRef: string,
): CleanSubmission | undefined {
  const window = submissionWindow(context.receivedAt);
  const days = schoolDaysWriter(submissionRef, context.receivedAt);
  const reader = new Reader(body);
  let urn: number | undefined;
  let pupilsOnRoll: number | undefined;
  let enrolments: Enrolment[] | undefined;
  let entries: ReadEntry[] | undefined;
  try {
    reader.expect(OPEN_BRACE);
    do {
      if (urn === undefined && reader.key(NAMES.urn)) urn = reader.urn();
      else if (pupilsOnRoll === undefined && reader.key(NAMES.totalNoOfPupils))
        pupilsOnRoll = reader.pupils();
      else if (enrolments === undefined && reader.key(NAMES.enrolments)) enrolments = readEnrolments(reader);
      else if (entries === undefined && reader.key(NAMES.submissionData)) {
        entries = [];
        reader.expect(OPEN_BRACKET);
        if (reader.peek() === CLOSE_BRACKET) reader.at++;
        else {
          do entries.push(readEntry(reader, window, days));
          while (reader.more(CLOSE_BRACKET));
        }
      } else throw NOT_CLEAN;
    } while (reader.more(CLOSE_BRACE));
    if (!reader.atEnd()) throw NOT_CLEAN;
  } catch (error) {
    if (error === NOT_CLEAN) return undefined;
    throw error;
  }
  if (urn === undefined || !context.urnExists(urn) || pupilsOnRoll === undefined || entries === undefined)
    return undefined;
  if (!enrolmentsHold(enrolments ?? [], pupilsOnRoll, entries, window)) return undefined;
  if (!entriesAreDistinct(entries)) return undefined;
  return { urn, entriesReceived: entries.length, days: days.days() };
}

/** VAL115, VAL116 and VAL112, for enrolments sent (none sent, or an empty list, is no check). */
function enrolmentsHold(
  enrolments: readonly Enrolment[],
  pupilsOnRoll: number,
  entries: readonly ReadEntry[],
  window: SubmissionWindow,
): boolean {
  if (enrolments.length === 0) return true;
  const byYearGroup = new Map<string, number>();
  let total = 0;
  for (const { ncYearGroup, value } of enrolments) {
    if (byYearGroup.has(ncYearGroup)) return false;
    byYearGroup.set(ncYearGroup, value);
    total += value;
  }
  if (total !== pupilsOnRoll) return false;
  return entries.every((entry) => {
    if (entry.date !== window.today) return true;
    const expected = byYearGroup.get(entry.ncYearGroup);
    return expected === undefined || expected === entry.total;
  });
}

/** VAL110: one entry per (date, school session, year group). */
function entriesAreDistinct(entries: readonly ReadEntry[]): boolean {
  // Nested by part rather than keyed by a joined string: the parts are the reader's cached strings.
  const byDate = new Map<string, Record<SchoolSession, Set<string>>>();
  for (const { date, session, ncYearGroup } of entries) {
    let day = byDate.get(date);
    if (day === undefined) {
      day = { AM: new Set(), PM: new Set() };
      byDate.set(date, day);
    }
    const yearGroups = day[session];
    if (yearGroups.has(ncYearGroup)) return false;
    yearGroups.add(ncYearGroup);
  }
  return true;
}
