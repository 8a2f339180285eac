/**
 * The fast path for reading an extract document (docs/decisions/0017): a recogniser of documents
 * as writers produce them, reading straight from the bytes with no XML parser.
 *
 * `scanExtract` never reports a problem. It returns the same `Extract` that `readExtract` would,
 * or undefined whenever it meets anything it does not handle or any rule that does not hold —
 * DOCTYPE, comments, processing instructions, CDATA, attributes below the root, prefixes,
 * unknown or repeated elements, stray text, text longer than the reader keeps, bad UTF-8, a
 * missing element, a value the rules refuse. `readExtractDocument` then hands the bytes to
 * `readExtract`, which reads anything well-formed and says what is wrong. Callers use
 * `readExtractDocument` and never pick.
 *
 * What it reads: the element structure of Ofsted's v1.3 schema (the reader's spec, fields.ts) in
 * any order, white space between elements, the XML declaration, the root's namespace
 * declarations and xsi attributes in any order, the 5 predefined entities and character
 * references. Text is kept exactly as `readExtract` keeps it: line ends normalised as XML does
 * (CRLF and CR become LF), `&#13;` kept as CR, tokens (codes, dates, numbers, references) trimmed.
 *
 * The rules are `validateRegistration`'s and the reader's own (registration-rules.ts,
 * extract-reader.ts), checked here as plain tests without messages; extract-scan.test.ts compares
 * both readers on every kind of document and on damaged ones.
 *
 * Linear in the document: a string decoded once, a few native searches over it (characters XML
 * forbids, `]]>`, CR: single characters or a fixed string, nothing to backtrack), then one pass;
 * other regular expressions only ever see one short value; text past LEAF_TEXT_CAP characters
 * is not read.
 */

import { isAscii, isUtf8 } from 'node:buffer';
import {
  EXTRACT_DATE_TIME,
  EXTRACT_NAMESPACE,
  EXTRACT_ROOT,
  LEAF_TEXT_CAP,
  normaliseExtractDate,
  readExtract,
  type Extract,
  type ExtractHeader,
} from './extract-reader.ts';
import { FEED_FIELDS, HEADER_LIMITS } from './fields.ts';
import { LA_CODE_PATTERN, MAX_AGE } from './registration-rules.ts';
import {
  AGE_BAND_REGISTERS,
  CHILDCARE_PERIODS,
  NOTICE_TYPES,
  PROVISION_TYPES,
  REFERENCE_NUMBER_PATTERN,
  REGISTER_STATUSES,
  REGISTERS,
  REGISTRATION_STATUSES,
  SPECIAL_CONSIDERATIONS,
  YES_NO,
} from './registration.ts';
import type {
  Address,
  CertificateCondition,
  ChildcareAge,
  ChildcarePeriod,
  ChildServicesRegister,
  Contact,
  Inspection,
  LinkedRegistration,
  Notice,
  NoticeType,
  ProvisionType,
  Register,
  RegisterStatus,
  Registration,
  RegistrationStatus,
  SpecialConsideration,
  StatusHistoryEntry,
  WelfareNotice,
  YesNo,
} from './registration.ts';

/**
 * Reads a whole extract: the fast path when the document is one it recognises, else
 * `readExtract`, which reads it or throws ImportError naming every problem. `file` names the
 * file in problems.
 */
export async function readExtractDocument(bytes: Buffer | Uint8Array, file: string): Promise<Extract> {
  return scanExtract(bytes) ?? (await readExtract(pieces(bytes), file));
}

/** The bytes in pieces, as a file stream would give them: the general reader then holds no whole-document string. */
async function* pieces(bytes: Uint8Array): AsyncIterable<Buffer> {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0; at < buffer.length; at += PIECE_BYTES) yield buffer.subarray(at, at + PIECE_BYTES);
}

const PIECE_BYTES = 64 * 1024;

/** The extract, or undefined when the document is not one this recogniser reads (see above). */
export function scanExtract(bytes: Buffer | Uint8Array): Extract | undefined {
  // The general reader decodes without complaint (bad bytes become U+FFFD); this one only reads
  // what is valid UTF-8, so every character it sees is the one that was sent.
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // ASCII (most documents) decodes several times faster as Latin-1, to the same characters.
  let text: string;
  const ascii = isAscii(buffer);
  if (ascii) text = buffer.toString('latin1');
  else if (isUtf8(buffer)) text = buffer.toString('utf8');
  else return undefined;
  // Characters XML forbids anywhere, and `]]>` outside a CDATA section (which this reader does
  // not read either): the general reader refuses both.
  if (FORBIDDEN.test(text) || text.includes(']]>')) return undefined;
  // XML reads every CRLF and lone CR as LF before anything else (XML 1.0, 2.11).
  const crs = text.includes('\r');
  if (crs) text = text.replace(/\r\n?/g, '\n');
  try {
    return new Scanner(text, ascii && !crs ? buffer : undefined).document();
  } catch (err) {
    if (err === NOT_RECOGNISED) return undefined;
    throw err;
  }
}

/**
 * V8 makes a slice of SLICE_MIN characters or more a view into the string it came from, which
 * would keep a whole document's text alive for as long as any one value read from it is (a
 * change kept, a snapshot held). Below that length a slice is a copy anyway.
 */
const SLICE_MIN = 13;

/** The value with characters of its own: a slice of a flattened one-character-longer copy. */
const ownCopy = (value: string): string => (' ' + value).slice(1);

/** C0 controls but TAB, LF and CR, U+FFFE, U+FFFF (valid UTF-8 holds no lone surrogate). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

/** Thrown (one instance, no stack needed) to give up: the general reader will answer. */
class NotRecognised extends Error {}
const NOT_RECOGNISED = new NotRecognised('not a document the fast path reads');

// ---------------------------------------------------------------------------------------------
// Names. Children are listed in the writer's order: the search for the next element starts after
// the last one found, so a writer's document finds each on the first try.

const REGISTRATION = [
  'ReferenceNumber',
  'RPReferenceNumber',
  'ProvisionType',
  'SecondaryProvisionType',
  'Provider',
  'Setting',
  'SpecialConsiderations',
  'RegistrationStatus',
  'RegistrationStatusHistoryList',
  'RegistrationDate',
  'ChildServicesRegisterList',
  'RegistrationCertificate',
  'ChildcarePeriodList',
  'ChildcareAgeList',
  'InspectionList',
  'NoticeHistoryList',
  'WelfareNoticeHistoryList',
  'LinkedRegistrationList',
  'LastChangeDate',
] as const;
const PROVIDER = ['ProviderName', 'ProviderAddress', 'ProviderContact', 'ProviderConsentWithheld'] as const;
const SETTING = ['SettingName', 'SettingAddress', 'SettingContact'] as const;
const ADDRESS = [
  'AddressLine1',
  'AddressLine2',
  'Town',
  'County',
  'Postcode',
  'UniquePropertyReferenceNumber',
] as const;
const CONTACT = [
  'TelephoneNumber',
  'MobileNumber',
  'WorkTelephoneNumber',
  'FaxNumber',
  'EmailAddress',
] as const;
const STATUS_HISTORY = ['RegistrationStatus', 'ChangeDate'] as const;
const REGISTER = ['Register', 'Status', 'StartDate', 'EndDate'] as const;
const CERTIFICATE = ['CertificateConditionList'] as const;
const CONDITION = ['Condition', 'Register'] as const;
const AGE = ['AgeFrom', 'AgeTo', 'MaximumNumber', 'Register'] as const;
const INSPECTION = ['InspectionType', 'InspectionDate', 'InspectionOverallJudgement'] as const;
const NOTICE = ['Type', 'SubType', 'Status', 'NOIDate', 'NODDate'] as const;
const WELFARE = ['WelfareCategory', 'WelfareStartDate', 'WelfareEndDate'] as const;
const LINKED = ['ReferenceNumber', 'LinkedReason'] as const;
const ROOT_CHILDREN = ['Registration', 'Extract'] as const;
const EXTRACT = ['ExtractDateTime', 'LocalAuthority'] as const;
const LOCAL_AUTHORITY = ['LocalAuthorityCode', 'LocalAuthorityName'] as const;

/** The lists of a registration: the list element and its item's name (alone in an array, as `child` takes it). */
const list = (name: string, item: string) => ({ name, item, items: [item] as const });
const LISTS = {
  statusHistory: list('RegistrationStatusHistoryList', 'RegistrationStatusHistory'),
  registers: list('ChildServicesRegisterList', 'ChildServicesRegister'),
  conditions: list('CertificateConditionList', 'CertificateCondition'),
  periods: list('ChildcarePeriodList', 'ChildcarePeriod'),
  ages: list('ChildcareAgeList', 'ChildcareAge'),
  inspections: list('InspectionList', 'Inspection'),
  notices: list('NoticeHistoryList', 'NoticeHistory'),
  welfare: list('WelfareNoticeHistoryList', 'WelfareNoticeHistory'),
  linked: list('LinkedRegistrationList', 'LinkedRegistration'),
};
type List = (typeof LISTS)[keyof typeof LISTS];

// ---------------------------------------------------------------------------------------------
// Limits, from the field table: the same the rules apply (textProblem over FEED_FIELDS).

/** Longest value of a property the rules check, in characters; Infinity when they check none. */
function limitOf(property: string): number {
  const field = FEED_FIELDS.find((f) => f.property === property);
  return field !== undefined && field.maxLength !== undefined ? field.maxLength : Infinity;
}

interface AddressLimits {
  line1: number;
  line2: number;
  town: number;
  county: number;
  postcode: number;
  uprn: number;
}

const addressLimits = (who: string): AddressLimits => ({
  line1: limitOf(`${who}.address.addressLine1`),
  line2: limitOf(`${who}.address.addressLine2`),
  town: limitOf(`${who}.address.town`),
  county: limitOf(`${who}.address.county`),
  postcode: limitOf(`${who}.address.postcode`),
  uprn: limitOf(`${who}.address.uprn`),
});

const CONTACT_PROPERTIES = [
  'telephoneNumber',
  'mobileNumber',
  'workTelephoneNumber',
  'faxNumber',
  'emailAddress',
] as const;
const contactLimits = (who: string): number[] =>
  CONTACT_PROPERTIES.map((p) => limitOf(`${who}.contact.${p}`));

const LIMIT = {
  providerName: limitOf('provider.name'),
  providerAddress: addressLimits('provider'),
  providerContact: contactLimits('provider'),
  settingName: limitOf('setting.name'),
  settingAddress: addressLimits('setting'),
  settingContact: contactLimits('setting'),
  condition: limitOf('certificateConditions[].condition'),
  inspectionType: limitOf('inspections[].inspectionType'),
  judgement: limitOf('inspections[].overallJudgement'),
  subType: limitOf('notices[].subType'),
  noticeStatus: limitOf('notices[].status'),
  welfareCategory: limitOf('welfareNotices[].category'),
  linkedReason: limitOf('linkedRegistrations[].reason'),
  laName: HEADER_LIMITS.LocalAuthorityName,
};

// ---------------------------------------------------------------------------------------------
// Value rules, as tests. Each mirrors a rule of validateRegistration or the reader.

/** Within `max` characters as XML Schema counts them (code points). */
function fits(value: string, max: number): boolean {
  if (value.length <= max) return true;
  let n = value.length;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) n--;
  }
  return n <= max;
}

/** Required free text: not blank, within its limit. */
const filledText = (value: string, max: number): boolean => value.trim() !== '' && fits(value, max);

/** A date token as the reader keeps it (`…T00:00:00` dropped), or undefined when it is no calendar date. */
function dateOf(token: string): string | undefined {
  const date = token.length === 10 ? token : normaliseExtractDate(token);
  return isDate(date) ? date : undefined;
}

/**
 * `isCalendarDate` without its regular expression, Date and cache: `YYYY-MM-DD` naming a day
 * that exists. Years before 100 are not dates there (Date.UTC maps them to 19xx), nor here.
 */
function isDate(value: string): boolean {
  if (value.length !== 10 || value.charCodeAt(4) !== 0x2d || value.charCodeAt(7) !== 0x2d) return false;
  const year = digits(value, 0, 4);
  const month = digits(value, 5, 7);
  const day = digits(value, 8, 10);
  if (year < 100 || month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 ? (leap ? 29 : 28) : DAYS_IN_MONTH[month]!);
}

const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The ASCII digits `value[from..to)` as a number; -1 if any is not a digit. */
function digits(value: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = value.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** A whole number as the reader converts it (`/^-?\d+$/`, then Number), or NaN. */
function wholeNumberOf(token: string): number {
  const start = token.charCodeAt(0) === 0x2d ? 1 : 0;
  if (token.length === start) return NaN;
  for (let i = start; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return NaN;
  }
  return Number(token);
}

/** BS7666 UPRN, as the rules check it: `/^0*[1-9]\d{0,11}$/`. */
const UPRN_PATTERN = /^0*[1-9]\d{0,11}$/;

const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';
const XMLNS_NAMESPACE = 'http://www.w3.org/2000/xmlns/';
const XSI_NAMESPACE = 'http://www.w3.org/2001/XMLSchema-instance';

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const AMP = 0x26;
const CR = 0x0d;
const LF = 0x0a;
const TAB = 0x09;
const SPACE = 0x20;
const QUESTION = 0x3f;
const EQUALS = 0x3d;
const QUOTE = 0x22;
const APOSTROPHE = 0x27;

const isSpace = (c: number): boolean => c === SPACE || c === LF || c === TAB || c === CR;

/** XML 1.0's Char production. */
const isXmlChar = (c: number): boolean =>
  c === TAB ||
  c === LF ||
  c === CR ||
  (c >= 0x20 && c <= 0xd7ff) ||
  (c >= 0xe000 && c <= 0xfffd) ||
  (c >= 0x10000 && c <= 0x10ffff);

const PREDEFINED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

// ---------------------------------------------------------------------------------------------

class Scanner {
  private p = 0;
  /** Whether the element the last `child` call opened was written `<Name />`. */
  private selfClosed = false;
  private readonly references = new Set<string>();

  constructor(
    private readonly s: string,
    /** The document's bytes when positions in `s` are positions in them (ASCII, line ends untouched). */
    private readonly bytes: Buffer | undefined,
  ) {}

  private fail(): never {
    throw NOT_RECOGNISED;
  }

  document(): Extract {
    const s = this.s;
    // TextDecoder, under the general reader, drops one byte order mark.
    if (s.charCodeAt(0) === 0xfeff) this.p = 1;
    if (s.startsWith('<?xml', this.p) && isSpace(s.charCodeAt(this.p + 5))) this.declaration();
    this.space();
    this.rootStartTag();

    const registrations: Registration[] = [];
    let header: ExtractHeader | undefined;
    let i: number;
    while ((i = this.child(ROOT_CHILDREN, 0)) >= 0) {
      if (i === 0) registrations.push(this.registration());
      else if (header === undefined) header = this.extract();
      else this.fail();
    }
    this.end(EXTRACT_ROOT);
    this.space();
    if (this.p !== s.length || header === undefined) this.fail();
    for (const r of registrations) r.laCode = header.laCode;
    return { header, registrations };
  }

  // --- the prolog and the root ------------------------------------------------------------------

  /** `<?xml version="1.0" encoding="utf-8" standalone="…"?>`, only at the very start. */
  private declaration(): void {
    this.p += 5;
    this.space();
    if (this.attributeName() !== 'version' || this.attributeValue() !== '1.0') this.fail();
    let spaced = this.space();
    if (this.s.startsWith('encoding', this.p)) {
      if (!spaced || this.attributeName() !== 'encoding') this.fail();
      const encoding = this.attributeValue().toLowerCase();
      // As the general reader: bytes are read as UTF-8, and any other declared encoding is refused.
      if (encoding !== 'utf-8' && encoding !== 'utf8') this.fail();
      spaced = this.space();
    }
    if (this.s.startsWith('standalone', this.p)) {
      if (!spaced || this.attributeName() !== 'standalone') this.fail();
      const standalone = this.attributeValue();
      if (standalone !== 'yes' && standalone !== 'no') this.fail();
      this.space();
    }
    if (this.s.charCodeAt(this.p) !== QUESTION || this.s.charCodeAt(this.p + 1) !== GT) this.fail();
    this.p += 2;
  }

  /**
   * The root start tag: its namespace declarations and xsi attributes (serialiser noise the
   * general reader ignores), in any order. The default namespace must be the extract's, and no
   * other attribute is allowed.
   */
  private rootStartTag(): void {
    const s = this.s;
    if (s.charCodeAt(this.p) !== LT || !s.startsWith(EXTRACT_ROOT, this.p + 1)) this.fail();
    this.p += 1 + EXTRACT_ROOT.length;
    const attributes = new Map<string, string>();
    for (;;) {
      const spaced = this.space();
      const c = s.charCodeAt(this.p);
      if (c === GT) break;
      if (!spaced) this.fail();
      const name = this.attributeName();
      if (attributes.has(name)) this.fail();
      attributes.set(name, this.attributeValue());
    }
    this.p++;

    if (attributes.get('xmlns') !== EXTRACT_NAMESPACE) this.fail();
    const locals = new Set<string>();
    for (const [name, value] of attributes) {
      if (name === 'xmlns') continue;
      const colon = name.indexOf(':');
      if (colon < 0) this.fail();
      const prefix = name.slice(0, colon);
      const local = name.slice(colon + 1);
      if (prefix === 'xmlns') {
        if (
          /^xml/i.test(local) ||
          value === '' ||
          value.includes(' ') ||
          value === XML_NAMESPACE ||
          value === XMLNS_NAMESPACE
        )
          this.fail();
      } else {
        // Only xsi:* (schemaLocation and the like), bound in this same tag, once each.
        if (attributes.get(`xmlns:${prefix}`) !== XSI_NAMESPACE || locals.has(local)) this.fail();
        locals.add(local);
      }
    }
  }

  /** An attribute or pseudo-attribute name: ASCII letters, digits, `_.-`, at most one colon inside. */
  private attributeName(): string {
    const s = this.s;
    const start = this.p;
    let p = start;
    let partStart = start;
    let colons = 0;
    for (; ; p++) {
      const c = s.charCodeAt(p);
      const letter = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
      if (letter) continue;
      // Digits, `-` and `.` only after a part's first character.
      if (p > partStart && ((c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e)) continue;
      if (c === 0x3a && p > partStart && colons === 0) {
        colons++;
        partStart = p + 1;
        continue;
      }
      break;
    }
    if (p === partStart) this.fail();
    this.p = p;
    return s.slice(start, p);
  }

  /** `= "value"` (or `'value'`): printable ASCII only, no `<` or `&`. */
  private attributeValue(): string {
    const s = this.s;
    this.space();
    if (s.charCodeAt(this.p) !== EQUALS) this.fail();
    this.p++;
    this.space();
    const quote = s.charCodeAt(this.p);
    if (quote !== QUOTE && quote !== APOSTROPHE) this.fail();
    const start = ++this.p;
    let p = start;
    for (;;) {
      const c = s.charCodeAt(p);
      if (c === quote) break;
      if (!(c >= 0x20 && c <= 0x7e) || c === LT || c === AMP) this.fail();
      p++;
    }
    this.p = p + 1;
    return s.slice(start, p);
  }

  // --- elements -----------------------------------------------------------------------------------

  /** Skips XML white space; true when there was some. */
  private space(): boolean {
    const s = this.s;
    const start = this.p;
    let p = start;
    for (;;) {
      const c = s.charCodeAt(p);
      if (c === SPACE || c === LF || c === TAB || c === CR) p++;
      else break;
    }
    this.p = p;
    return p > start;
  }

  /**
   * Inside a container: skips white space and opens the next child, one of `names`, returning its
   * index (searching from `from`); -1 at the container's end tag (left unread). Anything else —
   * text, a comment, an unknown element, an attribute — gives up.
   */
  private child(names: readonly string[], from: number): number {
    this.space();
    const s = this.s;
    const lt = this.p;
    if (s.charCodeAt(lt) !== LT) this.fail();
    if (s.charCodeAt(lt + 1) === SLASH) return -1;
    const n = names.length;
    for (let k = 0, i = from; k < n; k++, i++) {
      if (i >= n) i -= n;
      const name = names[i]!;
      if (!s.startsWith(name, lt + 1)) continue;
      let p = lt + 1 + name.length;
      let c = s.charCodeAt(p);
      if (c !== GT && c !== SLASH) {
        if (!isSpace(c)) continue; // a longer name that starts with this one
        while (isSpace(c)) c = s.charCodeAt(++p);
      }
      if (c === GT) {
        this.p = p + 1;
        this.selfClosed = false;
      } else if (c === SLASH && s.charCodeAt(p + 1) === GT) {
        this.p = p + 2;
        this.selfClosed = true;
      } else this.fail();
      return i;
    }
    return this.fail();
  }

  /** `</name>` (white space allowed before `>`). */
  private end(name: string): void {
    const s = this.s;
    let p = this.p;
    if (s.charCodeAt(p) !== LT || s.charCodeAt(p + 1) !== SLASH || !s.startsWith(name, p + 2)) this.fail();
    p += 2 + name.length;
    while (isSpace(s.charCodeAt(p))) p++;
    if (s.charCodeAt(p) !== GT) this.fail();
    this.p = p + 1;
  }

  /** Position of the next `&` at or after the last text read (Infinity when there is none). */
  private nextAmpersand = -1;

  /** The text of the leaf just opened, exactly as the general reader keeps it, and its end tag. */
  private text(name: string): string {
    if (this.selfClosed) return '';
    const s = this.s;
    const start = this.p;
    const lt = s.indexOf('<', start);
    // Longer raw text is not read here: decoded text is never longer than raw text, so nothing
    // the reader keeps whole is lost by giving up.
    if (lt < 0 || lt - start > LEAF_TEXT_CAP) this.fail();
    if (this.nextAmpersand < start) {
      const at = s.indexOf('&', start);
      this.nextAmpersand = at < 0 ? Infinity : at;
    }
    const decoded = this.nextAmpersand < lt;
    this.p = lt;
    this.end(name);
    // Long values get characters of their own (SLICE_MIN): straight from the bytes when they
    // are the text's, else a copy of the slice.
    if (!decoded && this.bytes !== undefined && lt - start >= SLICE_MIN) {
      return this.bytes.toString('latin1', start, lt);
    }
    const value = decoded ? this.decodedText(start, lt) : s.slice(start, lt);
    return value.length < SLICE_MIN ? value : ownCopy(value);
  }

  /** Text with entities or character references in it. */
  private decodedText(start: number, lt: number): string {
    const s = this.s;
    let out = '';
    let from = start;
    let p = this.nextAmpersand;
    while (p < lt) {
      if (s.charCodeAt(p) === AMP) {
        out += s.slice(from, p);
        p = this.characterReference(p);
        out += this.referenced;
        from = p;
      } else p++;
    }
    if (p > lt) this.fail();
    return out + s.slice(from, lt);
  }

  /** What the last `characterReference` stood for. */
  private referenced = '';

  /** Reads `&…;` at `at`; sets `referenced` and returns the position after the `;`. */
  private characterReference(at: number): number {
    const s = this.s;
    // The longest accepted is `&#x10FFFF;` or eight decimal digits; no search past that.
    let semicolon = at + 1;
    while (semicolon - at <= 10 && s.charCodeAt(semicolon) !== 0x3b) semicolon++;
    if (semicolon - at > 10) this.fail();
    const body = s.slice(at + 1, semicolon);
    if (body.charCodeAt(0) === 0x23) {
      const hex = body.charCodeAt(1) === 0x78;
      const digits = body.slice(hex ? 2 : 1);
      if (digits === '' || !(hex ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/).test(digits)) this.fail();
      const code = parseInt(digits, hex ? 16 : 10);
      if (!isXmlChar(code)) this.fail();
      this.referenced = String.fromCodePoint(code);
    } else {
      const char = Object.hasOwn(PREDEFINED, body) ? PREDEFINED[body] : undefined;
      if (char === undefined) this.fail();
      this.referenced = char;
    }
    return semicolon + 1;
  }

  /** A token (code, date, number, reference): the text without surrounding white space, as the reader's `trim`. */
  private token(name: string): string {
    return this.text(name).trim();
  }

  /** An optional token: absent, empty and blank are all "not given". */
  private optionalToken(name: string): string | undefined {
    const token = this.text(name).trim();
    return token === '' ? undefined : token;
  }

  /** An optional text: empty is "not given", anything else is kept exactly. */
  private optionalText(name: string, max: number): string | undefined {
    const text = this.text(name);
    if (text === '') return undefined;
    if (!fits(text, max)) this.fail();
    return text;
  }

  private code<C extends string>(name: string, codes: readonly C[]): C {
    const code = this.optionalCode(name, codes);
    if (code === undefined) this.fail();
    return code;
  }

  /**
   * The code the leaf just opened holds, as the list's own string (nothing allocated for the
   * usual `<Status>ACTV</Status>`); undefined when blank. Gives up on anything not in `codes`.
   */
  private optionalCode<C extends string>(name: string, codes: readonly C[]): C | undefined {
    if (this.selfClosed) return undefined;
    const s = this.s;
    const start = this.p;
    const lt = s.indexOf('<', start);
    if (lt < 0) this.fail();
    let a = start;
    let b = lt;
    while (a < b && isSpace(s.charCodeAt(a))) a++;
    while (b > a && isSpace(s.charCodeAt(b - 1))) b--;
    for (let k = 0; k < codes.length; k++) {
      const code = codes[k]!;
      if (code.length === b - a && s.startsWith(code, a)) {
        this.p = lt;
        this.end(name);
        return code;
      }
    }
    // Entities, other white space, or no code at all: read as a token, as the reader does.
    const token = this.text(name).trim();
    if (token === '') return undefined;
    const at = (codes as readonly string[]).indexOf(token);
    if (at < 0) this.fail();
    return codes[at];
  }

  private date(name: string): string {
    const date = dateOf(this.token(name));
    if (date === undefined) this.fail();
    return date;
  }

  private optionalDate(name: string): string | undefined {
    const token = this.optionalToken(name);
    if (token === undefined) return undefined;
    const date = dateOf(token);
    if (date === undefined) this.fail();
    return date;
  }

  private referenceNumber(name: string): string {
    const token = this.token(name);
    if (!REFERENCE_NUMBER_PATTERN.test(token)) this.fail();
    return token;
  }

  /** Marks child `i` as seen in `seen`, giving up if it already was (the reader refuses a repeat). */
  private once(seen: number, i: number): number {
    const bit = 1 << i;
    if ((seen & bit) !== 0) this.fail();
    return seen | bit;
  }

  // --- the header ---------------------------------------------------------------------------------

  private extract(): ExtractHeader {
    if (this.selfClosed) this.fail();
    let extractDateTime: string | undefined;
    let la: { laCode: string; laName: string } | undefined;
    let seen = 0;
    let i = 0;
    while ((i = this.child(EXTRACT, i)) >= 0) {
      seen = this.once(seen, i);
      if (i === 0) {
        extractDateTime = this.token(EXTRACT[0]);
        const date = EXTRACT_DATE_TIME.exec(extractDateTime)?.[1];
        if (date === undefined || !isDate(date)) this.fail();
      } else la = this.localAuthority();
    }
    this.end('Extract');
    if (extractDateTime === undefined || la === undefined) this.fail();
    return { extractDateTime, laCode: la.laCode, laName: la.laName };
  }

  private localAuthority(): { laCode: string; laName: string } {
    if (this.selfClosed) this.fail();
    let laCode: string | undefined;
    let laName: string | undefined;
    let seen = 0;
    let i = 0;
    while ((i = this.child(LOCAL_AUTHORITY, i)) >= 0) {
      seen = this.once(seen, i);
      if (i === 0) laCode = this.token(LOCAL_AUTHORITY[0]);
      else laName = this.text(LOCAL_AUTHORITY[1]);
    }
    this.end('LocalAuthority');
    if (laCode === undefined || !LA_CODE_PATTERN.test(laCode)) this.fail();
    if (laName === undefined || !filledText(laName, LIMIT.laName)) this.fail();
    return { laCode, laName };
  }

  // --- a registration -------------------------------------------------------------------------

  private registration(): Registration {
    if (this.selfClosed) this.fail();
    let referenceNumber: string | undefined;
    let rpReferenceNumber: string | undefined;
    let provisionType: ProvisionType | undefined;
    let secondaryProvisionType: ProvisionType | undefined;
    let provider: Registration['provider'] | undefined;
    let setting: Registration['setting'];
    let specialConsiderations: SpecialConsideration | undefined;
    let status: RegistrationStatus | undefined;
    let statusHistory: StatusHistoryEntry[] | undefined;
    let registrationDate: string | undefined;
    let registers: ChildServicesRegister[] | undefined;
    let certificateConditions: CertificateCondition[] | undefined;
    let childcarePeriods: ChildcarePeriod[] | undefined;
    let ageBands: ChildcareAge[] | undefined;
    let inspections: Inspection[] | undefined;
    let notices: Notice[] | undefined;
    let welfareNotices: WelfareNotice[] | undefined;
    let linkedRegistrations: LinkedRegistration[] | undefined;
    let lastChangeDate: string | undefined;

    let seen = 0;
    let i = 0;
    while ((i = this.child(REGISTRATION, i)) >= 0) {
      seen = this.once(seen, i);
      const name = REGISTRATION[i]!;
      switch (i) {
        case 0:
          referenceNumber = this.referenceNumber(name);
          break;
        case 1:
          rpReferenceNumber = this.optionalToken(name);
          if (rpReferenceNumber !== undefined && !REFERENCE_NUMBER_PATTERN.test(rpReferenceNumber))
            this.fail();
          break;
        case 2:
          provisionType = this.code(name, PROVISION_TYPES);
          break;
        case 3:
          secondaryProvisionType = this.optionalCode(name, PROVISION_TYPES);
          break;
        case 4:
          provider = this.provider();
          break;
        case 5:
          setting = this.setting();
          break;
        case 6:
          specialConsiderations = this.optionalCode(name, SPECIAL_CONSIDERATIONS);
          break;
        case 7:
          status = this.code(name, REGISTRATION_STATUSES);
          break;
        case 8:
          statusHistory = this.statusHistory();
          break;
        case 9:
          registrationDate = this.optionalDate(name);
          break;
        case 10:
          registers = this.registers();
          break;
        case 11:
          certificateConditions = this.certificate();
          break;
        case 12:
          childcarePeriods = this.periods();
          break;
        case 13:
          ageBands = this.ageBands();
          break;
        case 14:
          inspections = this.inspections();
          break;
        case 15:
          notices = this.notices();
          break;
        case 16:
          welfareNotices = this.welfareNotices();
          break;
        case 17:
          linkedRegistrations = this.linkedRegistrations();
          break;
        default:
          lastChangeDate = this.date(name);
      }
      i++;
    }
    this.end('Registration');
    if (
      referenceNumber === undefined ||
      provisionType === undefined ||
      provider === undefined ||
      status === undefined ||
      lastChangeDate === undefined ||
      // A registered person's record never carries a setting.
      (setting !== undefined && provisionType === 'RPP') ||
      this.references.has(referenceNumber)
    )
      this.fail();
    this.references.add(referenceNumber);

    // Properties in the order the general reader creates them.
    const r: Registration = {
      referenceNumber,
      laCode: '',
      provisionType,
      provider,
      status,
      statusHistory: statusHistory ?? [],
      registers: registers ?? [],
      childcarePeriods: childcarePeriods ?? [],
      ageBands: ageBands ?? [],
      inspections: inspections ?? [],
      notices: notices ?? [],
      lastChangeDate,
    };
    if (rpReferenceNumber !== undefined) r.rpReferenceNumber = rpReferenceNumber;
    if (secondaryProvisionType !== undefined) r.secondaryProvisionType = secondaryProvisionType;
    if (setting !== undefined) r.setting = setting;
    if (specialConsiderations !== undefined) r.specialConsiderations = specialConsiderations;
    if (registrationDate !== undefined) r.registrationDate = registrationDate;
    if (certificateConditions !== undefined && certificateConditions.length > 0)
      r.certificateConditions = certificateConditions;
    if (welfareNotices !== undefined && welfareNotices.length > 0) r.welfareNotices = welfareNotices;
    if (linkedRegistrations !== undefined && linkedRegistrations.length > 0)
      r.linkedRegistrations = linkedRegistrations;
    return r;
  }

  private provider(): Registration['provider'] {
    if (this.selfClosed) this.fail();
    let name: string | undefined;
    let address: Address | undefined;
    let contact: Contact | undefined;
    let consentWithheld: YesNo | undefined;
    let seen = 0;
    let i = 0;
    while ((i = this.child(PROVIDER, i)) >= 0) {
      seen = this.once(seen, i);
      if (i === 0) name = this.text(PROVIDER[0]);
      else if (i === 1) address = this.address(PROVIDER[1], LIMIT.providerAddress);
      else if (i === 2) contact = this.contact(PROVIDER[2], LIMIT.providerContact);
      else consentWithheld = this.optionalCode(PROVIDER[3], YES_NO);
      i++;
    }
    this.end('Provider');
    if (name === undefined || !filledText(name, LIMIT.providerName) || address === undefined) this.fail();
    const provider: Registration['provider'] = { name, address };
    if (contact !== undefined) provider.contact = contact;
    if (consentWithheld !== undefined) provider.consentWithheld = consentWithheld;
    return provider;
  }

  private setting(): Registration['setting'] {
    if (this.selfClosed) this.fail();
    let name: string | undefined;
    let address: Address | undefined;
    let contact: Contact | undefined;
    let seen = 0;
    let i = 0;
    while ((i = this.child(SETTING, i)) >= 0) {
      seen = this.once(seen, i);
      if (i === 0) name = this.text(SETTING[0]);
      else if (i === 1) address = this.address(SETTING[1], LIMIT.settingAddress);
      else contact = this.contact(SETTING[2], LIMIT.settingContact);
      i++;
    }
    this.end('Setting');
    if (name === undefined || !filledText(name, LIMIT.settingName) || address === undefined) this.fail();
    const setting: NonNullable<Registration['setting']> = { name, address };
    if (contact !== undefined) setting.contact = contact;
    return setting;
  }

  private address(element: string, limit: AddressLimits): Address {
    if (this.selfClosed) this.fail();
    let line1: string | undefined;
    let line2: string | undefined;
    let town: string | undefined;
    let county: string | undefined;
    let postcode: string | undefined;
    let uprn: string | undefined;
    let seen = 0;
    let i = 0;
    while ((i = this.child(ADDRESS, i)) >= 0) {
      seen = this.once(seen, i);
      const name = ADDRESS[i]!;
      switch (i) {
        case 0:
          line1 = this.text(name);
          break;
        case 1:
          line2 = this.optionalText(name, limit.line2);
          break;
        case 2:
          town = this.text(name);
          break;
        case 3:
          county = this.optionalText(name, limit.county);
          break;
        case 4:
          postcode = this.optionalText(name, limit.postcode);
          break;
        default:
          uprn = this.optionalToken(name);
          if (uprn !== undefined && (!UPRN_PATTERN.test(uprn) || !fits(uprn, limit.uprn))) this.fail();
      }
      i++;
    }
    this.end(element);
    if (
      line1 === undefined ||
      !filledText(line1, limit.line1) ||
      town === undefined ||
      !filledText(town, limit.town)
    )
      this.fail();
    const address: Address = { addressLine1: line1, town };
    if (line2 !== undefined) address.addressLine2 = line2;
    if (county !== undefined) address.county = county;
    if (postcode !== undefined) address.postcode = postcode;
    if (uprn !== undefined) address.uprn = uprn;
    return address;
  }

  /** Undefined when no part has a value, as the reader (no empty `contact: {}`). */
  private contact(element: string, limits: readonly number[]): Contact | undefined {
    if (this.selfClosed) return undefined;
    const values: (string | undefined)[] = [undefined, undefined, undefined, undefined, undefined];
    let seen = 0;
    let i = 0;
    while ((i = this.child(CONTACT, i)) >= 0) {
      seen = this.once(seen, i);
      values[i] = this.optionalText(CONTACT[i]!, limits[i]!);
      i++;
    }
    this.end(element);
    let contact: Contact | undefined;
    for (let k = 0; k < CONTACT_PROPERTIES.length; k++) {
      const value = values[k];
      if (value !== undefined) (contact ??= {})[CONTACT_PROPERTIES[k]!] = value;
    }
    return contact;
  }

  // --- lists --------------------------------------------------------------------------------------

  /** Opens the next item of a list (`[list, item]`); false at the list's end tag, which it reads. */
  private item(list: List): boolean {
    if (this.child(list.items, 0) >= 0) return true;
    this.end(list.name);
    return false;
  }

  private statusHistory(): StatusHistoryEntry[] {
    const out: StatusHistoryEntry[] = [];
    if (this.selfClosed) return out;
    while (this.item(LISTS.statusHistory)) {
      if (this.selfClosed) this.fail();
      let status: RegistrationStatus | undefined;
      let changeDate: string | undefined;
      let seen = 0;
      let i = 0;
      while ((i = this.child(STATUS_HISTORY, i)) >= 0) {
        seen = this.once(seen, i);
        if (i === 0) status = this.code(STATUS_HISTORY[0], REGISTRATION_STATUSES);
        else changeDate = this.date(STATUS_HISTORY[1]);
        i++;
      }
      this.end(LISTS.statusHistory.item);
      if (status === undefined || changeDate === undefined) this.fail();
      out.push({ status, changeDate });
    }
    return out;
  }

  private registers(): ChildServicesRegister[] {
    const out: ChildServicesRegister[] = [];
    if (this.selfClosed) return out;
    while (this.item(LISTS.registers)) {
      if (this.selfClosed) this.fail();
      let register: Register | undefined;
      let status: RegisterStatus | undefined;
      let startDate: string | undefined;
      let endDate: string | undefined;
      let seen = 0;
      let i = 0;
      while ((i = this.child(REGISTER, i)) >= 0) {
        seen = this.once(seen, i);
        if (i === 0) register = this.code(REGISTER[0], REGISTERS);
        else if (i === 1) status = this.code(REGISTER[1], REGISTER_STATUSES);
        else if (i === 2) startDate = this.date(REGISTER[2]);
        else endDate = this.optionalDate(REGISTER[3]);
        i++;
      }
      this.end(LISTS.registers.item);
      if (register === undefined || status === undefined || startDate === undefined) this.fail();
      if (endDate !== undefined && endDate < startDate) this.fail();
      const entry: ChildServicesRegister = { register, status, startDate };
      if (endDate !== undefined) entry.endDate = endDate;
      out.push(entry);
    }
    return out;
  }

  /** RegistrationCertificate: its conditions, [] when it has none. */
  private certificate(): CertificateCondition[] {
    const out: CertificateCondition[] = [];
    if (this.selfClosed) return out;
    let seen = 0;
    while (this.child(CERTIFICATE, 0) >= 0) {
      seen = this.once(seen, 0);
      if (this.selfClosed) continue;
      while (this.item(LISTS.conditions)) {
        if (this.selfClosed) this.fail();
        let condition: string | undefined;
        let register: Register | undefined;
        let seenPart = 0;
        let i = 0;
        while ((i = this.child(CONDITION, i)) >= 0) {
          seenPart = this.once(seenPart, i);
          if (i === 0) condition = this.text(CONDITION[0]);
          else register = this.optionalCode(CONDITION[1], REGISTERS);
          i++;
        }
        this.end(LISTS.conditions.item);
        if (condition === undefined || !filledText(condition, LIMIT.condition)) this.fail();
        const entry: CertificateCondition = { condition };
        if (register !== undefined) entry.register = register;
        out.push(entry);
      }
    }
    this.end('RegistrationCertificate');
    return out;
  }

  private periods(): ChildcarePeriod[] {
    const out: ChildcarePeriod[] = [];
    if (this.selfClosed) return out;
    while (this.item(LISTS.periods)) out.push(this.code(LISTS.periods.item, CHILDCARE_PERIODS));
    return out;
  }

  private ageBands(): ChildcareAge[] {
    const out: ChildcareAge[] = [];
    if (this.selfClosed) return out;
    while (this.item(LISTS.ages)) {
      if (this.selfClosed) this.fail();
      let ageFrom = NaN;
      let ageTo = NaN;
      let maximumNumber = NaN;
      let register: Register | undefined;
      let seen = 0;
      let i = 0;
      while ((i = this.child(AGE, i)) >= 0) {
        seen = this.once(seen, i);
        if (i === 0) ageFrom = wholeNumberOf(this.token(AGE[0]));
        else if (i === 1) ageTo = wholeNumberOf(this.token(AGE[1]));
        else if (i === 2) maximumNumber = wholeNumberOf(this.token(AGE[2]));
        else register = this.optionalCode(AGE[3], AGE_BAND_REGISTERS);
        i++;
      }
      this.end(LISTS.ages.item);
      // Number.isInteger also refuses what is missing (NaN) and digits past 1e308 (Infinity).
      if (
        !Number.isInteger(ageFrom) ||
        !Number.isInteger(ageTo) ||
        !Number.isInteger(maximumNumber) ||
        ageFrom < 0 ||
        ageFrom > MAX_AGE ||
        ageTo < 0 ||
        ageTo > MAX_AGE ||
        ageFrom >= ageTo ||
        maximumNumber < 0
      )
        this.fail();
      const band: ChildcareAge = { ageFrom, ageTo, maximumNumber };
      if (register !== undefined) band.register = register;
      out.push(band);
    }
    return out;
  }

  private inspections(): Inspection[] {
    const out: Inspection[] = [];
    if (this.selfClosed) return out;
    while (this.item(LISTS.inspections)) {
      if (this.selfClosed) this.fail();
      let inspectionType: string | undefined;
      let inspectionDate: string | undefined;
      let overallJudgement: string | undefined;
      let seen = 0;
      let i = 0;
      while ((i = this.child(INSPECTION, i)) >= 0) {
        seen = this.once(seen, i);
        if (i === 0) inspectionType = this.text(INSPECTION[0]);
        else if (i === 1) inspectionDate = this.date(INSPECTION[1]);
        else overallJudgement = this.text(INSPECTION[2]);
        i++;
      }
      this.end(LISTS.inspections.item);
      if (
        inspectionType === undefined ||
        !filledText(inspectionType, LIMIT.inspectionType) ||
        inspectionDate === undefined ||
        // Judgements are free text and may be empty, but the element is required.
        overallJudgement === undefined ||
        !fits(overallJudgement, LIMIT.judgement)
      )
        this.fail();
      out.push({ inspectionType, inspectionDate, overallJudgement });
    }
    return out;
  }

  private notices(): Notice[] {
    const out: Notice[] = [];
    if (this.selfClosed) return out;
    while (this.item(LISTS.notices)) {
      if (this.selfClosed) this.fail();
      let type: NoticeType | undefined;
      let subType: string | undefined;
      let status: string | undefined;
      let noiDate: string | undefined;
      let nodDate: string | undefined;
      let seen = 0;
      let i = 0;
      while ((i = this.child(NOTICE, i)) >= 0) {
        seen = this.once(seen, i);
        if (i === 0) type = this.code(NOTICE[0], NOTICE_TYPES);
        else if (i === 1) subType = this.text(NOTICE[1]);
        else if (i === 2) status = this.text(NOTICE[2]);
        else if (i === 3) noiDate = this.optionalDate(NOTICE[3]);
        else nodDate = this.optionalDate(NOTICE[4]);
        i++;
      }
      this.end(LISTS.notices.item);
      if (
        type === undefined ||
        subType === undefined ||
        !fits(subType, LIMIT.subType) ||
        status === undefined ||
        !fits(status, LIMIT.noticeStatus) ||
        // Each notice type carries its own date element, and only one.
        (noiDate !== undefined && (nodDate !== undefined || type === 'NOD')) ||
        (nodDate !== undefined && type === 'NOI')
      )
        this.fail();
      const notice: Notice = { type, subType, status };
      const date = noiDate ?? nodDate;
      if (date !== undefined) notice.date = date;
      out.push(notice);
    }
    return out;
  }

  private welfareNotices(): WelfareNotice[] {
    const out: WelfareNotice[] = [];
    if (this.selfClosed) return out;
    while (this.item(LISTS.welfare)) {
      if (this.selfClosed) this.fail();
      let category: string | undefined;
      let startDate: string | undefined;
      let endDate: string | undefined;
      let seen = 0;
      let i = 0;
      while ((i = this.child(WELFARE, i)) >= 0) {
        seen = this.once(seen, i);
        if (i === 0) category = this.text(WELFARE[0]);
        else if (i === 1) startDate = this.date(WELFARE[1]);
        else endDate = this.optionalDate(WELFARE[2]);
        i++;
      }
      this.end(LISTS.welfare.item);
      if (
        category === undefined ||
        !filledText(category, LIMIT.welfareCategory) ||
        startDate === undefined ||
        (endDate !== undefined && endDate < startDate)
      )
        this.fail();
      const notice: WelfareNotice = { category, startDate };
      if (endDate !== undefined) notice.endDate = endDate;
      out.push(notice);
    }
    return out;
  }

  private linkedRegistrations(): LinkedRegistration[] {
    const out: LinkedRegistration[] = [];
    if (this.selfClosed) return out;
    while (this.item(LISTS.linked)) {
      if (this.selfClosed) this.fail();
      let referenceNumber: string | undefined;
      let reason: string | undefined;
      let seen = 0;
      let i = 0;
      while ((i = this.child(LINKED, i)) >= 0) {
        seen = this.once(seen, i);
        if (i === 0) referenceNumber = this.referenceNumber(LINKED[0]);
        else reason = this.text(LINKED[1]);
        i++;
      }
      this.end(LISTS.linked.item);
      if (referenceNumber === undefined || reason === undefined || !filledText(reason, LIMIT.linkedReason))
        this.fail();
      out.push({ referenceNumber, reason });
    }
    return out;
  }
}
