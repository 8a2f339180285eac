/**
 * The published XSD of the extract document and validation against it (libxml2's xmllint,
 * compiled to WebAssembly, so no native dependency). The regulator serves the XSD
 * (extract-xsd.ts) and validates what it writes only in tests and benches; the LA validates every
 * new document it collects against Ofsted's v1.3 schema (la/collection/schema-validation.ts).
 *
 * xmllint-wasm runs each call in a fresh worker thread with its own WebAssembly memory: starting
 * one costs some tens of milliseconds, so validate many documents in one call when you can.
 */

import { readFile } from 'node:fs/promises';
import { validateXML } from 'xmllint-wasm';
import { EXTRACT_XSD_PATH } from './extract-xsd.ts';

export { EXTRACT_XSD_PATH };

/** How xmllint names the schema in its messages. */
const XSD_FILE_NAME = 'childcare-register-extract.xsd';

/**
 * Ofsted's own schema of the document, v1.3 (reference/ofsted-extract-v1.3/, with the GovTalk
 * BS7666 address schema it imports): the contract real LA systems validate against.
 */
const OFSTED_XSD_DIR = new URL('../../../reference/ofsted-extract-v1.3/', import.meta.url);
export const OFSTED_XSD_FILE_NAME = 'OfstedChildcareRegisterLocalAuthorityExtract-v1-3.xsd';
const BS7666_FILE_NAME = 'bs7666-v2-0.xsd';

let ofstedXsd: Promise<[string, string]> | undefined;

function readOfstedXsd(): Promise<[string, string]> {
  ofstedXsd ??= Promise.all([
    readFile(new URL(OFSTED_XSD_FILE_NAME, OFSTED_XSD_DIR), 'utf8'),
    readFile(new URL(BS7666_FILE_NAME, OFSTED_XSD_DIR), 'utf8'),
  ]).catch((err: unknown) => {
    ofstedXsd = undefined;
    throw err;
  });
  return ofstedXsd;
}

/** Which schema to validate against: edgate's published one, or Ofsted's official v1.3. */
export type ExtractSchema = 'edgate' | 'ofsted-v1.3';

/**
 * WebAssembly memory ceiling, in 64 KiB pages (2**14 = 1 GiB). libxml2 holds the parsed
 * documents while validating; the default 32 MiB runs out on a large LA's extract.
 */
const MAX_MEMORY_PAGES = 2 ** 14;

let xsdText: Promise<string> | undefined;

/** The XSD as published (read once, then cached). */
export function readExtractXsd(): Promise<string> {
  xsdText ??= readFile(EXTRACT_XSD_PATH, 'utf8').catch((err: unknown) => {
    xsdText = undefined; // let a later call retry
    throw err;
  });
  return xsdText;
}

export interface ExtractValidation {
  valid: boolean;
  /**
   * xmllint's messages, each prefixed with the document it is about: `doc1.xml:106: …` (documents
   * are numbered from 1 in the order given; a single string is `doc1.xml` too).
   */
  errors: string[];
}

/** Document name for the i-th (0-based) input, as it appears in messages. */
export function extractDocumentName(index: number): string {
  return `doc${index + 1}.xml`;
}

/**
 * A document as text, or as its bytes (UTF-8, or as its declaration says: libxml2 decodes it).
 * With `stream`, libxml2 validates as it reads, without building the document's tree: about half
 * the memory for a large LA's extract, the same messages.
 */
export type ExtractXml = string | Uint8Array;

/** xmllint exit code for a document that is not well-formed (or could not be read). */
const EXIT_NOT_WELL_FORMED = 1;

/**
 * Validates one or several extract documents against the XSD (edgate's, or Ofsted's official
 * v1.3 with `'ofsted-v1.3'`) in a single xmllint run. `valid`
 * is true only if every document is; `errors` lists every problem found, in document order.
 * A document that is not well-formed XML is reported as invalid, not thrown; anything else
 * xmllint fails on (the schema itself, memory) is thrown.
 */
export async function validateExtractXml(
  xml: ExtractXml | ExtractXml[],
  against: ExtractSchema = 'edgate',
  options: { stream?: boolean } = {},
): Promise<ExtractValidation> {
  const docs = Array.isArray(xml) ? xml : [xml];
  if (docs.length === 0) return { valid: true, errors: [] };
  const schema =
    against === 'edgate'
      ? { schema: [{ fileName: XSD_FILE_NAME, contents: await readExtractXsd() }] }
      : await readOfstedXsd().then(([main, bs7666]) => ({
          schema: [{ fileName: OFSTED_XSD_FILE_NAME, contents: main }],
          // Imported by the main schema through its schemaLocation.
          preload: [{ fileName: BS7666_FILE_NAME, contents: bs7666 }],
        }));
  try {
    const result = await validateXML({
      xml: docs.map((contents, i) => ({ fileName: extractDocumentName(i), contents })),
      ...schema,
      maxMemoryPages: MAX_MEMORY_PAGES,
      ...(options.stream ? { stream: true } : {}),
    });
    return { valid: result.valid, errors: result.valid ? [] : messages(result.rawOutput) };
  } catch (err) {
    // xmllint-wasm rejects on any exit code but "valid" and "invalid"; a parse error is exit 1.
    if (isExitError(err) && err.code === EXIT_NOT_WELL_FORMED) {
      return { valid: false, errors: messages(err.message) };
    }
    throw err;
  }
}

/**
 * Validates several documents in one xmllint run (one worker, the schema compiled once: for
 * Ofsted's schema that is ~0.3–0.4 s of CPU a run, more than validating a small LA's document),
 * with a verdict for each. A document is invalid when xmllint reports a problem in it.
 */
export async function validateEachExtract(
  docs: readonly ExtractXml[],
  against: ExtractSchema = 'edgate',
  options: { stream?: boolean } = {},
): Promise<ExtractValidation[]> {
  const all = await validateExtractXml([...docs], against, options);
  const each = docs.map((_, i) => {
    const prefix = `${extractDocumentName(i)}:`;
    const errors = all.errors.filter((e) => e.startsWith(prefix));
    return { valid: errors.length === 0, errors };
  });
  if (!all.valid && each.every((d) => d.valid))
    throw new Error(`xmllint found the documents invalid without saying where: ${all.errors.join('; ')}`);
  return each;
}

function isExitError(err: unknown): err is Error & { code: unknown } {
  return err instanceof Error && 'code' in err;
}

/**
 * xmllint's report as one entry per problem: a problem starts with `docN.xml:line:` and a parse
 * error goes on with lines quoting the text and pointing at the column, kept with it. The
 * per-document verdicts (`doc1.xml validates`, `… fails to validate`) are dropped.
 */
function messages(output: string): string[] {
  const problems: string[] = [];
  for (const line of output.split('\n')) {
    if (line.trim() === '' || /^\S+ (validates|fails to validate)$/.test(line)) continue;
    const last = problems.length - 1;
    if (/^doc\d+\.xml:\d+:/.test(line) || last < 0) problems.push(line);
    else problems[last] += `\n${line}`;
  }
  return problems;
}
