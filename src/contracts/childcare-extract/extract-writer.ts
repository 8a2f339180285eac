/**
 * Writes an OfstedChildcareRegisterLocalAuthorityExtract document (the format of
 * childcare-register-extract.xsd beside this file, read back by extract-reader.ts).
 *
 * Pure and streaming: the document comes out as string chunks (the opening, one chunk per
 * registration, the closing), so a caller can pipe it into gzip, a hash or an HTTP response
 * without ever holding a whole LA's document. Plain string concatenation: no DOM or builder,
 * which would cost several times the time and memory for a fixed, flat shape like this one.
 *
 * Formatting copies the original feed (reference/ispp-contract/sample-extract-synthetic.xml):
 * 2-space indentation, one element per line, `\n` line ends, empty lists self-closed as
 * `<NoticeHistoryList />`. List containers and RegistrationCertificate are always written (but
 * v1.3's WelfareNoticeHistoryList and LinkedRegistrationList only when they have items);
 * optional elements and containers (ProviderContact, Setting, SettingContact) are left out when
 * they have no value, as the feed does. Values are written exactly as they are, untrimmed, and
 * the reader keeps free text exactly, so text comes back byte for byte.
 *
 * The writer does not validate: give it registrations that passed validateRegistration (an
 * unknown code or a bad date is written as is, and the XSD or reader would refuse it), but any
 * string at all still yields well-formed XML (see escapeText).
 *
 * Deterministic: the same header and registrations always give the same bytes.
 */

import { EXTRACT_NAMESPACE } from './extract-reader.ts';
import type { ExtractHeader } from './extract-reader.ts';
import type {
  Address,
  CertificateCondition,
  ChildcareAge,
  ChildServicesRegister,
  Inspection,
  LinkedRegistration,
  Notice,
  ProviderContact,
  Registration,
  SettingContact,
  StatusHistoryEntry,
  WelfareNotice,
} from './registration.ts';

/** `extractDateTime` is London local time, `YYYY-MM-DDTHH:MM:SS`, no zone (as the feed sends it). */
export type { ExtractHeader };

/** Ends the document; a final line end so the file is a proper text file. */
export const EXTRACT_CLOSING = '</OfstedChildcareRegisterLocalAuthorityExtract>\n';

// ---------------------------------------------------------------------------------------------
// Escaping.
//
// Only text content is ever written (no attributes but the root's fixed namespaces), so `&`,
// `<` and `>` are the only characters that need escaping (`>` only for `]]>`, but escaping it
// always is simpler and what most serialisers do). Quotes are left alone.
//
// Characters XML 1.0 cannot carry at all (C0 controls other than TAB, LF and CR; U+FFFE; U+FFFF;
// unpaired surrogates) are REMOVED, silently. No escape exists for them (`&#1;` is not
// well-formed either), and refusing a whole LA's daily extract over a stray control character
// pasted into an address would hurt every consumer for the sake of an invisible character.
//
// CR is written as `&#13;`: every XML parser turns a literal CR or CRLF into LF, so a value
// holding CR would otherwise come back different. With the reference it round-trips exactly.

/**
 * Cheap test for the common case: true when the value might need any change. It also fires on
 * any surrogate (paired ones are fine but rare: emoji in a setting name), which the slow path
 * then examines precisely.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NEEDS_WORK = /[&<>\u0000-\u0008\u000B-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;

/** Exactly the characters to change: specials, CR, forbidden characters, unpaired surrogates. */
const TO_REPLACE =
  // eslint-disable-next-line no-control-regex -- as above
  /[&<>\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Only the characters XML 1.0 forbids (those escapeText removes). */
const FORBIDDEN =
  // eslint-disable-next-line no-control-regex -- as above
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function replacement(ch: string): string {
  switch (ch) {
    case '&':
      return '&amp;';
    case '<':
      return '&lt;';
    case '>':
      return '&gt;';
    case '\r':
      return '&#13;';
    default:
      return ''; // a character XML 1.0 forbids
  }
}

/** Escapes a value for XML text content; see above for what is removed and why. */
export function escapeText(value: string): string {
  return NEEDS_WORK.test(value) ? value.replace(TO_REPLACE, replacement) : value;
}

// ---------------------------------------------------------------------------------------------
// Elements. `pad` is the indentation of the element's own line.

const leaf = (pad: string, name: string, value: string): string =>
  `${pad}<${name}>${escapeText(value)}</${name}>\n`;

/**
 * An optional element, left out when absent or empty (the reader reads an empty element as
 * absent). Any other value is written exactly, white space included: text comes back as
 * recorded. Judged without the forbidden characters, which are not written, so a value of only
 * those goes too.
 */
function optionalLeaf(pad: string, name: string, value: string | undefined): string {
  if (value === undefined || value === '') return '';
  const text = escapeText(value);
  // Unchanged by escaping (the common case): no need to strip anything before judging.
  const empty = text !== value && value.replace(FORBIDDEN, '') === '';
  return empty ? '' : `${pad}<${name}>${text}</${name}>\n`;
}

/** A list container, always written; self-closed when empty, as the feed does. */
function list<T>(pad: string, name: string, items: readonly T[], item: (x: T) => string): string {
  if (items.length === 0) return `${pad}<${name} />\n`;
  let out = `${pad}<${name}>\n`;
  for (const x of items) out += item(x);
  return `${out}${pad}</${name}>\n`;
}

function address(pad: string, name: string, a: Address): string {
  const p = `${pad}  `;
  return (
    `${pad}<${name}>\n` +
    leaf(p, 'AddressLine1', a.addressLine1) +
    optionalLeaf(p, 'AddressLine2', a.addressLine2) +
    leaf(p, 'Town', a.town) +
    optionalLeaf(p, 'County', a.county) +
    optionalLeaf(p, 'Postcode', a.postcode) +
    optionalLeaf(p, 'UniquePropertyReferenceNumber', a.uprn) +
    `${pad}</${name}>\n`
  );
}

/** A contact container, left out when it has no value at all (the reader reads that as absent). */
function contact(pad: string, name: string, fields: readonly [string, string | undefined][]): string {
  const p = `${pad}  `;
  let inner = '';
  for (const [element, value] of fields) inner += optionalLeaf(p, element, value);
  return inner === '' ? '' : `${pad}<${name}>\n${inner}${pad}</${name}>\n`;
}

const providerContact = (c: ProviderContact | undefined): string =>
  c === undefined
    ? ''
    : contact('      ', 'ProviderContact', [
        ['TelephoneNumber', c.telephoneNumber],
        ['MobileNumber', c.mobileNumber],
        ['WorkTelephoneNumber', c.workTelephoneNumber],
        ['FaxNumber', c.faxNumber],
        ['EmailAddress', c.emailAddress],
      ]);

const settingContact = (c: SettingContact | undefined): string =>
  c === undefined
    ? ''
    : contact('      ', 'SettingContact', [
        ['TelephoneNumber', c.telephoneNumber],
        ['MobileNumber', c.mobileNumber],
        ['WorkTelephoneNumber', c.workTelephoneNumber],
        ['FaxNumber', c.faxNumber],
        ['EmailAddress', c.emailAddress],
      ]);

// List items sit at 6 spaces, their children at 8.
const I = '      ';
const C = '        ';

const historyItem = (h: StatusHistoryEntry): string =>
  `${I}<RegistrationStatusHistory>\n` +
  leaf(C, 'RegistrationStatus', h.status) +
  leaf(C, 'ChangeDate', h.changeDate) +
  `${I}</RegistrationStatusHistory>\n`;

const registerItem = (r: ChildServicesRegister): string =>
  `${I}<ChildServicesRegister>\n` +
  leaf(C, 'Register', r.register) +
  leaf(C, 'Status', r.status) +
  leaf(C, 'StartDate', r.startDate) +
  optionalLeaf(C, 'EndDate', r.endDate) +
  `${I}</ChildServicesRegister>\n`;

const periodItem = (p: string): string => leaf(I, 'ChildcarePeriod', p);

const ageItem = (a: ChildcareAge): string =>
  `${I}<ChildcareAge>\n` +
  `${C}<AgeFrom>${a.ageFrom}</AgeFrom>\n` +
  `${C}<AgeTo>${a.ageTo}</AgeTo>\n` +
  `${C}<MaximumNumber>${a.maximumNumber}</MaximumNumber>\n` +
  optionalLeaf(C, 'Register', a.register) +
  `${I}</ChildcareAge>\n`;

const inspectionItem = (x: Inspection): string =>
  `${I}<Inspection>\n` +
  leaf(C, 'InspectionType', x.inspectionType) +
  leaf(C, 'InspectionDate', x.inspectionDate) +
  leaf(C, 'InspectionOverallJudgement', x.overallJudgement) +
  `${I}</Inspection>\n`;

const noticeItem = (n: Notice): string =>
  `${I}<NoticeHistory>\n` +
  leaf(C, 'Type', n.type) +
  leaf(C, 'SubType', n.subType) +
  leaf(C, 'Status', n.status) +
  // The date element is named after the notice type. Anything but NOD gets NOIDate: an unknown
  // type is refused by the XSD and the reader whatever its date is called.
  optionalLeaf(C, n.type === 'NOD' ? 'NODDate' : 'NOIDate', n.date) +
  `${I}</NoticeHistory>\n`;

/** A list Ofsted's v1.3 added as optional: written only when it has items, so records without stay as the feed always sent them. */
function optionalList<T>(
  pad: string,
  name: string,
  items: readonly T[] | undefined,
  item: (x: T) => string,
): string {
  return items === undefined || items.length === 0 ? '' : list(pad, name, items, item);
}

/** Always written, as the feed does; self-closed when there are no conditions. */
function certificate(conditions: readonly CertificateCondition[] | undefined): string {
  if (conditions === undefined || conditions.length === 0) return '    <RegistrationCertificate />\n';
  let out = '    <RegistrationCertificate>\n      <CertificateConditionList>\n';
  for (const c of conditions) {
    out +=
      '        <CertificateCondition>\n' +
      leaf('          ', 'Condition', c.condition) +
      optionalLeaf('          ', 'Register', c.register) +
      '        </CertificateCondition>\n';
  }
  return `${out}      </CertificateConditionList>\n    </RegistrationCertificate>\n`;
}

const welfareItem = (w: WelfareNotice): string =>
  `${I}<WelfareNoticeHistory>\n` +
  leaf(C, 'WelfareCategory', w.category) +
  leaf(C, 'WelfareStartDate', w.startDate) +
  optionalLeaf(C, 'WelfareEndDate', w.endDate) +
  `${I}</WelfareNoticeHistory>\n`;

const linkedItem = (l: LinkedRegistration): string =>
  `${I}<LinkedRegistration>\n` +
  leaf(C, 'ReferenceNumber', l.referenceNumber) +
  leaf(C, 'LinkedReason', l.reason) +
  `${I}</LinkedRegistration>\n`;

/** One `<Registration>…</Registration>`, indented as a child of the root, ending with `\n`. */
export function registrationElement(r: Registration): string {
  let out =
    '  <Registration>\n' +
    leaf('    ', 'ReferenceNumber', r.referenceNumber) +
    optionalLeaf('    ', 'RPReferenceNumber', r.rpReferenceNumber) +
    leaf('    ', 'ProvisionType', r.provisionType) +
    optionalLeaf('    ', 'SecondaryProvisionType', r.secondaryProvisionType) +
    '    <Provider>\n' +
    leaf('      ', 'ProviderName', r.provider.name) +
    address('      ', 'ProviderAddress', r.provider.address) +
    providerContact(r.provider.contact) +
    optionalLeaf('      ', 'ProviderConsentWithheld', r.provider.consentWithheld) +
    '    </Provider>\n';
  if (r.setting !== undefined) {
    out +=
      '    <Setting>\n' +
      leaf('      ', 'SettingName', r.setting.name) +
      address('      ', 'SettingAddress', r.setting.address) +
      settingContact(r.setting.contact) +
      '    </Setting>\n';
  }
  out +=
    optionalLeaf('    ', 'SpecialConsiderations', r.specialConsiderations) +
    leaf('    ', 'RegistrationStatus', r.status) +
    list('    ', 'RegistrationStatusHistoryList', r.statusHistory, historyItem) +
    optionalLeaf('    ', 'RegistrationDate', r.registrationDate) +
    list('    ', 'ChildServicesRegisterList', r.registers, registerItem) +
    certificate(r.certificateConditions) +
    list('    ', 'ChildcarePeriodList', r.childcarePeriods, periodItem) +
    list('    ', 'ChildcareAgeList', r.ageBands, ageItem) +
    list('    ', 'InspectionList', r.inspections, inspectionItem) +
    list('    ', 'NoticeHistoryList', r.notices, noticeItem) +
    optionalList('    ', 'WelfareNoticeHistoryList', r.welfareNotices, welfareItem) +
    optionalList('    ', 'LinkedRegistrationList', r.linkedRegistrations, linkedItem) +
    leaf('    ', 'LastChangeDate', r.lastChangeDate) +
    '  </Registration>\n';
  return out;
}

/**
 * The XML declaration, the root start tag (namespace declarations exactly as the feed writes
 * them, including its `xs` prefix bound to the XML Schema *instance* namespace) and the whole
 * `<Extract>` header.
 */
export function extractOpening(header: ExtractHeader): string {
  return (
    '<?xml version="1.0" encoding="utf-8"?>\n' +
    '<OfstedChildcareRegisterLocalAuthorityExtract xmlns:xs="http://www.w3.org/2001/XMLSchema-instance"\n' +
    `  xmlns="${EXTRACT_NAMESPACE}">\n` +
    '  <Extract>\n' +
    leaf('    ', 'ExtractDateTime', header.extractDateTime) +
    '    <LocalAuthority>\n' +
    leaf('      ', 'LocalAuthorityCode', header.laCode) +
    leaf('      ', 'LocalAuthorityName', header.laName) +
    '    </LocalAuthority>\n' +
    '  </Extract>\n'
  );
}

/** The whole document as chunks: the opening, one chunk per registration, the closing. */
export function* extractChunks(
  header: ExtractHeader,
  registrations: Iterable<Registration>,
): Generator<string> {
  yield extractOpening(header);
  for (const r of registrations) yield registrationElement(r);
  yield EXTRACT_CLOSING;
}

/** Text is handed on in pieces of about this size: long concatenated strings cost more to flatten and encode than to write. */
export const CHUNK_CHARS = 64 * 1024;

/** Registration elements joined into pieces of about CHUNK_CHARS characters, for a stream. */
export function* registrationText(registrations: Iterable<Registration>): Generator<string> {
  let text = '';
  for (const registration of registrations) {
    text += registrationElement(registration);
    if (text.length >= CHUNK_CHARS) {
      yield text;
      text = '';
    }
  }
  if (text) yield text;
}
