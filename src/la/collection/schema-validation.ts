/**
 * Every new document collected is validated against Ofsted's v1.3 XSD (with the BS7666 schema it
 * imports), as the issue asks: the feed's reader checks the elements and their values, but reads
 * a registration's children in any order and does not know every facet of the schema, so a
 * document the reader takes may still be one Ofsted's schema refuses. libxml2 (xmllint-wasm)
 * validates in a worker thread of its own, streaming (no tree of the document), so the event
 * loop goes on; measured in decision 0027: ~0.8 s of CPU and ~70 MB for the largest LA's 11 MB.
 *
 * Each xmllint run costs ~0.3–0.4 s of CPU before it reads a byte (a worker, the WebAssembly
 * module, the schema compiled), as much as validating 5 MB: so the documents waiting are
 * validated together, one run at a time, up to a budget of bytes (a document larger than the
 * budget goes alone). Collecting four LAs at once then never holds more than the budget's
 * documents in the validator's memory, and 153 LAs take ~20 runs, not 153.
 */
import { validateEachExtract } from '../../contracts/childcare-extract/extract-schema.ts';

/** Bytes of documents validated in one run. */
export const VALIDATION_BUDGET_BYTES = 16 * 1024 * 1024;

/** Messages shown of an invalid document: the first few say what is wrong. */
const SHOWN = 3;

interface Waiting {
  bytes: Buffer;
  settle: (outcome: { problem?: string; error?: unknown }) => void;
}

const queue: Waiting[] = [];
let running = false;

/**
 * Undefined when `bytes` is valid against Ofsted's v1.3 schema; else why not, in plain words
 * (the validator's first messages, with line numbers, namespaces left out).
 */
export async function schemaProblem(bytes: Buffer): Promise<string | undefined> {
  const outcome = await new Promise<{ problem?: string; error?: unknown }>((settle) => {
    queue.push({ bytes, settle });
    nextRun();
  });
  if (outcome.error !== undefined) throw outcome.error;
  return outcome.problem;
}

function nextRun(): void {
  if (running || queue.length === 0) return;
  const batch: Waiting[] = [queue.shift()!];
  let size = batch[0]!.bytes.length;
  while (queue.length > 0 && size + queue[0]!.bytes.length <= VALIDATION_BUDGET_BYTES) {
    size += queue[0]!.bytes.length;
    batch.push(queue.shift()!);
  }
  running = true;
  void validate(batch).finally(() => {
    running = false;
    nextRun();
  });
}

async function validate(batch: readonly Waiting[]): Promise<void> {
  try {
    const verdicts = await validateEachExtract(
      batch.map((w) => w.bytes),
      'ofsted-v1.3',
      { stream: true },
    );
    batch.forEach((w, i) => w.settle({ problem: problemOf(verdicts[i]!.errors) }));
  } catch (error) {
    // One document the validator cannot take fails the run: each alone says whose it was.
    if (batch.length === 1) batch[0]!.settle({ error });
    else for (const w of batch) await validate([w]);
  }
}

function problemOf(errors: readonly string[]): string | undefined {
  if (errors.length === 0) return undefined;
  const shown = errors.slice(0, SHOWN).map(plainMessage);
  const more = errors.length > SHOWN ? ` (and ${errors.length - SHOWN} more)` : '';
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
