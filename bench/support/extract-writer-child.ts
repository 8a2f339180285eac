/**
 * Baseline (b) of bench/extract-national, in a process of its own started with --expose-gc:
 * one LA's registrations are read once, exactly as the builder reads them, then our writer and
 * xmlbuilder2 turn the same in-memory Registration[] into the document, alternately, with a
 * full GC (and a pause for its sweeping) before every timed round so neither side pays for the
 * other's garbage.
 *
 *   node --expose-gc --import tsx bench/support/extract-writer-child.ts <databaseUrl> <extractDate> <laCode> <rounds>
 *
 * Timed paths, each ending with the document's UTF-8 bytes (what gzip, the hash and storage get):
 *   ours          the writer as buildExtract drives it: registrationText's ~64 KiB pieces,
 *                 each encoded as the run's sink (extract-sink.ts) encodes a chunk: written
 *                 as UTF-8 into a buffer made once and reused;
 *   xmlbuilder2   create() … ele() … end({ prettyPrint: true }), then encoded.
 * For information, also both as one whole-document string, not encoded: ours is then one
 * concatenation of the whole LA, which costs more per record than the builder's chunks do.
 *
 * Before timing, both documents must read back (extract-reader.ts) to the same extract.
 * Prints one JSON line (WriterReport) on stdout.
 */
import { isDeepStrictEqual } from 'node:util';
import { sql } from 'kysely';
import { openDatabase } from '../../src/platform/db/database.ts';
import { localAuthorityByCode } from '../../src/platform/reference.ts';
import { completeRegistrations } from '../../src/regulator/register/register-store.ts';
import { INACTIVE_STATUSES, type Registration } from '../../src/contracts/childcare-extract/registration.ts';
import { readExtract } from '../../src/contracts/childcare-extract/extract-reader.ts';
import { earliestRetainedChange } from '../../src/regulator/extract/extract-selection.ts';
import {
  EXTRACT_CLOSING,
  extractOpening,
  registrationElement,
  registrationText,
  type ExtractHeader,
} from '../../src/contracts/childcare-extract/extract-writer.ts';
import { xmlbuilder2Extract } from './extract-xmlbuilder.ts';

export type WriterPath = 'ours' | 'xmlbuilder' | 'oursWholeString' | 'xmlbuilderString';

/** Milliseconds for the whole LA: the median, and every round for the record. */
export interface PathTimes {
  wallMs: number;
  /** CPU of the process meanwhile (all threads: V8's GC helpers too). Unlike wall time, barely moved by other load on the machine. */
  cpuMs: number;
  wallRounds: number[];
  cpuRounds: number[];
}

export interface WriterReport {
  laCode: string;
  records: number;
  oursBytes: number;
  xmlbuilderBytes: number;
  paths: Record<WriterPath, PathTimes>;
}

const [databaseUrl, extractDate, laCode, roundsArg] = process.argv.slice(2);
const la = laCode ? localAuthorityByCode(laCode) : undefined;
const rounds = Number(roundsArg);
const gc = (globalThis as { gc?: () => void }).gc;
if (!databaseUrl || !extractDate || !la || !Number.isInteger(rounds) || rounds < 1 || gc === undefined) {
  console.error(
    'usage: node --expose-gc --import tsx extract-writer-child.ts <databaseUrl> <extractDate> <laCode> <rounds>',
  );
  process.exit(2);
}

/** The LA's registrations as the builder reads them (same filter and order), in one go. */
async function readLa(): Promise<Registration[]> {
  const handle = await openDatabase({ databaseUrl: databaseUrl!, poolSize: 5 });
  try {
    const rows = await handle.db
      .selectFrom('regulator.registration')
      .selectAll()
      .where('la_code', '=', la!.code)
      .where((eb) =>
        eb.or([
          eb('status', 'not in', [...INACTIVE_STATUSES]),
          eb('status_changed_on', '>=', sql<string>`${earliestRetainedChange(extractDate!)}::date`),
        ]),
      )
      .orderBy('reference_number')
      .execute();
    return await completeRegistrations(handle.db, rows);
  } finally {
    await handle.close();
  }
}

const registrations = await readLa();
const header: ExtractHeader = {
  extractDateTime: `${extractDate}T05:30:00`,
  laCode: la.code,
  laName: la.name,
};

// The sink's encode buffer: a mebibyte, enough for any one piece (UTF-8 needs ≤ 3 bytes a unit).
const encoded = Buffer.allocUnsafe(1024 * 1024);

/** Our path: returns the byte count so the work cannot be optimised away. */
function ours(): number {
  let bytes = encoded.write(extractOpening(header), 0, 'utf8');
  // Exactly the pieces buildExtract hands to the run's sink, each encoded as the sink does.
  for (const text of registrationText(registrations)) bytes += encoded.write(text, 0, 'utf8');
  return bytes + encoded.write(EXTRACT_CLOSING, 0, 'utf8');
}

function oursWholeString(): string {
  let text = extractOpening(header);
  for (const r of registrations) text += registrationElement(r);
  return text + EXTRACT_CLOSING;
}

const xmlbuilderString = () => xmlbuilder2Extract(header, registrations);
const xmlbuilder = () => Buffer.from(xmlbuilderString(), 'utf8').length;

/**
 * Checks first (also warms the JIT for every path): same element count, similar size, and both
 * documents read back to the same extract. In a function, so that the documents and what was
 * read back are garbage before timing starts: neither path's rounds then pay for marking them.
 */
async function check(): Promise<{ oursBytes: number; xmlbuilderBytes: number }> {
  const ourText = oursWholeString();
  const theirText = xmlbuilderString();
  const count = (text: string) => text.split('<Registration>').length - 1;
  if (count(ourText) !== registrations.length || count(theirText) !== registrations.length) {
    throw new Error(
      `<Registration> elements: ours ${count(ourText)}, xmlbuilder2 ${count(theirText)}, expected ${registrations.length}`,
    );
  }
  const oursBytes = ours();
  const xmlbuilderBytes = xmlbuilder();
  if (oursBytes !== Buffer.byteLength(ourText))
    throw new Error('chunked and whole-document output differ in size');
  if (Math.abs(xmlbuilderBytes / oursBytes - 1) > 0.05) {
    throw new Error(
      `document sizes differ by more than 5%: ours ${oursBytes}, xmlbuilder2 ${xmlbuilderBytes}`,
    );
  }
  const [readOurs, readTheirs] = [
    await readExtract(ourText, 'ours.xml'),
    await readExtract(theirText, 'xb.xml'),
  ];
  if (readOurs.registrations.length !== registrations.length || !isDeepStrictEqual(readOurs, readTheirs)) {
    throw new Error('the xmlbuilder2 document does not read back to the same extract as ours');
  }
  return { oursBytes, xmlbuilderBytes };
}
const { oursBytes, xmlbuilderBytes } = await check();

const paths: Record<WriterPath, () => unknown> = { ours, xmlbuilder, oursWholeString, xmlbuilderString };
const roundTimes: Record<WriterPath, { wall: number[]; cpu: number[] }> = {
  ours: { wall: [], cpu: [] },
  xmlbuilder: { wall: [], cpu: [] },
  oursWholeString: { wall: [], cpu: [] },
  xmlbuilderString: { wall: [], cpu: [] },
};
for (let round = 0; round < rounds; round++) {
  for (const [name, fn] of Object.entries(paths) as [WriterPath, () => unknown][]) {
    gc();
    // V8 sweeps the collected heap on helper threads after gc() returns; process CPU counts every
    // thread, so a round started at once paid for sweeping the previous round's garbage (xmlbuilder2's
    // DOM, after each of its rounds). A pause lets the sweeping finish first.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    fn();
    roundTimes[name].wall.push(performance.now() - started);
    const cpu = process.cpuUsage(cpuBefore);
    roundTimes[name].cpu.push((cpu.user + cpu.system) / 1000);
  }
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const times = (name: WriterPath): PathTimes => ({
  wallMs: median(roundTimes[name].wall),
  cpuMs: median(roundTimes[name].cpu),
  wallRounds: roundTimes[name].wall,
  cpuRounds: roundTimes[name].cpu,
});
const report: WriterReport = {
  laCode: la.code,
  records: registrations.length,
  oursBytes,
  xmlbuilderBytes,
  paths: {
    ours: times('ours'),
    xmlbuilder: times('xmlbuilder'),
    oursWholeString: times('oursWholeString'),
    xmlbuilderString: times('xmlbuilderString'),
  },
};
console.log(JSON.stringify(report));
