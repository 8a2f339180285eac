/**
 * Whether a collected document is a readable extract of the LA it was asked for. The document is
 * untrusted: it is read by the feed's hardened streaming reader (no DOCTYPE or entities, every
 * element checked against the extract's shape, text capped), never as a DOM, after a size check.
 * Validation is structural (see docs/decisions/0022-la-collection-validation-and-hostile-documents.md): the reader
 * knows Ofsted's v1.3 elements, their order and their values' rules.
 * Read with `readExtractDocument`: straight from the bytes for documents as writers write them,
 * else the streaming reader, which answers with its problems (decision 0017).
 */
import { nestsDeeperThan } from './nesting-depth.ts';
import {
  ImportError,
  type Extract,
  type ExtractHeader,
} from '../../contracts/childcare-extract/extract-reader.ts';
import { readExtractDocument } from '../../contracts/childcare-extract/extract-scan.ts';

/** Largest document accepted, in bytes: the largest LA’s extract is ~10 MB; three times that is room enough. */
export const MAX_DOCUMENT_BYTES = 32 * 1024 * 1024;

/** Elements nest at most 5 deep in an extract (…/Provider/ProviderAddress/Town): far more is hostile. */
export const MAX_DOCUMENT_DEPTH = 32;

/** What storing needs of a readable document: the registrations themselves are let go at once. */
export type DocumentCheck =
  { ok: true; header: ExtractHeader; recordCount: number } | { ok: false; problem: string };

/** Reads `bytes` as LA `laCode`'s extract; problems in plain words, a few at most. */
export async function checkExtractDocument(
  bytes: Buffer,
  laCode: string,
  options: { maxBytes?: number } = {},
): Promise<DocumentCheck> {
  const maxBytes = options.maxBytes ?? MAX_DOCUMENT_BYTES;
  if (bytes.length > maxBytes)
    return { ok: false, problem: `The document is larger than ${megabytes(maxBytes)}.` };
  if (bytes.length === 0) return { ok: false, problem: 'The document is empty.' };
  if (nestsDeeperThan(bytes, MAX_DOCUMENT_DEPTH)) {
    return {
      ok: false,
      problem: `Not a readable extract: elements nest more than ${MAX_DOCUMENT_DEPTH} deep.`,
    };
  }
  let extract: Extract;
  try {
    extract = await readExtractDocument(bytes, `extract-${laCode}.xml`);
  } catch (error) {
    if (!(error instanceof ImportError)) throw error;
    const shown = error.problems.slice(0, 5).map((p) => p.message.replace(/^./, (c) => c.toUpperCase()));
    const more = error.problems.length > 5 ? ` (and ${error.problems.length - 5} more problems)` : '';
    const where = error.problems[0] ? `line ${error.problems[0].line}: ` : '';
    return { ok: false, problem: `Not a readable extract: ${where}${shown.join('; ')}${more}.` };
  }
  if (extract.header.laCode !== laCode) {
    return {
      ok: false,
      problem: `The document is local authority ${extract.header.laCode}'s extract, not ${laCode}'s.`,
    };
  }
  return { ok: true, header: extract.header, recordCount: extract.registrations.length };
}

export function megabytes(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MB`;
}
