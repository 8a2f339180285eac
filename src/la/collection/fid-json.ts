/**
 * The FID JSON document (reference/ispp-contract/fid-json-schema.json, as
 * contracts/childcare-extract/fid-document.ts writes it) turned back into the extract's XML, so a
 * snapshot collected through FID is stored, read and compared exactly like one from SOAP.
 *
 * The JSON is the XML element for property in the same order: `""` is an absent element, a list
 * is an array inside its wrapper, a `null` RegistrationCertificate has no conditions, a Setting
 * with an empty SettingName is no setting. What comes out is then read by the same hardened
 * reader as any other document, so shape and values are checked there, not here.
 */
import { EXTRACT_NAMESPACE, EXTRACT_ROOT } from '../../contracts/childcare-extract/extract-reader.ts';

export class FidJsonError extends Error {}

/** Deeper than any element of the extract (Registration/…/ChildcareAge/AgeFrom is 4 below it). */
const MAX_DEPTH = 8;
/** Lists the XML leaves out when empty (the v1.3 additions). */
const OPTIONAL_LISTS = new Set(['WelfareNoticeHistoryList', 'LinkedRegistrationList']);

function escape(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True when nothing under `value` is a non-empty value (an all-`""` container is absent). */
function blank(value: unknown): boolean {
  if (value === null || value === '') return true;
  if (Array.isArray(value)) return value.every(blank);
  if (isObject(value)) return Object.values(value).every(blank);
  return false;
}

function element(name: string, value: unknown, depth: number, out: string[]): void {
  if (depth > MAX_DEPTH) throw new FidJsonError('The FID document is nested too deeply.');
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(name))
    throw new FidJsonError(
      `The FID document has a property '${name.slice(0, 40)}' that is not an element name.`,
    );
  if (value === null || value === '') return;
  if (typeof value === 'string' || typeof value === 'number') {
    out.push(`<${name}>${escape(String(value))}</${name}>`);
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) element(name, item, depth + 1, out);
    return;
  }
  if (!isObject(value))
    throw new FidJsonError(`The FID document's ${name} is neither text, a list nor an object.`);
  const entries = Object.entries(value);
  const isListWrapper = name.endsWith('List') && entries.length === 1 && Array.isArray(entries[0]![1]);
  if (isListWrapper ? OPTIONAL_LISTS.has(name) && blank(value) : blank(value)) return;
  // A Setting without a name is how FID sends "no setting" (registered persons).
  if (name === 'Setting' && blank(value.SettingName)) return;
  out.push(`<${name}>`);
  for (const [child, childValue] of entries) element(child, childValue, depth + 1, out);
  out.push(`</${name}>`);
}

/** The XML extract the FID JSON document `body` carries; FidJsonError when it is not one. */
export function fidJsonToExtractXml(body: Buffer): Buffer {
  let document: unknown;
  try {
    document = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new FidJsonError(`The FID response is not JSON (${(error as Error).message}).`);
  }
  const root = isObject(document) ? document[EXTRACT_ROOT] : undefined;
  if (!isObject(root) || !isObject(root.Extract) || !Array.isArray(root.Registration)) {
    throw new FidJsonError(
      `The FID response is not an extract document (no ${EXTRACT_ROOT} with Extract and Registration).`,
    );
  }
  const out: string[] = [
    `<?xml version="1.0" encoding="utf-8"?>\n<${EXTRACT_ROOT} xmlns="${EXTRACT_NAMESPACE}">`,
  ];
  element('Extract', root.Extract, 1, out);
  for (const registration of root.Registration) {
    out.push('\n');
    element('Registration', registration, 1, out);
  }
  out.push(`\n</${EXTRACT_ROOT}>\n`);
  return Buffer.from(out.join(''), 'utf8');
}
