/**
 * Builds one LA's extract document from the register as a stream of text chunks: reads the
 * registrations that belong in it (extract-selection.ts) in reference-number order, a batch at
 * a time, and writes each as soon as its batch is read. Memory holds one batch, never the
 * whole document.
 */
import { sql } from 'kysely';
import type { Database } from '../../platform/db/database.ts';
import { completeRegistrations } from '../register/register-store.ts';
import { INACTIVE_STATUSES } from '../register/registration.ts';
import { earliestRetainedChange } from './extract-selection.ts';
import { EXTRACT_CLOSING, extractOpening, registrationText, type ExtractHeader } from './extract-writer.ts';

const BATCH = 1000;

export interface BuildRequest {
  laCode: string;
  laName: string;
  extractDate: string;
  /** London local time written into the document, 'YYYY-MM-DDTHH:MM:SS'. */
  extractDateTime: string;
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
  await write(extractOpening(header));
  const earliest = earliestRetainedChange(request.extractDate);
  let after = '';
  let count = 0;
  for (;;) {
    // Keyset paging on the primary key keeps every batch an index range scan, however deep.
    const rows = await db
      .selectFrom('regulator.registration')
      .selectAll()
      .where('la_code', '=', request.laCode)
      .where('reference_number', '>', after)
      .where((eb) =>
        eb.or([
          eb('status', 'not in', [...INACTIVE_STATUSES]),
          eb('status_changed_on', '>=', sql<string>`${earliest}::date`),
        ]),
      )
      .orderBy('reference_number')
      .limit(BATCH)
      .execute();
    if (rows.length === 0) break;
    for (const text of registrationText(await completeRegistrations(db, rows))) await write(text);
    count += rows.length;
    after = rows[rows.length - 1]!.reference_number;
    if (rows.length < BATCH) break;
  }
  await write(EXTRACT_CLOSING);
  return count;
}
