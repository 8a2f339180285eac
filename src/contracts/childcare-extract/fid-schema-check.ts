/**
 * For tests: a small JSON Schema (draft-04) checker covering the keywords fid-json-schema.json
 * uses (type, required, properties, additionalProperties, items, enum, minItems, maxItems), and
 * the schema itself with the one correction fid-document.ts documents. Written here rather than
 * borrowing ajv (only a transitive dependency, and without draft-04 support out of the box).
 */
import { readFileSync } from 'node:fs';

export interface SchemaNode {
  type?: string | string[];
  required?: string[];
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
  enum?: unknown[];
  minItems?: number;
  maxItems?: number;
}

export interface CheckOptions {
  /** Keywords not to apply (e.g. `maxItems`, an artefact of the stub the schema came from). */
  ignore?: readonly string[];
}

function typeMatches(type: string, value: unknown): boolean {
  switch (type) {
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'null':
      return value === null;
    default:
      return false;
  }
}

/** Every problem found, as `path: message`; none means valid. */
export function schemaProblems(schema: SchemaNode, value: unknown, options: CheckOptions = {}): string[] {
  const ignored = new Set(options.ignore ?? []);
  const problems: string[] = [];
  const visit = (node: SchemaNode, v: unknown, path: string): void => {
    if (node.type !== undefined) {
      const types = Array.isArray(node.type) ? node.type : [node.type];
      if (!types.some((t) => typeMatches(t, v))) {
        problems.push(
          `${path}: expected ${types.join(' or ')}, got ${v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v}`,
        );
        return;
      }
    }
    if (node.enum !== undefined && !node.enum.some((e) => JSON.stringify(e) === JSON.stringify(v))) {
      problems.push(`${path}: not one of the allowed values`);
    }
    // Draft-04: object keywords apply to objects only, array keywords to arrays only.
    if (typeMatches('object', v)) {
      const object = v as Record<string, unknown>;
      for (const name of node.required ?? []) {
        if (!Object.hasOwn(object, name)) problems.push(`${path}: missing required property ${name}`);
      }
      for (const [name, child] of Object.entries(object)) {
        const sub = node.properties?.[name];
        if (sub !== undefined) visit(sub, child, `${path}.${name}`);
        else if (node.additionalProperties === false)
          problems.push(`${path}: property ${name} is not allowed`);
        else if (typeof node.additionalProperties === 'object') {
          visit(node.additionalProperties, child, `${path}.${name}`);
        }
      }
    } else if (Array.isArray(v)) {
      if (!ignored.has('minItems') && node.minItems !== undefined && v.length < node.minItems) {
        problems.push(`${path}: fewer than ${node.minItems} items`);
      }
      if (!ignored.has('maxItems') && node.maxItems !== undefined && v.length > node.maxItems) {
        problems.push(`${path}: more than ${node.maxItems} items`);
      }
      if (node.items !== undefined) v.forEach((item, i) => visit(node.items!, item, `${path}[${i}]`));
    }
  };
  visit(schema, value, '$');
  return problems;
}

const SCHEMA_FILE = new URL('../../../reference/ispp-contract/fid-json-schema.json', import.meta.url);

/** fid-json-schema.json exactly as published. */
export function literalFidSchema(): SchemaNode {
  return JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as SchemaNode;
}

const TEXT: SchemaNode = { type: 'string' };
const objectOf = (props: Record<string, SchemaNode>, required = Object.keys(props)): SchemaNode => ({
  type: 'object',
  additionalProperties: false,
  required,
  properties: props,
});
const listOf = (item: string, props: Record<string, SchemaNode>): SchemaNode =>
  objectOf({ [item]: { type: 'array', items: objectOf(props) } });

/**
 * The elements of Ofsted's schema v1.1–v1.3 the published schema never saw (fid-document.ts
 * sends them under their XML names): added as required, so a registration without them fails.
 */
function addV13Elements(schema: SchemaNode): void {
  const registration =
    schema.properties!.OfstedChildcareRegisterLocalAuthorityExtract!.properties!.Registration!.items!;
  const props = registration.properties!;
  const require = (node: SchemaNode, name: string, value: SchemaNode): void => {
    node.properties![name] = value;
    node.required = [...(node.required ?? []), name];
  };
  require(props.Provider!.properties!.ProviderAddress!, 'UniquePropertyReferenceNumber', TEXT);
  require(props.Setting!.properties!.SettingAddress!, 'UniquePropertyReferenceNumber', TEXT);
  require(props.Provider!, 'ProviderConsentWithheld', TEXT);
  // A setting's contact is Ofsted's ContactStructure, like a provider's.
  require(props.Setting!.properties!.SettingContact!, 'MobileNumber', TEXT);
  require(props.Setting!.properties!.SettingContact!, 'WorkTelephoneNumber', TEXT);
  props.RegistrationCertificate = {
    type: ['null', 'object'],
    additionalProperties: false,
    required: ['CertificateConditionList'],
    properties: {
      CertificateConditionList: listOf('CertificateCondition', { Condition: TEXT, Register: TEXT }),
    },
  };
  require(registration, 'WelfareNoticeHistoryList', listOf('WelfareNoticeHistory', {
    WelfareCategory: TEXT,
    WelfareStartDate: TEXT,
    WelfareEndDate: TEXT,
  }));
  require(registration, 'LinkedRegistrationList', listOf('LinkedRegistration', {
    ReferenceNumber: TEXT,
    LinkedReason: TEXT,
  }));
}

/**
 * The schema as edgate follows it: a node typed `object` that also carries `items` (the lists
 * RegistrationStatusHistory, Inspection, NoticeHistory) is an array of those items; and the
 * v1.1–v1.3 elements it lacks are added (addV13Elements). Nothing else is changed.
 */
export function fidSchema(): SchemaNode {
  const correct = (node: SchemaNode): void => {
    if (node.type === 'object' && node.items !== undefined) node.type = 'array';
    for (const child of Object.values(node.properties ?? {})) correct(child);
    if (node.items !== undefined) correct(node.items);
  };
  const schema = literalFidSchema();
  correct(schema);
  addV13Elements(schema);
  return schema;
}
