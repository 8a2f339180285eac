/**
 * The register CSV format (docs/register-csv.md): one registration per row, flat columns for
 * scalar fields and compact `;`-separated lists for repeated ones, so a person can fill it in a
 * spreadsheet. Reading collects every problem and refuses the whole file if there is any.
 */

import { isCalendarDate } from '../../platform/calendar.ts';
import { ImportError, ProblemCollector, StopReading } from '../../platform/files/import-problem.ts';
import { parseCsvRows, type CsvRow } from '../../platform/files/csv-rows.ts';
import type { ImportProblem } from '../../platform/files/import-problem.ts';
import { validateRegistration } from '../../contracts/childcare-extract/registration-rules.ts';
import type {
  Address,
  CertificateCondition,
  LinkedRegistration,
  WelfareNotice,
  YesNo,
  ChildcareAge,
  ChildcarePeriod,
  ChildServicesRegister,
  Inspection,
  Notice,
  NoticeType,
  ProviderContact,
  ProvisionType,
  Register,
  RegisterStatus,
  Registration,
  RegistrationStatus,
  SettingContact,
  SpecialConsideration,
  StatusHistoryEntry,
} from '../../contracts/childcare-extract/registration.ts';

/** Every column, in the order the writer uses. A file must have all of them, in any order. */
export const REGISTER_CSV_COLUMNS = [
  'reference_number',
  'rp_reference_number',
  'la_code',
  'provision_type',
  'secondary_provision_type',
  'provider_name',
  'provider_address_line1',
  'provider_address_line2',
  'provider_town',
  'provider_county',
  'provider_postcode',
  'provider_uprn',
  'provider_telephone',
  'provider_mobile',
  'provider_work_telephone',
  'provider_fax',
  'provider_email',
  'provider_consent_withheld',
  'setting_name',
  'setting_address_line1',
  'setting_address_line2',
  'setting_town',
  'setting_county',
  'setting_postcode',
  'setting_uprn',
  'setting_telephone',
  'setting_mobile',
  'setting_work_telephone',
  'setting_fax',
  'setting_email',
  'special_considerations',
  'registration_status',
  'status_history',
  'registration_date',
  'registers',
  'certificate_conditions',
  'childcare_periods',
  'age_bands',
  'inspections',
  'notices',
  'welfare_notices',
  'linked_registrations',
  'last_change_date',
] as const;
export type RegisterCsvColumn = (typeof REGISTER_CSV_COLUMNS)[number];

/** Columns for Ofsted's v1.3 elements: a file written before them may leave them out (read as empty). */
export const OPTIONAL_CSV_COLUMNS: ReadonlySet<RegisterCsvColumn> = new Set([
  'provider_uprn',
  'provider_consent_withheld',
  'setting_uprn',
  'setting_mobile',
  'setting_work_telephone',
  'certificate_conditions',
  'welfare_notices',
  'linked_registrations',
]);

// Rule fields (property paths) → columns. List items map by pattern in `columnFor`.
const COLUMN_OF: Record<string, RegisterCsvColumn> = {
  referenceNumber: 'reference_number',
  rpReferenceNumber: 'rp_reference_number',
  laCode: 'la_code',
  provisionType: 'provision_type',
  secondaryProvisionType: 'secondary_provision_type',
  'provider.name': 'provider_name',
  'provider.address.addressLine1': 'provider_address_line1',
  'provider.address.addressLine2': 'provider_address_line2',
  'provider.address.town': 'provider_town',
  'provider.address.county': 'provider_county',
  'provider.address.postcode': 'provider_postcode',
  'provider.address.uprn': 'provider_uprn',
  'provider.consentWithheld': 'provider_consent_withheld',
  'setting.address.uprn': 'setting_uprn',
  'provider.contact.telephoneNumber': 'provider_telephone',
  'provider.contact.mobileNumber': 'provider_mobile',
  'provider.contact.workTelephoneNumber': 'provider_work_telephone',
  'provider.contact.faxNumber': 'provider_fax',
  'provider.contact.emailAddress': 'provider_email',
  setting: 'setting_name',
  'setting.name': 'setting_name',
  'setting.address.addressLine1': 'setting_address_line1',
  'setting.address.addressLine2': 'setting_address_line2',
  'setting.address.town': 'setting_town',
  'setting.address.county': 'setting_county',
  'setting.address.postcode': 'setting_postcode',
  'setting.contact.telephoneNumber': 'setting_telephone',
  'setting.contact.mobileNumber': 'setting_mobile',
  'setting.contact.workTelephoneNumber': 'setting_work_telephone',
  'setting.contact.faxNumber': 'setting_fax',
  'setting.contact.emailAddress': 'setting_email',
  specialConsiderations: 'special_considerations',
  status: 'registration_status',
  registrationDate: 'registration_date',
  lastChangeDate: 'last_change_date',
};

const LIST_COLUMN: Record<string, RegisterCsvColumn> = {
  statusHistory: 'status_history',
  registers: 'registers',
  childcarePeriods: 'childcare_periods',
  ageBands: 'age_bands',
  inspections: 'inspections',
  notices: 'notices',
  certificateConditions: 'certificate_conditions',
  welfareNotices: 'welfare_notices',
  linkedRegistrations: 'linked_registrations',
};

const snake = (s: string): string => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** `ageBands[1].ageFrom` → `age_bands[2].age_from`: items are numbered from 1, as a person counts. */
function columnFor(prop: string): string {
  const scalar = COLUMN_OF[prop];
  if (scalar) return scalar;
  const m = /^(\w+)\[(\d+)\](?:\.(\w+))?$/.exec(prop);
  const column = m?.[1] === undefined ? undefined : LIST_COLUMN[m[1]];
  if (!m || !column) return prop;
  return `${column}[${Number(m[2]) + 1}]${m[3] === undefined ? '' : `.${snake(m[3])}`}`;
}

function parentPath(path: string): string {
  const cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
  return cut < 0 ? '' : path.slice(0, cut);
}

// ---------------------------------------------------------------------------------------------
// List cells: items separated by `;`, parts by `:` or `|`; `\` makes the next character literal.

const ITEM_SEPARATOR = ';';
const ESCAPE = '\\';

/** Splits a list cell into non-empty items, each a list of trimmed parts. */
export function splitListCell(cell: string, partSeparator: string): string[][] {
  const items: string[][] = [];
  let parts: string[] = [];
  let current = '';
  for (let i = 0; i < cell.length; i++) {
    const ch = cell.charAt(i);
    if (ch === ESCAPE && i + 1 < cell.length) {
      current += cell.charAt(++i);
    } else if (ch === ITEM_SEPARATOR) {
      parts.push(current);
      items.push(parts);
      parts = [];
      current = '';
    } else if (ch === partSeparator) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  items.push(parts);
  return items.map((p) => p.map((s) => s.trim())).filter((p) => p.some((s) => s !== ''));
}

function joinListCell(items: readonly (readonly string[])[], partSeparator: string): string {
  const escape = (s: string): string =>
    [...s]
      .map((ch) => (ch === ESCAPE || ch === ITEM_SEPARATOR || ch === partSeparator ? ESCAPE + ch : ch))
      .join('');
  return items.map((parts) => parts.map(escape).join(partSeparator)).join(ITEM_SEPARATOR);
}

// ---------------------------------------------------------------------------------------------

/** `YYYY-MM-DD`, or `DD/MM/YYYY` as a UK spreadsheet saves a date cell; anything else is left for the rules. */
function csvDate(value: string): string {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(value);
  if (!m) return value;
  const iso = `${m[3]}-${m[2]?.padStart(2, '0')}-${m[1]?.padStart(2, '0')}`;
  return isCalendarDate(iso) ? iso : value;
}

function decode(input: string | Buffer, file: string, problems: ProblemCollector): string {
  let text = typeof input === 'string' ? input : new TextDecoder('utf-8').decode(input);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const bad = typeof input === 'string' ? -1 : text.indexOf('\ufffd');
  if (bad >= 0) {
    // Usually a spreadsheet's plain "CSV" (Windows-1252) rather than "CSV UTF-8".
    problems.add({
      file,
      line: text.slice(0, bad).split(/\r\n?|\n/).length,
      message: 'the file is not valid UTF-8 (save it as "CSV UTF-8")',
    });
    throw new StopReading();
  }
  // csv-parse counts a CRLF inside a quoted cell as two lines; one line break makes lines exact.
  return text.replace(/\r\n?/g, '\n');
}

/**
 * Reads a register CSV. Throws ImportError listing every problem (at most MAX_PROBLEMS); never
 * returns a partial result. `file` is only used to name the file in problems.
 */
export async function readRegisterCsv(input: string | Buffer, file: string): Promise<Registration[]> {
  const problems = new ProblemCollector();
  const registrations: Registration[] = [];
  try {
    const rows = parseCsvRows(decode(input, file, problems), file, problems);
    const [head, ...data] = rows;
    if (!head) {
      problems.add({ file, line: 1, message: 'the file is empty (a header row is required)' });
      throw new StopReading();
    }
    const index = readHeader(head, file, problems);
    const firstLineOf = new Map<string, number>();
    let recordNumber = 0;
    for (const row of data) {
      if (row.cells.every((c) => c.trim() === '')) continue; // spreadsheets leave blank rows
      recordNumber += 1;
      if (row.cells.length !== head.cells.length) {
        problems.add({
          file,
          line: row.line,
          record: `record ${recordNumber}`,
          message: `the row has ${row.cells.length} cells but the header has ${head.cells.length}`,
        });
        continue;
      }
      const r = readRow(row, index, `record ${recordNumber}`, file, problems);
      if (r.referenceNumber) {
        const first = firstLineOf.get(r.referenceNumber);
        if (first === undefined) firstLineOf.set(r.referenceNumber, row.line);
        else {
          problems.add({
            file,
            line: row.line,
            record: r.referenceNumber,
            field: 'reference_number',
            message: `duplicate reference number ${r.referenceNumber} (first at line ${first})`,
          });
        }
      }
      registrations.push(r);
    }
  } catch (err) {
    if (!(err instanceof StopReading)) throw err;
  }
  if (problems.count > 0) throw problems.toError();
  return registrations;
}

function readHeader(head: CsvRow, file: string, problems: ProblemCollector): Map<RegisterCsvColumn, number> {
  const known = new Set<string>(REGISTER_CSV_COLUMNS);
  const index = new Map<RegisterCsvColumn, number>();
  const unknown: string[] = [];
  const repeated: string[] = [];
  head.cells.forEach((cell, i) => {
    // Spreadsheet users retype headers; case and stray spaces are not worth refusing a file for.
    const name = cell.trim().toLowerCase();
    if (!known.has(name)) unknown.push(cell.trim() === '' ? `(empty, column ${i + 1})` : `'${cell.trim()}'`);
    else if (index.has(name as RegisterCsvColumn)) repeated.push(name);
    else index.set(name as RegisterCsvColumn, i);
  });
  const missing = REGISTER_CSV_COLUMNS.filter((c) => !index.has(c) && !OPTIONAL_CSV_COLUMNS.has(c));
  const at = { file, line: head.line };
  if (unknown.length > 0)
    problems.add({ ...at, message: `unknown column(s) in the header: ${unknown.join(', ')}` });
  if (repeated.length > 0)
    problems.add({ ...at, message: `repeated column(s) in the header: ${repeated.join(', ')}` });
  if (missing.length > 0)
    problems.add({ ...at, message: `missing column(s) in the header: ${missing.join(', ')}` });
  // Rows cannot be read reliably against a wrong header.
  if (problems.count > 0) throw new StopReading();
  return index;
}

function readRow(
  row: CsvRow,
  index: Map<RegisterCsvColumn, number>,
  fallbackLabel: string,
  file: string,
  problems: ProblemCollector,
): Registration {
  const cell = (column: RegisterCsvColumn): string => {
    const i = index.get(column);
    return i === undefined ? '' : (row.cells[i] ?? '').trim();
  };
  const optional = (column: RegisterCsvColumn): string | undefined => cell(column) || undefined;
  const record = cell('reference_number') || fallbackLabel;
  const reported = new Set<string>();
  const problem = (prop: string, message: string): void => {
    reported.add(prop);
    problems.add({ file, line: row.line, record, field: columnFor(prop), message });
  };
  /** Items of a list column, each checked for its number of parts. */
  const items = (
    column: RegisterCsvColumn,
    prop: string,
    sep: string,
    min: number,
    max: number,
    shape: string,
  ) =>
    splitListCell(cell(column), sep).map((parts, i) => {
      if (parts.length < min || parts.length > max) {
        problem(`${prop}[${i}]`, `'${parts.join(sep)}' is not ${shape}`);
      }
      return parts;
    });
  const whole = (prop: string, text: string): number => {
    if (/^\d+$/.test(text)) return Number(text);
    problem(prop, `'${text}' is not a whole number`);
    return NaN;
  };

  const address = (prefix: 'provider' | 'setting'): Address => {
    const a: Address = {
      addressLine1: cell(`${prefix}_address_line1`),
      town: cell(`${prefix}_town`),
    };
    const postcode = optional(`${prefix}_postcode`);
    if (postcode !== undefined) a.postcode = postcode;
    const line2 = optional(`${prefix}_address_line2`);
    if (line2 !== undefined) a.addressLine2 = line2;
    const county = optional(`${prefix}_county`);
    if (county !== undefined) a.county = county;
    const uprn = optional(`${prefix}_uprn`);
    if (uprn !== undefined) a.uprn = uprn;
    return a;
  };

  const r: Registration = {
    referenceNumber: cell('reference_number'),
    laCode: cell('la_code'),
    provisionType: cell('provision_type') as ProvisionType,
    provider: { name: cell('provider_name'), address: address('provider') },
    status: cell('registration_status') as RegistrationStatus,
    statusHistory: [],
    registers: [],
    childcarePeriods: [],
    ageBands: [],
    inspections: [],
    notices: [],
    lastChangeDate: csvDate(cell('last_change_date')),
  };
  const rp = optional('rp_reference_number');
  if (rp !== undefined) r.rpReferenceNumber = rp;
  const secondary = optional('secondary_provision_type');
  if (secondary !== undefined) r.secondaryProvisionType = secondary as ProvisionType;

  const providerContact: ProviderContact = {};
  const pairs: [keyof ProviderContact, RegisterCsvColumn][] = [
    ['telephoneNumber', 'provider_telephone'],
    ['mobileNumber', 'provider_mobile'],
    ['workTelephoneNumber', 'provider_work_telephone'],
    ['faxNumber', 'provider_fax'],
    ['emailAddress', 'provider_email'],
  ];
  for (const [key, column] of pairs) {
    const value = optional(column);
    if (value !== undefined) providerContact[key] = value;
  }
  if (Object.keys(providerContact).length > 0) r.provider.contact = providerContact;
  const consent = optional('provider_consent_withheld');
  if (consent !== undefined) r.provider.consentWithheld = consent as YesNo;

  // A setting exists when any of its cells is filled; the rules then say what is missing.
  const settingColumns = REGISTER_CSV_COLUMNS.filter((c) => c.startsWith('setting_'));
  if (settingColumns.some((c) => cell(c) !== '')) {
    r.setting = { name: cell('setting_name'), address: address('setting') };
    const settingContact: SettingContact = {};
    const settingPairs: [keyof SettingContact, RegisterCsvColumn][] = [
      ['telephoneNumber', 'setting_telephone'],
      ['mobileNumber', 'setting_mobile'],
      ['workTelephoneNumber', 'setting_work_telephone'],
      ['faxNumber', 'setting_fax'],
      ['emailAddress', 'setting_email'],
    ];
    for (const [key, column] of settingPairs) {
      const value = optional(column);
      if (value !== undefined) settingContact[key] = value;
    }
    if (Object.keys(settingContact).length > 0) r.setting.contact = settingContact;
  }

  const special = optional('special_considerations');
  if (special !== undefined) r.specialConsiderations = special as SpecialConsideration;
  const registrationDate = optional('registration_date');
  if (registrationDate !== undefined) r.registrationDate = csvDate(registrationDate);

  r.statusHistory = items(
    'status_history',
    'statusHistory',
    ':',
    2,
    2,
    'STATUS:DATE (e.g. ACTV:2012-03-16)',
  ).map(([status = '', date = '']): StatusHistoryEntry => ({
    status: status as RegistrationStatus,
    changeDate: csvDate(date),
  }));

  r.registers = items(
    'registers',
    'registers',
    ':',
    3,
    4,
    'REGISTER:STATUS:START[:END] (e.g. EYR:REGD:2012-03-16)',
  ).map(([register = '', status = '', start = '', end = '']) => {
    const entry: ChildServicesRegister = {
      register: register as Register,
      status: status as RegisterStatus,
      startDate: csvDate(start),
    };
    if (end !== '') entry.endDate = csvDate(end);
    return entry;
  });

  const conditions = items(
    'certificate_conditions',
    'certificateConditions',
    '|',
    1,
    2,
    'CONDITION[|REGISTER]',
  ).map(([condition = '', register = '']): CertificateCondition => {
    const entry: CertificateCondition = { condition };
    if (register !== '') entry.register = register as Register;
    return entry;
  });
  if (conditions.length > 0) r.certificateConditions = conditions;

  r.childcarePeriods = items('childcare_periods', 'childcarePeriods', '', 1, 1, 'a period code').map(
    ([period = '']) => period as ChildcarePeriod,
  );

  r.ageBands = items('age_bands', 'ageBands', ':', 2, 3, 'FROM-TO:MAXIMUM[:REGISTER] (e.g. 0-5:6:EYR)').map(
    ([range = '', max = '', register = ''], i): ChildcareAge => {
      const p = `ageBands[${i}]`;
      const band: ChildcareAge = { ageFrom: NaN, ageTo: NaN, maximumNumber: NaN };
      if (register !== '') band.register = register as Register;
      if (reported.has(p)) return band; // wrong number of parts, already reported
      const ages = range.split('-');
      if (ages.length === 2) {
        band.ageFrom = whole(`${p}.ageFrom`, (ages[0] ?? '').trim());
        band.ageTo = whole(`${p}.ageTo`, (ages[1] ?? '').trim());
      } else {
        problem(`${p}.ageFrom`, `'${range}' is not FROM-TO (e.g. 0-5)`);
        reported.add(`${p}.ageTo`);
      }
      band.maximumNumber = whole(`${p}.maximumNumber`, max);
      return band;
    },
  );

  r.inspections = items('inspections', 'inspections', '|', 3, 3, 'DATE|JUDGEMENT|TYPE').map(
    ([date = '', judgement = '', type = '']): Inspection => ({
      inspectionType: type,
      inspectionDate: csvDate(date),
      overallJudgement: judgement,
    }),
  );

  r.notices = items('notices', 'notices', '|', 3, 4, 'TYPE|SUB-TYPE|STATUS[|DATE]').map(
    ([type = '', subType = '', status = '', date = '']): Notice => {
      const notice: Notice = { type: type as NoticeType, subType, status };
      if (date !== '') notice.date = csvDate(date);
      return notice;
    },
  );

  const welfare = items('welfare_notices', 'welfareNotices', '|', 2, 3, 'CATEGORY|START[|END]').map(
    ([category = '', start = '', end = '']): WelfareNotice => {
      const entry: WelfareNotice = { category, startDate: csvDate(start) };
      if (end !== '') entry.endDate = csvDate(end);
      return entry;
    },
  );
  if (welfare.length > 0) r.welfareNotices = welfare;

  const links = items('linked_registrations', 'linkedRegistrations', '|', 2, 2, 'REFERENCE|REASON').map(
    ([referenceNumber = '', reason = '']): LinkedRegistration => ({ referenceNumber, reason }),
  );
  if (links.length > 0) r.linkedRegistrations = links;

  const alreadyReported = (prop: string): boolean => {
    for (let p = prop; p !== ''; p = parentPath(p)) if (reported.has(p)) return true;
    return false;
  };
  for (const { field, message } of validateRegistration(r)) {
    if (!alreadyReported(field)) problem(field, message);
  }
  return r;
}

// ---------------------------------------------------------------------------------------------

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * Writes registrations in the register CSV format: header row, CRLF line ends (RFC 4180) and a
 * byte-order mark, without which Excel reads UTF-8 as Windows-1252 and mangles names.
 */
export function writeRegisterCsv(registrations: Iterable<Registration>): string {
  const lines = [REGISTER_CSV_COLUMNS.join(',')];
  for (const r of registrations) {
    const p = r.provider;
    const s = r.setting;
    const values: Record<RegisterCsvColumn, string | undefined> = {
      reference_number: r.referenceNumber,
      rp_reference_number: r.rpReferenceNumber,
      la_code: r.laCode,
      provision_type: r.provisionType,
      secondary_provision_type: r.secondaryProvisionType,
      provider_name: p.name,
      provider_address_line1: p.address.addressLine1,
      provider_address_line2: p.address.addressLine2,
      provider_town: p.address.town,
      provider_county: p.address.county,
      provider_postcode: p.address.postcode,
      provider_uprn: p.address.uprn,
      provider_consent_withheld: p.consentWithheld,
      provider_telephone: p.contact?.telephoneNumber,
      provider_mobile: p.contact?.mobileNumber,
      provider_work_telephone: p.contact?.workTelephoneNumber,
      provider_fax: p.contact?.faxNumber,
      provider_email: p.contact?.emailAddress,
      setting_name: s?.name,
      setting_address_line1: s?.address.addressLine1,
      setting_address_line2: s?.address.addressLine2,
      setting_town: s?.address.town,
      setting_county: s?.address.county,
      setting_postcode: s?.address.postcode,
      setting_uprn: s?.address.uprn,
      setting_telephone: s?.contact?.telephoneNumber,
      setting_mobile: s?.contact?.mobileNumber,
      setting_work_telephone: s?.contact?.workTelephoneNumber,
      setting_fax: s?.contact?.faxNumber,
      setting_email: s?.contact?.emailAddress,
      special_considerations: r.specialConsiderations,
      registration_status: r.status,
      status_history: joinListCell(
        r.statusHistory.map((h) => [h.status, h.changeDate]),
        ':',
      ),
      registration_date: r.registrationDate,
      registers: joinListCell(
        r.registers.map((g) => [
          g.register,
          g.status,
          g.startDate,
          ...(g.endDate === undefined ? [] : [g.endDate]),
        ]),
        ':',
      ),
      certificate_conditions: joinListCell(
        (r.certificateConditions ?? []).map((c) => [
          c.condition,
          ...(c.register === undefined ? [] : [c.register]),
        ]),
        '|',
      ),
      welfare_notices: joinListCell(
        (r.welfareNotices ?? []).map((w) => [
          w.category,
          w.startDate,
          ...(w.endDate === undefined ? [] : [w.endDate]),
        ]),
        '|',
      ),
      linked_registrations: joinListCell(
        (r.linkedRegistrations ?? []).map((l) => [l.referenceNumber, l.reason]),
        '|',
      ),
      childcare_periods: joinListCell(
        r.childcarePeriods.map((c) => [c]),
        '',
      ),
      age_bands: joinListCell(
        r.ageBands.map((a) => [
          `${a.ageFrom}-${a.ageTo}`,
          String(a.maximumNumber),
          ...(a.register === undefined ? [] : [a.register]),
        ]),
        ':',
      ),
      inspections: joinListCell(
        r.inspections.map((i) => [i.inspectionDate, i.overallJudgement, i.inspectionType]),
        '|',
      ),
      notices: joinListCell(
        r.notices.map((n) => [n.type, n.subType, n.status, ...(n.date === undefined ? [] : [n.date])]),
        '|',
      ),
      last_change_date: r.lastChangeDate,
    };
    lines.push(REGISTER_CSV_COLUMNS.map((c) => csvCell(values[c] ?? '')).join(','));
  }
  return `\ufeff${lines.join('\r\n')}\r\n`;
}

export { ImportError };
export type { ImportProblem };
