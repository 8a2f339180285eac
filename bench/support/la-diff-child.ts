/**
 * The measured side of bench/la-diff: one phase (5k or national) in a process of its own, so its
 * peak RSS is the phase's and not that of the bench process, which generated the documents.
 *
 *   node --import tsx bench/support/la-diff-child.ts <phase.json>
 *
 * phase.json: { label, rounds, warmUp, pairs: [{ laCode, previous, current }], expected: [[kind, n]] }.
 * Prints a line per round, then one JSON line (PhaseReport) on stdout. Exits non-zero if the
 * changes found in any round are not the ones made.
 */
import { readFileSync } from 'node:fs';
import { readExtractDocument, scanExtract } from '../../src/contracts/childcare-extract/extract-scan.ts';
import type { Extract } from '../../src/contracts/childcare-extract/extract-reader.ts';
import type { Change } from '../../src/la/changes/change.ts';
import { detectChanges, reconcileMoves, type Snapshot } from '../../src/la/changes/detect-changes.ts';
import { guardSnapshot } from '../../src/la/changes/snapshot-guard.ts';

export interface Pair {
  laCode: string;
  previous: string;
  current: string;
}

export interface Phase {
  label: string;
  rounds: number;
  /**
   * Read every document once, untimed, first, counting those the fast path reads, then take in
   * every pair once (read, guard, compare): the LA's service is a long-running process, warmed
   * up once, its comparison as much as its reading.
   */
  warmUp: boolean;
  pairs: Pair[];
  /** Changes made, counted by kind. */
  expected: [string, number][];
}

export interface PhaseReport {
  parseMs: number[];
  parseCpu: number[];
  diffMs: number[];
  diffCpu: number[];
  /** CPU seconds of guarding and comparing alone, within each parse + diff. */
  compareCpu: number[];
  /** Bytes of XML read by one parse-only pass. */
  bytes: number;
  /** Documents the fast path read, of all (the rest went to readExtract). */
  fastPath: number;
  documents: number;
  records: number;
  /** process.resourceUsage().maxRSS of this process, in MB: the phase's peak. */
  maxRssMb: number;
}

/** The one way the LA reads a collected document: from its bytes, the fast path first. */
const read = (file: string): Promise<Extract> => readExtractDocument(readFileSync(file), file);

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

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; cpu: number; value: T }> {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  const value = await work();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const used = process.cpuUsage(cpu);
  return { ms, cpu: (used.user + used.system) / 1e6, value };
}

const tallyText = (tally: Iterable<[string, number]>): string =>
  [...tally]
    .sort()
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');

const file = process.argv[2];
if (!file) {
  console.error('usage: la-diff-child.ts <phase.json>');
  process.exit(2);
}
const phase = JSON.parse(readFileSync(file, 'utf8')) as Phase;
const { label, pairs } = phase;
const want = tallyText(phase.expected);
const report: PhaseReport = {
  parseMs: [],
  parseCpu: [],
  diffMs: [],
  diffCpu: [],
  compareCpu: [],
  bytes: 0,
  fastPath: 0,
  documents: 0,
  records: 0,
  maxRssMb: 0,
};
// Untimed: the bytes, and which documents the fast path reads (warming it up when asked).
for (const pair of pairs) {
  for (const document of [pair.previous, pair.current]) {
    const bytes = readFileSync(document);
    report.bytes += bytes.length;
    report.documents++;
    if (phase.warmUp && scanExtract(bytes) !== undefined) report.fastPath++;
  }
}
if (phase.warmUp) {
  // Until 2026-12-07 only reading was warmed up, so each round's first comparisons ran in code
  // not yet optimised: 5k guard + diff took 65–110 ms of CPU in the rounds against ~31 ms warm.
  const { cpu } = await timed(() => parseAndDiff(pairs));
  console.log(
    `  ${label} warm-up (untimed): parse + guard + diff CPU ${cpu.toFixed(2)} s, ` +
      `of which guard + diff ${(compareCpu * 1000).toFixed(0)} ms`,
  );
}
for (let round = 1; round <= phase.rounds; round++) {
  const order = round % 2 === 1 ? ['parse', 'diff'] : ['diff', 'parse'];
  for (const step of order) {
    if (step === 'parse') {
      const { ms, cpu, value } = await timed(() => parseOnly(pairs));
      report.parseMs.push(ms);
      report.parseCpu.push(cpu);
      report.records = value;
    } else {
      const { ms, cpu, value } = await timed(() => parseAndDiff(pairs));
      const found = new Map<string, number>();
      for (const c of value) found.set(c.kind, (found.get(c.kind) ?? 0) + 1);
      if (tallyText(found) !== want) throw new Error(`${label}: found ${tallyText(found)}, made ${want}`);
      report.diffMs.push(ms);
      report.diffCpu.push(cpu);
      report.compareCpu.push(compareCpu);
    }
  }
  const mb = process.memoryUsage();
  console.log(
    `  ${label} round ${round}: parse-only ${report.parseMs.at(-1)!.toFixed(0)} ms (CPU ${report.parseCpu.at(-1)!.toFixed(2)} s), ` +
      `parse + guard + diff ${report.diffMs.at(-1)!.toFixed(0)} ms (CPU ${report.diffCpu.at(-1)!.toFixed(2)} s, ` +
      `of which guard + diff ${(report.compareCpu.at(-1)! * 1000).toFixed(0)} ms); ` +
      `RSS ${(mb.rss / 2 ** 20).toFixed(0)} MB, heap used ${(mb.heapUsed / 2 ** 20).toFixed(0)} MB`,
  );
}
console.log(`  ${label}: changes found as made: ${want}`);
report.maxRssMb = process.resourceUsage().maxRSS / 1024;
console.log(JSON.stringify(report));
