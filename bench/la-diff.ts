/**
 * bench la-diff: the LA side taking in a day's extracts — reading the last snapshot's and today's
 * documents with the feed's streaming reader, guarding today's and detecting what changed
 * (src/la/changes) — against reading the same two documents alone, measured in the same run.
 *
 *   (a) 5,000 registrations (the largest LAs hold ~3,000–5,000) in one LA's document, 2% of them
 *       changed. Target: parse and diff ≤ 300 ms.
 *   (b) national: the synthetic register (~90,000 registrations) as the 153 LAs' documents, as an
 *       agent collecting every LA would take them in, 2% changed, and one registration per LA
 *       moved to the next LA. LA by LA: both documents read, guarded, compared, and only the
 *       changes kept, so memory holds one LA's pair at a time; moves reconciled at the end.
 *       Target: ≤ 6 s, peak RSS ≤ 512 MB.
 *   Both: the whole ≤ 2× parse-only (`ratio` is the worse of the two).
 *
 * The documents are generated with the feed's generator and writer into a temporary directory
 * first (untimed); the mutations are src/la/changes/snapshot-mutations.ts's (renamed, a period
 * added, a judgement changed, lists reordered, LastChangeDate only, resigned, removed, added).
 * Every round checks that the changes found are the ones made (counts by kind), else the bench
 * fails. BENCH_ROUNDS (default 3) rounds, parse-only and parse + diff alternating which goes
 * first; times are medians, CPU seconds of this process beside them. Peak RSS is this process's
 * maxRSS over the whole run (generation included, which streams LA by LA).
 */
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { SaxesParser } from 'saxes';
import { readExtract, type Extract } from '../src/contracts/childcare-extract/extract-reader.ts';
import { extractChunks } from '../src/contracts/childcare-extract/extract-writer.ts';
import { generateRegister } from '../src/contracts/childcare-extract/synthetic-register.ts';
import type { Registration } from '../src/contracts/childcare-extract/registration.ts';
import type { Change } from '../src/la/changes/change.ts';
import { detectChanges, reconcileMoves, type Snapshot } from '../src/la/changes/detect-changes.ts';
import { guardSnapshot } from '../src/la/changes/snapshot-guard.ts';
import { mutateSnapshot } from '../src/la/changes/snapshot-mutations.ts';

const ROUNDS = positiveInt('BENCH_ROUNDS', 3);
const OPTIONS = { scale: 'national', seed: 1, today: '2026-11-01' } as const;
const SMALL_RECORDS = 5000;
const CHANGED_SHARE = 0.02;
const PREVIOUS_AT = '2026-11-01T05:30:12';
const CURRENT_AT = '2026-11-02T05:30:47';
const TARGET_SMALL_MS = 300;
const TARGET_NATIONAL_S = 6;
const TARGET_RSS_MB = 512;
const TARGET_RATIO = 2;

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer: ${raw}`);
  return value;
}

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

interface Pair {
  laCode: string;
  previous: string;
  current: string;
}

type Tally = Map<string, number>;
const add = (tally: Tally, kind: string, n = 1): void => {
  tally.set(kind, (tally.get(kind) ?? 0) + n);
};
const tallyText = (tally: Tally): string =>
  [...tally]
    .sort()
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');

const dir = mkdtempSync(path.join(tmpdir(), 'la-diff-'));
let bytes = 0;

function writeDocument(
  file: string,
  laCode: string,
  at: string,
  registrations: readonly Registration[],
): string {
  const text = [
    ...extractChunks({ extractDateTime: at, laCode, laName: `Authority ${laCode}` }, registrations),
  ].join('');
  writeFileSync(file, text);
  bytes += Buffer.byteLength(text);
  return file;
}

/** Writes one LA's pair; `arriving` joins today's document, and one registration may leave for the next LA. */
function writePair(
  laCode: string,
  registrations: Registration[],
  expected: Tally,
  arriving: Registration | undefined,
  moveOne: boolean,
): { pair: Pair; leaving: Registration | undefined } {
  const seed = Number(laCode) * 7919;
  const mutated = mutateSnapshot(registrations, { share: CHANGED_SHARE, seed, today: '2026-11-02' });
  for (const kind of mutated.expected.values()) if (kind !== 'unchanged') add(expected, kind);
  const current = mutated.registrations;
  if (arriving) {
    current.push({ ...arriving, laCode });
    add(expected, 'moved');
  }
  let leaving: Registration | undefined;
  if (moveOne) {
    // An untouched active registration, not the one that just arrived.
    let at = current.length - 2;
    while (at >= 0 && (current[at]!.status !== 'ACTV' || mutated.applied.has(current[at]!.referenceNumber)))
      at--;
    if (at >= 0) [leaving] = current.splice(at, 1);
  }
  const base = path.join(dir, laCode);
  return {
    pair: {
      laCode,
      previous: writeDocument(`${base}-previous.xml`, laCode, PREVIOUS_AT, registrations),
      current: writeDocument(`${base}-current.xml`, laCode, CURRENT_AT, current),
    },
    leaving,
  };
}

const read = (file: string): Promise<Extract> => readExtract(createReadStream(file), file);

const snapshotOf = (extract: Extract): Snapshot => ({
  laCode: extract.header.laCode,
  extractDateTime: extract.header.extractDateTime,
  registrations: extract.registrations,
});

async function parseOnly(pairs: readonly Pair[]): Promise<number> {
  let records = 0;
  for (const pair of pairs) {
    records += (await read(pair.previous)).registrations.length;
    records += (await read(pair.current)).registrations.length;
  }
  return records;
}

/** The floor under any saxes-based reader: saxes over the same bytes, with the reader's options and no handlers. */
async function saxesOnly(pairs: readonly Pair[]): Promise<number> {
  let tags = 0;
  for (const pair of pairs) {
    for (const file of [pair.previous, pair.current]) {
      const parser = new SaxesParser({ xmlns: true, position: true });
      parser.on('opentag', () => tags++);
      for await (const chunk of createReadStream(file, { encoding: 'utf8' })) parser.write(chunk as string);
      parser.close();
    }
  }
  return tags;
}

/** CPU seconds spent guarding and comparing in the last parseAndDiff, the reading left out. */
let compareCpu = 0;

async function parseAndDiff(pairs: readonly Pair[]): Promise<Change[]> {
  const perLa: Change[][] = [];
  compareCpu = 0;
  for (const pair of pairs) {
    const previous = snapshotOf(await read(pair.previous));
    const current = snapshotOf(await read(pair.current));
    const cpu = process.cpuUsage();
    const verdict = guardSnapshot(current, previous);
    if (verdict.action !== 'apply')
      throw new Error(`LA ${pair.laCode} held: ${verdict.reasons.map((r) => r.message).join(' ')}`);
    perLa.push(detectChanges(previous, current));
    const used = process.cpuUsage(cpu);
    compareCpu += (used.user + used.system) / 1e6;
  }
  const cpu = process.cpuUsage();
  const changes = reconcileMoves(perLa);
  const used = process.cpuUsage(cpu);
  compareCpu += (used.user + used.system) / 1e6;
  return changes;
}

interface Timing {
  parseMs: number[];
  parseCpu: number[];
  diffMs: number[];
  diffCpu: number[];
  compareCpu: number[];
  saxesMs: number[];
  saxesCpu: number[];
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; cpu: number; value: T }> {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  const value = await work();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const used = process.cpuUsage(cpu);
  return { ms, cpu: (used.user + used.system) / 1e6, value };
}

async function measure(label: string, pairs: readonly Pair[], expected: Tally): Promise<Timing> {
  const t: Timing = {
    parseMs: [],
    parseCpu: [],
    diffMs: [],
    diffCpu: [],
    compareCpu: [],
    saxesMs: [],
    saxesCpu: [],
  };
  const want = tallyText(expected);
  for (let round = 1; round <= ROUNDS; round++) {
    const order = round % 2 === 1 ? ['parse', 'diff'] : ['diff', 'parse'];
    for (const step of order) {
      if (step === 'parse') {
        const { ms, cpu } = await timed(() => parseOnly(pairs));
        t.parseMs.push(ms);
        t.parseCpu.push(cpu);
      } else {
        const { ms, cpu, value } = await timed(() => parseAndDiff(pairs));
        const found: Tally = new Map();
        for (const c of value) add(found, c.kind);
        if (tallyText(found) !== want) throw new Error(`${label}: found ${tallyText(found)}, made ${want}`);
        t.diffMs.push(ms);
        t.diffCpu.push(cpu);
        t.compareCpu.push(compareCpu);
      }
    }
    const sax = await timed(() => saxesOnly(pairs));
    t.saxesMs.push(sax.ms);
    t.saxesCpu.push(sax.cpu);
    console.log(
      `  ${label} round ${round}: parse-only ${t.parseMs.at(-1)!.toFixed(0)} ms (CPU ${t.parseCpu.at(-1)!.toFixed(2)} s), ` +
        `parse + guard + diff ${t.diffMs.at(-1)!.toFixed(0)} ms (CPU ${t.diffCpu.at(-1)!.toFixed(2)} s, ` +
        `of which guard + diff ${(t.compareCpu.at(-1)! * 1000).toFixed(0)} ms); ` +
        `saxes alone ${t.saxesMs.at(-1)!.toFixed(0)} ms (CPU ${t.saxesCpu.at(-1)!.toFixed(2)} s)`,
    );
  }
  console.log(`  ${label}: changes found as made: ${want}`);
  return t;
}

try {
  // (a) 5,000 registrations in one LA's document: the largest LAs' first 5,000.
  const small: Registration[] = [];
  for (const r of generateRegister({ ...OPTIONS, laCodes: ['886', '881'] })) {
    if (small.length === SMALL_RECORDS) break;
    small.push({ ...r, laCode: '886' });
  }
  const smallExpected: Tally = new Map();
  const smallPair = writePair('886', small, smallExpected, undefined, false).pair;
  small.length = 0;
  const smallBytes = bytes;
  console.log(`la-diff: ${SMALL_RECORDS} registrations, ${(smallBytes / 2 / 1e6).toFixed(1)} MB a document`);
  const smallTiming = await measure('5k', [smallPair], smallExpected);

  // (b) national, LA by LA as generated (the generator goes LA by LA in code order).
  const pairs: Pair[] = [];
  const nationalExpected: Tally = new Map();
  let records = 0;
  let la: Registration[] = [];
  let leaving: Registration | undefined;
  const flush = (last: boolean): void => {
    if (la.length === 0) return;
    const written = writePair(la[0]!.laCode, la, nationalExpected, leaving, !last);
    pairs.push(written.pair);
    leaving = written.leaving;
    la = [];
  };
  bytes = 0;
  const generating = Date.now();
  for (const r of generateRegister(OPTIONS)) {
    if (la.length > 0 && la[0]!.laCode !== r.laCode) flush(false);
    la.push(r);
    records++;
  }
  flush(true);
  console.log(
    `la-diff: national ${records} registrations in ${pairs.length} LAs, ${(bytes / 2 / 1e6).toFixed(1)} MB of documents a day ` +
      `(generated and written in ${((Date.now() - generating) / 1000).toFixed(1)} s, untimed)`,
  );
  const national = await measure('national', pairs, nationalExpected);

  const small5kMs = median(smallTiming.diffMs);
  const smallRatio = small5kMs / median(smallTiming.parseMs);
  const nationalS = median(national.diffMs) / 1000;
  const nationalRatio = median(national.diffMs) / median(national.parseMs);
  const rssMb = process.resourceUsage().maxRSS / 1024;
  const ratio = Math.max(smallRatio, nationalRatio);
  const pass =
    small5kMs <= TARGET_SMALL_MS &&
    nationalS <= TARGET_NATIONAL_S &&
    rssMb <= TARGET_RSS_MB &&
    ratio <= TARGET_RATIO;
  console.log(
    `\n  5k: parse-only ${median(smallTiming.parseMs).toFixed(0)} ms (CPU ${median(smallTiming.parseCpu).toFixed(2)} s), ` +
      `parse + diff ${small5kMs.toFixed(0)} ms (CPU ${median(smallTiming.diffCpu).toFixed(2)} s): ` +
      `${small5kMs <= TARGET_SMALL_MS ? 'PASS' : 'FAIL'} (≤ ${TARGET_SMALL_MS} ms), ratio ${smallRatio.toFixed(2)}; ` +
      `guard + diff alone CPU ${(median(smallTiming.compareCpu) * 1000).toFixed(0)} ms; ` +
      `saxes alone ${median(smallTiming.saxesMs).toFixed(0)} ms (CPU ${median(smallTiming.saxesCpu).toFixed(2)} s)` +
      `\n  national: parse-only ${(median(national.parseMs) / 1000).toFixed(2)} s (CPU ${median(national.parseCpu).toFixed(2)} s), ` +
      `parse + diff ${nationalS.toFixed(2)} s (CPU ${median(national.diffCpu).toFixed(2)} s): ` +
      `${nationalS <= TARGET_NATIONAL_S ? 'PASS' : 'FAIL'} (≤ ${TARGET_NATIONAL_S} s), ratio ${nationalRatio.toFixed(2)}; ` +
      `guard + diff alone CPU ${median(national.compareCpu).toFixed(2)} s; ` +
      `saxes alone ${(median(national.saxesMs) / 1000).toFixed(2)} s (CPU ${median(national.saxesCpu).toFixed(2)} s)` +
      `\n  peak RSS ${rssMb.toFixed(0)} MB: ${rssMb <= TARGET_RSS_MB ? 'PASS' : 'FAIL'} (≤ ${TARGET_RSS_MB} MB)` +
      `\n  load average at end: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}\n`,
  );
  console.log(
    `bench la-diff: records_5k=${SMALL_RECORDS} parse_5k_ms=${median(smallTiming.parseMs).toFixed(0)} ` +
      `diff_5k_ms=${small5kMs.toFixed(0)} records=${records} parse_s=${(median(national.parseMs) / 1000).toFixed(2)} ` +
      `diff_s=${nationalS.toFixed(2)} compare_cpu_s=${median(national.compareCpu).toFixed(2)} peak_rss_mb=${rssMb.toFixed(0)} ratio_5k=${smallRatio.toFixed(2)} ` +
      `ratio=${ratio.toFixed(2)} target=${TARGET_RATIO} ${pass ? 'PASS' : 'FAIL'}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
