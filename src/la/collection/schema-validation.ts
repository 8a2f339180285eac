/**
 * Every new document collected is validated against Ofsted's v1.3 XSD (with the BS7666 schema it
 * imports), as the issue asks: the feed's reader checks the elements and their values, but reads
 * a registration's children in any order and does not know every facet of the schema, so a
 * document the reader takes may still be one Ofsted's schema refuses. libxml2 (xmllint-wasm)
 * validates in a worker thread of its own, streaming (no tree of the document), so the event
 * loop goes on; measured in decision 0027: ~0.8 s of CPU and ~70 MB for the largest LA's 11 MB.
 *
 * Validations run at once only up to a budget of document bytes, so that collecting four LAs at
 * once never holds four large documents' validations in memory: the largest LA is validated alone,
 * small ones several at a time.
 */
import { validateExtractXml } from '../../contracts/childcare-extract/extract-schema.ts';

/** Bytes of documents being validated at once (one larger than this still goes, alone). */
export const VALIDATION_BUDGET_BYTES = 16 * 1024 * 1024;

/** Messages shown of an invalid document: the first few say what is wrong. */
const SHOWN = 3;

let inUse = 0;
const waiting: { bytes: number; go: () => void }[] = [];

async function withinBudget<T>(bytes: number, work: () => Promise<T>): Promise<T> {
  if (inUse > 0 && (inUse + bytes > VALIDATION_BUDGET_BYTES || waiting.length > 0)) {
    // Let in by a validation ending, which counts these bytes as it lets them in.
    await new Promise<void>((go) => waiting.push({ bytes, go }));
  } else inUse += bytes;
  try {
    return await work();
  } finally {
    inUse -= bytes;
    while (waiting.length > 0 && (inUse === 0 || inUse + waiting[0]!.bytes <= VALIDATION_BUDGET_BYTES)) {
      const next = waiting.shift()!;
      inUse += next.bytes;
      next.go();
    }
  }
}

/**
 * Undefined when `bytes` is valid against Ofsted's v1.3 schema; else why not, in plain words
 * (the validator's first messages, with line numbers, namespaces left out).
 */
export async function schemaProblem(bytes: Buffer): Promise<string | undefined> {
  const result = await withinBudget(bytes.length, () =>
    validateExtractXml(bytes, 'ofsted-v1.3', { stream: true }),
  );
  if (result.valid) return undefined;
  const shown = result.errors.slice(0, SHOWN).map(plainMessage);
  const more = result.errors.length > SHOWN ? ` (and ${result.errors.length - SHOWN} more)` : '';
  return `Not valid against Ofsted’s v1.3 schema: ${shown.join('; ')}${more}.`;
}

/** `doc1.xml:12: Schemas validity error : Element '{ns}X': …` → `line 12: Element 'X': …`. */
export function plainMessage(message: string): string {
  return message
    .split('\n')[0]!
    .replace(/^doc\d+\.xml:(\d+):\s*/, 'line $1: ')
    .replace(/(Schemas validity|parser) error\s*:\s*/g, '')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\.$/, '')
    .trim();
}
