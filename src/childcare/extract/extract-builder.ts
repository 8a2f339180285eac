/**
 * Builds one LA's extract document from the register as a stream of text chunks: reads the
 * registrations that belong in it (extract-selection.ts) in reference-number order, a batch at
 * a time (extract-batches.ts: one statement per batch), and writes each as soon as its batch is
 * read. Memory holds two batches, never the whole document.
 *
 * The next batch's statement is sent before this one is decoded and written, so the database
 * works on it meanwhile: the run is as fast as the slower of the two sides, not their sum.
 */
import type { Database } from '../../platform/db/database.ts';
import { decodeBatch, readBatchText, type BatchText } from './extract-batches.ts';
import { earliestRetainedChange } from './extract-selection.ts';
import { EXTRACT_CLOSING, extractOpening, registrationText, type ExtractHeader } from './extract-writer.ts';

const BATCH = 1000;

export interface BuildRequest {
  laCode: string;
  laName: string;
  extractDate: string;
  /** London local time written into the document, 'YYYY-MM-DDTHH:MM:SS'. */
  extractDateTime: string;
  /** Registrations per statement; small in tests, to cross batch boundaries. */
  batchSize?: number;
}

/**
 * Writes the document to `write`, awaiting it (so a slow sink holds the reader back).
 * Returns the number of registrations written.
 */
export async function buildExtract(
  db: Database,
  request: BuildRequest,
  write: (chunk: string) => void | Promise<void>,
): Promise<number> {
  const header: ExtractHeader = {
    extractDateTime: request.extractDateTime,
    laCode: request.laCode,
    laName: request.laName,
  };
  const limit = request.batchSize ?? BATCH;
  const earliest = earliestRetainedChange(request.extractDate);
  const read = (after: string): Promise<BatchText> => {
    const pending = readBatchText(db, {
      laCode: request.laCode,
      earliestRetainedChange: earliest,
      after,
      limit,
    });
    // Awaited later; until then a failure must not count as unhandled (a failing write may
    // end the build first).
    pending.catch(() => undefined);
    return pending;
  };
  await write(extractOpening(header));
  let count = 0;
  let next: Promise<BatchText> | undefined = read('');
  while (next) {
    const batch: BatchText = await next;
    // A full batch may have more after it: ask for them before decoding and writing this one.
    next = batch.count === limit && batch.last !== null ? read(batch.last) : undefined;
    for (const chunk of registrationText(decodeBatch(batch))) await write(chunk);
    count += batch.count;
  }
  await write(EXTRACT_CLOSING);
  return count;
}
