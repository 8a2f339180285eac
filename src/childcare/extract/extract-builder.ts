/**
 * Builds one LA's extract document from the register as a stream of text chunks: reads the
 * registrations that belong in it (extract-selection.ts) in reference-number order, a batch at
 * a time, and writes each as soon as its batch is read. Memory holds two batches, never the
 * whole document.
 *
 * Each registration's element is the one stored by an earlier run when it still counts
 * (extract-fragments.ts: same registration version, same writer); the others are read from the
 * register (extract-batches.ts), written, and stored for the next run. The next batch is asked
 * for before this one is written, so the database works on it meanwhile.
 */
import type { Database } from '../../platform/db/database.ts';
import { readRegistrations, type BatchRequest } from './extract-batches.ts';
import {
  readFragmentBatch,
  storeFragments,
  writerIdentity,
  FRESH_ELEMENT,
  type Fragment,
  type FragmentBatch,
} from './extract-fragments.ts';
import { earliestRetainedChange } from './extract-selection.ts';
import {
  CHUNK_CHARS,
  EXTRACT_CLOSING,
  extractOpening,
  registrationElement,
  type ExtractHeader,
} from './extract-writer.ts';

const BATCH = 1000;
/** Fresh elements stored per statement. */
const STORE_BATCH = 500;

export interface BuildRequest {
  laCode: string;
  laName: string;
  extractDate: string;
  /** London local time written into the document, 'YYYY-MM-DDTHH:MM:SS'. */
  extractDateTime: string;
  /** Registrations per statement; small in tests, to cross batch boundaries. */
  batchSize?: number;
}

/** A failure is reported when the promise is awaited, never as unhandled meanwhile. */
function later<T>(pending: Promise<T>): Promise<T> {
  pending.catch(() => undefined);
  return pending;
}

/**
 * Builds the elements a batch has no stored element for, from the register: by reference number
 * when they are a few (a day's changes), the whole batch by its range when they are many (a first
 * run), where looking up so many reference numbers one by one would cost more than reading them all.
 */
async function freshElements(
  db: Database,
  batch: BatchRequest,
  missing: readonly string[],
): Promise<Map<string, Fragment>> {
  const fresh = new Map<string, Fragment>();
  if (missing.length === 0) return fresh;
  const which = missing.length * 4 > batch.limit ? batch : { references: missing };
  for (const { registration, version } of await readRegistrations(db, which)) {
    fresh.set(registration.referenceNumber, {
      referenceNumber: registration.referenceNumber,
      registrationVersion: version,
      xml: registrationElement(registration),
    });
  }
  return fresh;
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
  const writer = writerIdentity();
  const batchAfter = (after: string): BatchRequest => ({
    laCode: request.laCode,
    earliestRetainedChange: earliest,
    after,
    limit,
  });
  const read = (after: string): Promise<FragmentBatch> =>
    later(readFragmentBatch(db, batchAfter(after), writer));
  // Fresh elements are stored a few hundred at a time while the build goes on (one statement for
  // a day's changes to an LA). One statement at a time: the build waits for the last before
  // sending the next, so a slow database holds it back rather than letting elements pile up.
  let storing: Promise<void> = Promise.resolve();
  let unstored: Fragment[] = [];
  const store = async () => {
    await storing;
    if (unstored.length > 0) storing = later(storeFragments(db, unstored, writer));
    unstored = [];
  };
  // Long texts go on in pieces: the sink encodes each into its buffer as it comes.
  const writeText = async (text: string) => {
    for (let start = 0; start < text.length; start += CHUNK_CHARS) {
      await write(text.length <= CHUNK_CHARS ? text : text.slice(start, start + CHUNK_CHARS));
    }
  };
  await write(extractOpening(header));
  let count = 0;
  let after = '';
  let next: Promise<FragmentBatch> | undefined = read(after);
  while (next) {
    const page: FragmentBatch = await next;
    if (page.count === 0 || page.last === null) break;
    const batch = batchAfter(after);
    after = page.last;
    // A full batch may have more after it: ask for them before writing this one.
    next = page.count === limit ? read(after) : undefined;
    const fresh = await freshElements(db, batch, page.fresh);
    if (page.fresh.length === 0) {
      await writeText(page.text);
    } else {
      // The stored elements come in runs between the fresh ones.
      const runs = page.text.split(FRESH_ELEMENT);
      for (const [i, reference] of page.fresh.entries()) {
        const element = fresh.get(reference);
        if (!element) throw new Error(`registration ${reference} was removed during the build`);
        await writeText(runs[i]!);
        await write(element.xml);
        unstored.push(element);
      }
      await writeText(runs.at(-1)!);
      if (unstored.length >= STORE_BATCH) await store();
    }
    count += page.count;
  }
  await write(EXTRACT_CLOSING);
  await store();
  await storing;
  return count;
}
