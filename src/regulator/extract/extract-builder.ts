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
import { readRegistrations } from './extract-batches.ts';
import {
  readFragmentBatch,
  storeFragments,
  writerIdentity,
  FRESH_ELEMENT,
  type BatchRequest,
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
} from '../../contracts/childcare-extract/extract-writer.ts';

const BATCH = 1000;
/** Registrations read, written afresh and stored per statement when their stored elements do not count. */
const FRESH_BATCH = 250;

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

/** Builds elements afresh from the register, for registrations chosen by reference number. */
async function freshElements(db: Database, references: readonly string[]): Promise<Map<string, Fragment>> {
  const fresh = new Map<string, Fragment>();
  for (const { registration, version } of await readRegistrations(db, references)) {
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
  // Fresh elements are stored as they are built, a statement per FRESH_BATCH, one statement at a
  // time: the build waits for the last before sending the next, so a slow database holds it back
  // rather than letting elements pile up.
  let storing: Promise<void> = Promise.resolve();
  const store = async (fragments: Fragment[]) => {
    await storing;
    storing = later(storeFragments(db, fragments, writer));
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
    after = page.last;
    // A full batch may have more after it: ask for them before writing this one.
    next = page.count === limit ? read(after) : undefined;
    // The stored elements come in runs between the fresh ones: runs[i] before fresh[i].
    const runs = page.fresh.length === 0 ? [page.text] : page.text.split(FRESH_ELEMENT);
    for (let start = 0; start < page.fresh.length; start += FRESH_BATCH) {
      const references = page.fresh.slice(start, start + FRESH_BATCH);
      const fresh = await freshElements(db, references);
      const built: Fragment[] = [];
      for (const [i, reference] of references.entries()) {
        const element = fresh.get(reference);
        if (!element) throw new Error(`registration ${reference} was removed during the build`);
        await writeText(runs[start + i]!);
        await write(element.xml);
        built.push(element);
      }
      await store(built);
    }
    await writeText(runs.at(-1)!);
    count += page.count;
  }
  await write(EXTRACT_CLOSING);
  await storing;
  return count;
}
