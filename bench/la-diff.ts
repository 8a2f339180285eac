/**
 * bench la-diff: the LA side taking in a day's extracts — reading the last snapshot's and today's
 * documents from their bytes with the feed's one entry point (`readExtractDocument`: the fast
 * path, docs/decisions/0017, else the streaming reader), guarding today's and detecting what
 * changed (src/la/changes) — against reading the same two documents alone, the same way, measured
 * in the same run.
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
 * first (untimed, in this process); the mutations are src/la/changes/snapshot-mutations.ts's
 * (renamed, a period added, a judgement changed, lists reordered, LastChangeDate only, resigned,
 * removed, added). Each phase then runs in a process of its own (support/la-diff-child.ts), so
 * the peak RSS is the phase's: it reads every document and compares every pair once untimed
 * (warming up, as a long-running service is), then BENCH_ROUNDS (default 3) rounds, parse-only and parse + diff
 * alternating which goes first; every round checks that the changes found are the ones made
 * (counts by kind), else the bench fails. Times are medians, CPU seconds of the phase's process
 * beside them. Peak RSS is the larger phase's maxRSS.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { extractChunks } from '../src/contracts/childcare-extract/extract-writer.ts';
import { generateRegister } from '../src/contracts/childcare-extract/synthetic-register.ts';
import type { Registration } from '../src/contracts/childcare-extract/registration.ts';
import { mutateSnapshot } from '../src/la/changes/snapshot-mutations.ts';
import type { Pair, Phase, PhaseReport } from './support/la-diff-child.ts';

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

/** XML read per second of parse-only, wall time (per CPU second in brackets). */
const mbPerS = (r: PhaseReport): string =>
  `${(r.bytes / 1e6 / (median(r.parseMs) / 1000)).toFixed(0)} (CPU ${(r.bytes / 1e6 / median(r.parseCpu)).toFixed(0)})`;

type Tally = Map<string, number>;
const add = (tally: Tally, kind: string, n = 1): void => {
  tally.set(kind, (tally.get(kind) ?? 0) + n);
};
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

const CHILD = path.join(import.meta.dirname, 'support', 'la-diff-child.ts');

/** Runs one phase in its own process, passing its progress lines through; resolves to its report. */
function runPhase(label: string, pairs: Pair[], expected: Tally): Promise<PhaseReport> {
  const phase: Phase = { label, rounds: ROUNDS, warmUp: true, pairs, expected: [...expected] };
  const file = path.join(dir, `${label}.json`);
  writeFileSync(file, JSON.stringify(phase));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, file], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let pending = '';
    let report = '';
    child.stdout.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString('utf8')).split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith('{')) report = line;
        else console.log(line);
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (pending.startsWith('{')) report = pending;
      if (code !== 0 || report === '') reject(new Error(`the ${label} phase failed (${signal ?? code})`));
      else resolve(JSON.parse(report) as PhaseReport);
    });
  });
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
  const smallTiming = await runPhase('5k', [smallPair], smallExpected);

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
  const national = await runPhase('national', pairs, nationalExpected);

  const small5kMs = median(smallTiming.diffMs);
  const smallRatio = small5kMs / median(smallTiming.parseMs);
  const nationalS = median(national.diffMs) / 1000;
  const nationalRatio = median(national.diffMs) / median(national.parseMs);
  const rssMb = Math.max(smallTiming.maxRssMb, national.maxRssMb);
  const generationRssMb = process.resourceUsage().maxRSS / 1024;
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
      `reading ${mbPerS(smallTiming)} MB/s, ${smallTiming.fastPath} of ${smallTiming.documents} documents by the fast path` +
      `\n  national: parse-only ${(median(national.parseMs) / 1000).toFixed(2)} s (CPU ${median(national.parseCpu).toFixed(2)} s), ` +
      `parse + diff ${nationalS.toFixed(2)} s (CPU ${median(national.diffCpu).toFixed(2)} s): ` +
      `${nationalS <= TARGET_NATIONAL_S ? 'PASS' : 'FAIL'} (≤ ${TARGET_NATIONAL_S} s), ratio ${nationalRatio.toFixed(2)}; ` +
      `guard + diff alone CPU ${median(national.compareCpu).toFixed(2)} s; ` +
      `reading ${mbPerS(national)} MB/s, ${national.fastPath} of ${national.documents} documents by the fast path` +
      `\n  peak RSS ${rssMb.toFixed(0)} MB: ${rssMb <= TARGET_RSS_MB ? 'PASS' : 'FAIL'} (≤ ${TARGET_RSS_MB} MB; ` +
      `5k phase ${smallTiming.maxRssMb.toFixed(0)} MB, national phase ${national.maxRssMb.toFixed(0)} MB; ` +
      `generating, untimed, ${generationRssMb.toFixed(0)} MB)` +
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
