/**
 * Reads an OfstedChildcareRegisterLocalAuthorityExtract document into `Registration`s.
 *
 * Streaming (saxes): only the current <Registration> is held as a small element tree, which is
 * converted and dropped when it closes, so a 10 MB extract never becomes a DOM. Every problem is
 * collected (up to MAX_PROBLEMS) and the whole document is refused if there is any: a partial
 * snapshot would look like mass deletions to anything that diffs it.
 */

import { SaxesParser } from 'saxes';
import type { SaxesTagNS } from 'saxes';
import { isCalendarDate } from '../../platform/calendar.ts';
import { ProblemCollector, StopReading } from '../../platform/files/import-problem.ts';
import type { ImportProblem } from '../../platform/files/import-problem.ts';
import { HEADER_LIMITS } from './fields.ts';
import { LA_CODE_PATTERN, textProblem, validateRegistration } from './registration-rules.ts';
import type {
  Address,
  CertificateCondition,
  ChildcareAge,
  ChildcarePeriod,
  ChildServicesRegister,
  Inspection,
  Notice,
  NoticeType,
  ProviderContact,
  ProvisionType,
  LinkedRegistration,
  Register,
  RegisterStatus,
  Registration,
  RegistrationStatus,
  SettingContact,
  SpecialConsideration,
  StatusHistoryEntry,
  WelfareNotice,
  YesNo,
} from './registration.ts';

export { ImportError, formatProblem } from '../../platform/files/import-problem.ts';
export type { ImportProblem } from '../../platform/files/import-problem.ts';

export const EXTRACT_NAMESPACE = 'http://www.ofsted.gov.uk/Childcare/Registration/LocalAuthority';
export const EXTRACT_ROOT = 'OfstedChildcareRegisterLocalAuthorityExtract';

/**
 * Text kept of one element, in characters: more than the longest value Ofsted's schema allows
 * anywhere (400, a certificate condition), with room for white space around a date or number.
 */
export const LEAF_TEXT_CAP = 1000;

const XMLNS_NAMESPACE = 'http://www.w3.org/2000/xmlns/';
const XSI_NAMESPACE = 'http://www.w3.org/2001/XMLSchema-instance';

export interface ExtractHeader {
  /** Local time as sent, no zone (e.g. `2024-01-30T05:30:46`). */
  extractDateTime: string;
  laCode: string;
  laName: string;
}

export interface Extract {
  header: ExtractHeader;
  registrations: Registration[];
}

// ---------------------------------------------------------------------------------------------
// The document's shape. Unknown and repeated elements are caught while streaming, against this.

type Spec =
  | { kind: 'leaf' }
  | { kind: 'container'; children: ReadonlyMap<string, { spec: Spec; many: boolean }> }
  /** Content is not read: anything inside is accepted and skipped. */
  | { kind: 'skip' };

const LEAF: Spec = { kind: 'leaf' };

function container(once: Record<string, Spec>, many: Record<string, Spec> = {}): Spec {
  const children = new Map<string, { spec: Spec; many: boolean }>();
  for (const [name, spec] of Object.entries(once)) children.set(name, { spec, many: false });
  for (const [name, spec] of Object.entries(many)) children.set(name, { spec, many: true });
  return { kind: 'container', children };
}

const leaves = (...names: string[]): Record<string, Spec> => Object.fromEntries(names.map((n) => [n, LEAF]));

const ADDRESS = container(
  leaves('AddressLine1', 'AddressLine2', 'Town', 'County', 'Postcode', 'UniquePropertyReferenceNumber'),
);

const CONTACT = container(
  leaves('TelephoneNumber', 'MobileNumber', 'WorkTelephoneNumber', 'FaxNumber', 'EmailAddress'),
);

const REGISTRATION_SPEC = container({
  ...leaves('ReferenceNumber', 'RPReferenceNumber', 'ProvisionType', 'SecondaryProvisionType'),
  Provider: container({
    ProviderName: LEAF,
    ProviderAddress: ADDRESS,
    ProviderContact: CONTACT,
    ProviderConsentWithheld: LEAF,
  }),
  Setting: container({
    SettingName: LEAF,
    SettingAddress: ADDRESS,
    SettingContact: CONTACT,
  }),
  ...leaves('SpecialConsiderations', 'RegistrationStatus'),
  RegistrationStatusHistoryList: container(
    {},
    { RegistrationStatusHistory: container(leaves('RegistrationStatus', 'ChangeDate')) },
  ),
  RegistrationDate: LEAF,
  ChildServicesRegisterList: container(
    {},
    { ChildServicesRegister: container(leaves('Register', 'Status', 'StartDate', 'EndDate')) },
  ),
  RegistrationCertificate: container({
    CertificateConditionList: container(
      {},
      { CertificateCondition: container(leaves('Condition', 'Register')) },
    ),
  }),
  ChildcarePeriodList: container({}, { ChildcarePeriod: LEAF }),
  ChildcareAgeList: container(
    {},
    { ChildcareAge: container(leaves('AgeFrom', 'AgeTo', 'MaximumNumber', 'Register')) },
  ),
  InspectionList: container(
    {},
    { Inspection: container(leaves('InspectionType', 'InspectionDate', 'InspectionOverallJudgement')) },
  ),
  NoticeHistoryList: container(
    {},
    { NoticeHistory: container(leaves('Type', 'SubType', 'Status', 'NOIDate', 'NODDate')) },
  ),
  WelfareNoticeHistoryList: container(
    {},
    { WelfareNoticeHistory: container(leaves('WelfareCategory', 'WelfareStartDate', 'WelfareEndDate')) },
  ),
  LinkedRegistrationList: container(
    {},
    { LinkedRegistration: container(leaves('ReferenceNumber', 'LinkedReason')) },
  ),
  LastChangeDate: LEAF,
});

const EXTRACT_SPEC = container({
  ExtractDateTime: LEAF,
  LocalAuthority: container(leaves('LocalAuthorityCode', 'LocalAuthorityName')),
});

const ROOT_SPEC = container({ Extract: EXTRACT_SPEC }, { Registration: REGISTRATION_SPEC });

// ---------------------------------------------------------------------------------------------
// A small element tree for one <Registration> or the <Extract> header.

interface XNode {
  name: string;
  /** Path below the <Registration> (or from <Extract>), e.g. `ChildcareAgeList/ChildcareAge[2]/AgeTo`. */
  path: string;
  line: number;
  spec: Spec;
  text: string;
  children: XNode[];
  /** Count of each child name so far, for `[n]` in paths and duplicate detection. */
  seen: Map<string, number>;
  textReported: boolean;
}

interface Location {
  line: number;
  path: string;
}

/** `YYYY-MM-DDT00:00:00` (how .NET serialises a date) → `YYYY-MM-DD`; anything else as is. */
export function normaliseExtractDate(value: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T00:00:00(?:\.0+)?$/.exec(value);
  return m?.[1] ?? value;
}

/** ExtractDateTime: local time, no zone (shared with extract-scan.ts). */
export const EXTRACT_DATE_TIME = /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?$/;

/** Parent of a property path: `ageBands[0].ageTo` → `ageBands[0]` → `ageBands` → ``. */
function parentPath(path: string): string {
  const cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
  return cut < 0 ? '' : path.slice(0, cut);
}

/**
 * Converts one <Registration> tree. Reports structural problems (missing elements, bad numbers,
 * notice dates) itself, then applies the shared rules, skipping fields it already reported on.
 */
class RegistrationConverter {
  private readonly locations = new Map<string, Location>();
  private readonly reported = new Set<string>();

  constructor(
    private readonly root: XNode,
    private readonly record: string,
    private readonly report: (p: Omit<ImportProblem, 'file'>) => void,
  ) {
    this.locations.set('', { line: root.line, path: '' });
  }

  private problem(at: Location, field: string, prop: string, message: string): void {
    this.reported.add(prop);
    this.report({ line: at.line, record: this.record, ...(field ? { field } : {}), message });
  }

  private child(parent: XNode, name: string): XNode | undefined {
    return parent.children.find((c) => c.name === name);
  }

  private node(parent: XNode, name: string, prop: string, required: boolean): XNode | undefined {
    const node = this.child(parent, name);
    if (node) this.locations.set(prop, node);
    else if (required) {
      this.problem(parent, parent.path ? `${parent.path}/${name}` : name, prop, `missing element ${name}`);
    }
    return node;
  }

  /** Free text, exactly as sent: spaces, line ends and all. */
  private required(parent: XNode, name: string, prop: string): string {
    return this.node(parent, name, prop, true)?.text ?? '';
  }

  /** Absent and empty mean "not given"; any other text is kept exactly. */
  private optional(parent: XNode, name: string, prop: string): string | undefined {
    const text = this.node(parent, name, prop, false)?.text;
    return text === undefined || text === '' ? undefined : text;
  }

  /**
   * A code, date, number or reference: surrounding white space is not part of it (XSD collapses
   * it for dates and numbers; for codes and references it is only ever a typing slip).
   */
  private token(parent: XNode, name: string, prop: string): string {
    return this.required(parent, name, prop).trim();
  }

  private optionalToken(parent: XNode, name: string, prop: string): string | undefined {
    const text = this.optional(parent, name, prop)?.trim();
    return text === '' ? undefined : text;
  }

  private integer(parent: XNode, name: string, prop: string): number {
    const node = this.node(parent, name, prop, true);
    if (!node) return NaN;
    const text = node.text.trim();
    if (/^-?\d+$/.test(text)) return Number(text);
    this.problem(node, node.path, prop, `'${text}' is not a whole number`);
    return NaN;
  }

  private list(parent: XNode, listName: string, itemName: string, prop: string): XNode[] {
    const list = this.node(parent, listName, prop, false);
    const items = list ? list.children.filter((c) => c.name === itemName) : [];
    items.forEach((item, i) => this.locations.set(`${prop}[${i}]`, item));
    return items;
  }

  private address(parent: XNode, name: string, prop: string): Address {
    const node = this.node(parent, name, prop, true);
    if (!node) return { addressLine1: '', town: '' };
    const a: Address = {
      addressLine1: this.required(node, 'AddressLine1', `${prop}.addressLine1`),
      town: this.required(node, 'Town', `${prop}.town`),
    };
    const line2 = this.optional(node, 'AddressLine2', `${prop}.addressLine2`);
    if (line2 !== undefined) a.addressLine2 = line2;
    const county = this.optional(node, 'County', `${prop}.county`);
    if (county !== undefined) a.county = county;
    const postcode = this.optional(node, 'Postcode', `${prop}.postcode`);
    if (postcode !== undefined) a.postcode = postcode;
    const uprn = this.optionalToken(node, 'UniquePropertyReferenceNumber', `${prop}.uprn`);
    if (uprn !== undefined) a.uprn = uprn;
    return a;
  }

  /** Reads the named optional leaves; undefined when none has a value (so no empty `contact: {}`). */
  private contact<K extends string>(
    parent: XNode,
    name: string,
    prop: string,
    fields: Record<K, string>,
  ): Partial<Record<K, string>> | undefined {
    const node = this.node(parent, name, prop, false);
    if (!node) return undefined;
    const contact: Partial<Record<K, string>> = {};
    let any = false;
    for (const [key, element] of Object.entries(fields) as [K, string][]) {
      const value = this.optional(node, element, `${prop}.${key}`);
      if (value !== undefined) {
        contact[key] = value;
        any = true;
      }
    }
    return any ? contact : undefined;
  }

  convert(laCode: string): Registration {
    const reg = this.root;
    const provider = this.node(reg, 'Provider', 'provider', true);
    const r: Registration = {
      referenceNumber: this.token(reg, 'ReferenceNumber', 'referenceNumber'),
      laCode,
      provisionType: this.token(reg, 'ProvisionType', 'provisionType') as ProvisionType,
      provider: provider
        ? {
            name: this.required(provider, 'ProviderName', 'provider.name'),
            address: this.address(provider, 'ProviderAddress', 'provider.address'),
          }
        : { name: '', address: { addressLine1: '', town: '' } },
      status: this.token(reg, 'RegistrationStatus', 'status') as RegistrationStatus,
      statusHistory: [],
      registers: [],
      childcarePeriods: [],
      ageBands: [],
      inspections: [],
      notices: [],
      lastChangeDate: '',
    };

    const rp = this.optionalToken(reg, 'RPReferenceNumber', 'rpReferenceNumber');
    if (rp !== undefined) r.rpReferenceNumber = rp;
    const secondary = this.optionalToken(reg, 'SecondaryProvisionType', 'secondaryProvisionType');
    if (secondary !== undefined) r.secondaryProvisionType = secondary as ProvisionType;

    if (provider) {
      const contact: ProviderContact | undefined = this.contact(
        provider,
        'ProviderContact',
        'provider.contact',
        {
          telephoneNumber: 'TelephoneNumber',
          mobileNumber: 'MobileNumber',
          workTelephoneNumber: 'WorkTelephoneNumber',
          faxNumber: 'FaxNumber',
          emailAddress: 'EmailAddress',
        },
      );
      if (contact) r.provider.contact = contact;
      const consent = this.optionalToken(provider, 'ProviderConsentWithheld', 'provider.consentWithheld');
      if (consent !== undefined) r.provider.consentWithheld = consent as YesNo;
    }

    const setting = this.node(reg, 'Setting', 'setting', false);
    if (setting) {
      r.setting = {
        name: this.required(setting, 'SettingName', 'setting.name'),
        address: this.address(setting, 'SettingAddress', 'setting.address'),
      };
      const contact: SettingContact | undefined = this.contact(setting, 'SettingContact', 'setting.contact', {
        telephoneNumber: 'TelephoneNumber',
        mobileNumber: 'MobileNumber',
        workTelephoneNumber: 'WorkTelephoneNumber',
        faxNumber: 'FaxNumber',
        emailAddress: 'EmailAddress',
      });
      if (contact) r.setting.contact = contact;
    }

    const special = this.optionalToken(reg, 'SpecialConsiderations', 'specialConsiderations');
    if (special !== undefined) r.specialConsiderations = special as SpecialConsideration;

    r.statusHistory = this.list(
      reg,
      'RegistrationStatusHistoryList',
      'RegistrationStatusHistory',
      'statusHistory',
    ).map((h, i): StatusHistoryEntry => ({
      status: this.token(h, 'RegistrationStatus', `statusHistory[${i}].status`) as RegistrationStatus,
      changeDate: normaliseExtractDate(this.token(h, 'ChangeDate', `statusHistory[${i}].changeDate`)),
    }));

    const registrationDate = this.optionalToken(reg, 'RegistrationDate', 'registrationDate');
    if (registrationDate !== undefined) r.registrationDate = normaliseExtractDate(registrationDate);

    r.registers = this.list(reg, 'ChildServicesRegisterList', 'ChildServicesRegister', 'registers').map(
      (n, i) => {
        const p = `registers[${i}]`;
        const entry: ChildServicesRegister = {
          register: this.token(n, 'Register', `${p}.register`) as Register,
          status: this.token(n, 'Status', `${p}.status`) as RegisterStatus,
          startDate: normaliseExtractDate(this.token(n, 'StartDate', `${p}.startDate`)),
        };
        const end = this.optionalToken(n, 'EndDate', `${p}.endDate`);
        if (end !== undefined) entry.endDate = normaliseExtractDate(end);
        return entry;
      },
    );

    const certificate = this.node(reg, 'RegistrationCertificate', 'certificateConditions', false);
    const conditions = certificate
      ? this.list(
          certificate,
          'CertificateConditionList',
          'CertificateCondition',
          'certificateConditions',
        ).map((n, i): CertificateCondition => {
          const p = `certificateConditions[${i}]`;
          const condition: CertificateCondition = {
            condition: this.required(n, 'Condition', `${p}.condition`),
          };
          const register = this.optionalToken(n, 'Register', `${p}.register`);
          if (register !== undefined) condition.register = register as Register;
          return condition;
        })
      : [];
    if (conditions.length > 0) r.certificateConditions = conditions;

    r.childcarePeriods = this.list(reg, 'ChildcarePeriodList', 'ChildcarePeriod', 'childcarePeriods').map(
      (n) => n.text.trim() as ChildcarePeriod,
    );

    r.ageBands = this.list(reg, 'ChildcareAgeList', 'ChildcareAge', 'ageBands').map((n, i): ChildcareAge => {
      const p = `ageBands[${i}]`;
      const band: ChildcareAge = {
        ageFrom: this.integer(n, 'AgeFrom', `${p}.ageFrom`),
        ageTo: this.integer(n, 'AgeTo', `${p}.ageTo`),
        maximumNumber: this.integer(n, 'MaximumNumber', `${p}.maximumNumber`),
      };
      const register = this.optionalToken(n, 'Register', `${p}.register`);
      if (register !== undefined) band.register = register as Register;
      return band;
    });

    r.inspections = this.list(reg, 'InspectionList', 'Inspection', 'inspections').map((n, i): Inspection => {
      const p = `inspections[${i}]`;
      return {
        inspectionType: this.required(n, 'InspectionType', `${p}.inspectionType`),
        inspectionDate: normaliseExtractDate(this.token(n, 'InspectionDate', `${p}.inspectionDate`)),
        overallJudgement: this.required(n, 'InspectionOverallJudgement', `${p}.overallJudgement`),
      };
    });

    r.notices = this.list(reg, 'NoticeHistoryList', 'NoticeHistory', 'notices').map((n, i): Notice => {
      const p = `notices[${i}]`;
      const notice: Notice = {
        type: this.token(n, 'Type', `${p}.type`) as NoticeType,
        subType: this.required(n, 'SubType', `${p}.subType`),
        status: this.required(n, 'Status', `${p}.status`),
      };
      const noi = this.optionalToken(n, 'NOIDate', `${p}.date`);
      const nod = this.optionalToken(n, 'NODDate', `${p}.date`);
      // Each notice type carries its own date element; the other one would be silently lost.
      if (noi !== undefined && nod !== undefined) {
        const at = this.child(n, 'NODDate') ?? n;
        this.problem(
          at,
          `${n.path}/NODDate`,
          `${p}.date`,
          'a notice has either NOIDate or NODDate, not both',
        );
      } else if (noi !== undefined && notice.type === 'NOD') {
        const at = this.child(n, 'NOIDate') ?? n;
        this.problem(at, `${n.path}/NOIDate`, `${p}.date`, 'a NOD notice carries NODDate, not NOIDate');
      } else if (nod !== undefined && notice.type === 'NOI') {
        const at = this.child(n, 'NODDate') ?? n;
        this.problem(at, `${n.path}/NODDate`, `${p}.date`, 'a NOI notice carries NOIDate, not NODDate');
      }
      const date = noi ?? nod;
      if (date !== undefined) notice.date = normaliseExtractDate(date);
      return notice;
    });

    const welfare = this.list(reg, 'WelfareNoticeHistoryList', 'WelfareNoticeHistory', 'welfareNotices').map(
      (n, i): WelfareNotice => {
        const p = `welfareNotices[${i}]`;
        const notice: WelfareNotice = {
          category: this.required(n, 'WelfareCategory', `${p}.category`),
          startDate: normaliseExtractDate(this.token(n, 'WelfareStartDate', `${p}.startDate`)),
        };
        const end = this.optionalToken(n, 'WelfareEndDate', `${p}.endDate`);
        if (end !== undefined) notice.endDate = normaliseExtractDate(end);
        return notice;
      },
    );
    if (welfare.length > 0) r.welfareNotices = welfare;

    const linked = this.list(reg, 'LinkedRegistrationList', 'LinkedRegistration', 'linkedRegistrations').map(
      (n, i): LinkedRegistration => ({
        referenceNumber: this.token(n, 'ReferenceNumber', `linkedRegistrations[${i}].referenceNumber`),
        reason: this.required(n, 'LinkedReason', `linkedRegistrations[${i}].reason`),
      }),
    );
    if (linked.length > 0) r.linkedRegistrations = linked;

    r.lastChangeDate = normaliseExtractDate(this.token(reg, 'LastChangeDate', 'lastChangeDate'));

    for (const { field, message } of validateRegistration(r)) {
      // The LA code is the header's, checked once there rather than once per record.
      if (field === 'laCode' || this.alreadyReported(field)) continue;
      const at = this.locate(field);
      this.problem(at, at.path, field, message);
    }
    return r;
  }

  private alreadyReported(prop: string): boolean {
    for (let p = prop; p !== ''; p = parentPath(p)) if (this.reported.has(p)) return true;
    return false;
  }

  private locate(prop: string): Location {
    for (let p = prop; ; p = parentPath(p)) {
      const at = this.locations.get(p);
      if (at) return at;
      if (p === '') return { line: this.root.line, path: '' };
    }
  }
}

// ---------------------------------------------------------------------------------------------

function decodeChunks(
  input: AsyncIterable<string | Buffer> | string,
): AsyncIterable<{ text: string; bytes: boolean }> {
  return (async function* () {
    if (typeof input === 'string') {
      yield { text: input, bytes: false };
      return;
    }
    // Streaming decode so a multi-byte character split across chunks survives.
    const decoder = new TextDecoder('utf-8');
    for await (const chunk of input) {
      if (typeof chunk === 'string') yield { text: chunk, bytes: false };
      else yield { text: decoder.decode(chunk, { stream: true }), bytes: true };
    }
    const rest = decoder.decode();
    if (rest) yield { text: rest, bytes: true };
  })();
}

/**
 * Reads a whole extract. Throws ImportError listing every problem (at most MAX_PROBLEMS) if there
 * is any; never returns a partial result. `file` is only used to name the file in problems.
 */
export async function readExtract(
  input: AsyncIterable<string | Buffer> | string,
  file: string,
): Promise<Extract> {
  const problems = new ProblemCollector();
  const report = (p: Omit<ImportProblem, 'file'>): void => problems.add({ file, ...p });

  const parser = new SaxesParser({ xmlns: true, position: true });
  let readBytes = false;
  let tagLine = 1;
  let rootSeen = false;

  // Stack of open elements below the root; `null` marks an element being skipped.
  const stack: (XNode | null)[] = [];
  let rootNode: XNode | undefined;
  let recordIndex = 0;
  let recordLabel = '';
  const header: Partial<ExtractHeader> = {};
  let extractSeen = false;
  const registrations: Registration[] = [];
  const firstLineOf = new Map<string, number>();

  const fatal = (p: Omit<ImportProblem, 'file'>): never => {
    report(p);
    throw new StopReading();
  };

  // Problems inside a <Registration> name it: by reference number once that has been read.
  const inRecord = (): boolean => stack[0]?.name === 'Registration';
  const withRecord = (p: Omit<ImportProblem, 'file'>): Omit<ImportProblem, 'file'> =>
    inRecord() ? { record: recordLabel, ...p } : p;

  parser.on('xmldecl', (decl) => {
    // A string was already decoded by someone else (e.g. out of a SOAP envelope, where .NET
    // writes "utf-16" into it), so the declaration only matters for bytes.
    const enc = decl.encoding?.toLowerCase();
    if (readBytes && enc !== undefined && enc !== 'utf-8' && enc !== 'utf8') {
      fatal({ line: parser.line, message: `encoding '${decl.encoding}' is not supported (expected UTF-8)` });
    }
  });

  // saxes does not expand DTD entities, but refusing any DOCTYPE outright also rules out
  // entity-expansion ("billion laughs") and external-entity tricks in any later parser.
  parser.on('doctype', () => {
    fatal({ line: parser.line, message: 'DOCTYPE is not allowed' });
  });

  parser.on('error', (err) => {
    // saxes has just read the offending character, so its 0-based "next" column is the
    // 1-based column of that character; 0 means the error surfaced at a line's start (e.g. EOF).
    fatal({
      line: parser.line,
      ...(parser.column > 0 ? { column: parser.column } : {}),
      message: `malformed XML: ${err.message.replace(/^\d+:\d+: /, '')}`,
    });
  });

  parser.on('opentagstart', () => {
    tagLine = parser.line;
  });

  parser.on('opentag', (tag: SaxesTagNS) => {
    const line = tagLine;
    if (!rootSeen) {
      rootSeen = true;
      if (tag.local !== EXTRACT_ROOT || tag.uri !== EXTRACT_NAMESPACE) {
        const found = tag.uri ? `{${tag.uri}}${tag.local}` : tag.local;
        fatal({
          line,
          message: `root element must be ${EXTRACT_ROOT} in namespace ${EXTRACT_NAMESPACE}, found ${found}`,
        });
      }
      rootNode = newNode(tag.local, '', line, ROOT_SPEC);
      checkAttributes(tag, line, '');
      return;
    }
    const parent = stack.length === 0 ? rootNode : stack[stack.length - 1];
    if (!parent || parent.spec.kind === 'skip') {
      stack.push(null);
      return;
    }
    const count = (parent.seen.get(tag.local) ?? 0) + 1;
    parent.seen.set(tag.local, count);
    const slot = parent.spec.kind === 'container' ? parent.spec.children.get(tag.local) : undefined;
    const name = slot?.many ? `${tag.local}[${count}]` : tag.local;
    // Paths inside a record are relative to its <Registration>, as a person reading it thinks of them.
    const isRecord = stack.length === 0 && tag.local === 'Registration' && tag.uri === EXTRACT_NAMESPACE;
    const path = isRecord ? '' : parent.path ? `${parent.path}/${name}` : name;
    if (isRecord) {
      recordIndex += 1;
      recordLabel = `record ${recordIndex}`;
    }
    const skip = (message: string): void => {
      report(withRecord({ line, field: path, message }));
      stack.push(null);
    };

    if (tag.uri !== EXTRACT_NAMESPACE) return skip(`element ${tag.name} is not in the extract namespace`);
    if (parent.spec.kind === 'leaf') return skip(`unexpected element ${tag.local} inside ${parent.name}`);
    if (!slot) {
      const expected = parent.spec.kind === 'container' ? [...parent.spec.children.keys()].join(', ') : '';
      return skip(`unknown element ${tag.local} (expected one of ${expected})`);
    }
    if (!slot.many && count > 1) return skip(`element ${tag.local} appears more than once`);

    const node = newNode(tag.local, path, line, slot.spec);
    stack.push(node);
    checkAttributes(tag, line, path);
    // Records hang off nothing: each is converted and dropped when it closes.
    if (parent !== rootNode) parent.children.push(node);
  });

  function newNode(name: string, path: string, line: number, spec: Spec): XNode {
    return { name, path, line, spec, text: '', children: [], seen: new Map(), textReported: false };
  }

  function checkAttributes(tag: SaxesTagNS, line: number, path: string): void {
    for (const attr of Object.values(tag.attributes)) {
      // Namespace declarations and xsi:* (nil, schemaLocation, type) are serialiser noise.
      if (attr.uri === XMLNS_NAMESPACE || attr.uri === XSI_NAMESPACE || attr.name === 'xmlns') continue;
      report(
        withRecord({ line, ...(path ? { field: path } : {}), message: `unexpected attribute ${attr.name}` }),
      );
    }
  }

  const onText = (text: string): void => {
    const node = stack.length === 0 ? rootNode : stack[stack.length - 1];
    if (!node) return;
    if (node.spec.kind === 'leaf') {
      // Past any length the schema allows, the rest is not kept: the rules then refuse the
      // value as too long, and a 50 MB "name" costs no more memory than a long one.
      if (node.text.length <= LEAF_TEXT_CAP) node.text += text.slice(0, LEAF_TEXT_CAP + 1 - node.text.length);
    } else if (node.spec.kind === 'container' && !node.textReported && text.trim() !== '') {
      node.textReported = true;
      report(
        withRecord({
          line: parser.line,
          ...(node.path ? { field: node.path } : {}),
          message: 'unexpected text',
        }),
      );
    }
  };
  parser.on('text', onText);
  parser.on('cdata', onText);

  parser.on('closetag', () => {
    if (stack.length === 0) return; // the root
    const node = stack.pop();
    if (!node) return;
    if (stack.length === 1 && stack[0]?.name === 'Registration' && node.name === 'ReferenceNumber') {
      const reference = node.text.trim();
      if (reference) recordLabel = reference;
    }
    if (stack.length > 0) return;
    if (node.name === 'Registration') closeRegistration(node);
    else if (node.name === 'Extract') closeExtract(node);
  });

  function closeRegistration(node: XNode): void {
    const converter = new RegistrationConverter(node, recordLabel, report);
    const registration = converter.convert('');
    const ref = registration.referenceNumber;
    if (ref) {
      const first = firstLineOf.get(ref);
      const at = node.children.find((c) => c.name === 'ReferenceNumber') ?? node;
      if (first === undefined) firstLineOf.set(ref, at.line);
      else {
        report({
          line: at.line,
          record: ref,
          field: 'ReferenceNumber',
          message: `duplicate reference number ${ref} (first at line ${first})`,
        });
      }
    }
    registrations.push(registration);
  }

  function closeExtract(node: XNode): void {
    extractSeen = true;
    // The date-time and code are tokens (surrounding white space dropped); the name is text.
    const leaf = (parent: XNode | undefined, name: string, exact = false): string | undefined => {
      const found = parent?.children.find((c) => c.name === name);
      if (parent && !found) {
        report({ line: parent.line, field: `${parent.path}/${name}`, message: `missing element ${name}` });
      } else if (found && found.text.trim() === '') {
        report({ line: found.line, field: found.path, message: 'must not be empty' });
      }
      return exact ? found?.text : found?.text.trim();
    };
    const dateTime = leaf(node, 'ExtractDateTime');
    const dateTimeNode = node.children.find((c) => c.name === 'ExtractDateTime');
    const dateTimeOk = isCalendarDate(EXTRACT_DATE_TIME.exec(dateTime ?? '')?.[1] ?? '');
    if (dateTime && dateTimeNode && !dateTimeOk) {
      report({
        line: dateTimeNode.line,
        field: dateTimeNode.path,
        message: `invalid date-time '${dateTime}' (expected YYYY-MM-DDThh:mm:ss)`,
      });
    }
    const la = node.children.find((c) => c.name === 'LocalAuthority');
    if (!la)
      report({ line: node.line, field: 'Extract/LocalAuthority', message: 'missing element LocalAuthority' });
    const laCode = leaf(la, 'LocalAuthorityCode');
    const laCodeNode = la?.children.find((c) => c.name === 'LocalAuthorityCode');
    if (laCode && laCodeNode && !LA_CODE_PATTERN.test(laCode)) {
      report({
        line: laCodeNode.line,
        field: laCodeNode.path,
        message: `LA code '${laCode}' is not 3 digits (the DfE code, e.g. 825)`,
      });
    }
    header.extractDateTime = dateTime ?? '';
    header.laCode = laCode ?? '';
    header.laName = leaf(la, 'LocalAuthorityName', true) ?? '';
    const laNameNode = la?.children.find((c) => c.name === 'LocalAuthorityName');
    const nameProblem = laNameNode && textProblem(header.laName, HEADER_LIMITS.LocalAuthorityName);
    if (laNameNode && nameProblem)
      report({ line: laNameNode.line, field: laNameNode.path, message: nameProblem });
  }

  try {
    for await (const chunk of decodeChunks(input)) {
      if (chunk.bytes) readBytes = true;
      parser.write(chunk.text);
    }
    parser.close();
    if (!rootSeen) fatal({ line: parser.line, message: `no root element (expected ${EXTRACT_ROOT})` });
    if (!extractSeen && rootNode) {
      report({ line: rootNode.line, field: 'Extract', message: 'missing element Extract' });
    }
  } catch (err) {
    if (!(err instanceof StopReading)) throw err;
  }

  if (problems.count > 0) throw problems.toError();
  const laCode = header.laCode ?? '';
  for (const r of registrations) r.laCode = laCode;
  return {
    header: { extractDateTime: header.extractDateTime ?? '', laCode, laName: header.laName ?? '' },
    registrations,
  };
}
