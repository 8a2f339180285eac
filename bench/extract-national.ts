/**
 * bench extract-national: the daily extract run (`runExtracts`: claim, build, gzip, SHA-256,
 * store) over all 153 LAs on PostgreSQL with the national synthetic register (~90k), against
 * two baselines measured in the same run:
 *
 *   (a) the limit: PostgreSQL `COPY (SELECT …) TO STDOUT` of the same registration rows and
 *       child rows, drained (support/extract-copy.ts). Target: the run ≤ 2× COPY's time.
 *   (b) the typical Node way: xmlbuilder2 building the largest LA's document from the same
 *       in-memory registrations our writer gets (support/extract-writer-child.ts).
 *       Target: our writer ≥ 20× faster per record, in CPU time (wall time printed too).
 *
 * Peak RSS is the run's own: each run is a child process (support/extract-run-child.ts)
 * reporting its maxRSS. Target ≤ 256 MB, and ≤ 20% growth from half to full scale: the register
 * is first loaded with LAs making up half the national records and measured, then completed
 * and measured again.
 *
 * PostgreSQL runs in a throwaway cluster with default durability. Before each measured run the
 * extracts are deleted and the database vacuumed, analysed and checkpointed, as a register in
 * steady state would be.
 *
 * A daily run reuses each registration's element stored by the run before unless the
 * registration changed since (extract-fragments.ts). So each measured run is a day's run: before
 * it, DAILY_CHANGE_SHARE (1%, ~900 registrations; the national register sees a few hundred
 * changes a day) of the registrations get a new version, as any change gives them, and their
 * elements are built afresh from the register. At each scale a first run with no stored
 * elements at all (after a load, or a release whose writer writes differently) is measured too,
 * for information: every element is then read from the register's tables and written. Half-scale runs, then full-scale runs alternating with COPY, each
 * BENCH_ROUNDS times (default 3); times are medians, peak RSS the maximum over rounds, growth
 * median against median. CPU seconds (the run's process; the cluster's server processes) are
 * printed too: on a shared machine they say where the time goes better than wall time does.
 *
 * BENCH_WRITER_ROUNDS (default 7) sets the writer rounds; BENCH_CPU_PROF=DIR writes a V8 CPU
 * profile of the last full run there.
 */
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase } from '../src/platform/db/database.ts';
import { migrateEdgate } from '../src/edgate.ts';
import { loadGeneratedRegister } from '../src/regulator/register/register-load.ts';
import { plannedRegisterSize } from '../src/contracts/childcare-extract/synthetic-register.ts';
import { INACTIVE_STATUSES } from '../src/contracts/childcare-extract/registration.ts';
import { earliestRetainedChange } from '../src/regulator/extract/extract-selection.ts';
import { startPostgresCluster } from '../test/support/postgres-cluster.ts';
import type { ExtractRunReport } from './support/extract-run-child.ts';
import type { WriterReport } from './support/extract-writer-child.ts';
import { measure } from './support/cpu.ts';
import { summariseRunProfile } from './support/extract-profile.ts';
import { copyOut, type CopyOutTable } from './support/extract-copy.ts';
import { gunzipSync } from 'node:zlib';
import { validateExtractXml } from '../src/contracts/childcare-extract/extract-schema.ts';
import { extractsOfDate, readyExtract } from '../src/regulator/extract/extract-store.ts';

const OPTIONS = { scale: 'national', seed: 1, today: '2026-11-01' } as const;
const EXTRACT_DATE = OPTIONS.today;
const ROUNDS = positiveInt('BENCH_ROUNDS', 3);
const WRITER_ROUNDS = positiveInt('BENCH_WRITER_ROUNDS', 7);
const CPU_PROF_DIR = process.env.BENCH_CPU_PROF ? path.resolve(process.env.BENCH_CPU_PROF) : undefined;
const COPY_TARGET = 2;
/** Share of registrations changed before each measured (daily) run. */
const DAILY_CHANGE_SHARE = 0.01;
const SPEEDUP_TARGET = 20;
const RSS_TARGET_MB = 256;
const GROWTH_TARGET = 0.2;
const ROOT = path.resolve(import.meta.dirname, '..');
const SUPPORT = path.join(import.meta.dirname, 'support');

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer: ${raw}`);
  return value;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const fmt = (n: number) => n.toLocaleString('en-GB');
const mb = (bytes: number) => bytes / 1024 / 1024;
const secs = (ms: number) => (ms / 1000).toFixed(2);
const load = () =>
  loadavg()
    .map((n) => n.toFixed(1))
    .join(' ');

function log(message: string): void {
  console.log(`  ${message}`);
}

/**
 * Half the national records with the same spread of LA sizes as the whole: LAs largest first,
 * each to whichever half is lighter so far. Both halves hold LAs of every size (the largest is
 * in the first), so going to full scale adds records and LAs, not bigger documents: RSS growth
 * from half to full then measures what the run keeps as it goes, which is what must not grow.
 */
function halfOfTheLas() {
  const { perLa, total } = plannedRegisterSize(OPTIONS);
  const bySize = [...perLa].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const half: string[] = [];
  const rest: string[] = [];
  let halfRecords = 0;
  let restRecords = 0;
  for (const [code, size] of bySize) {
    if (halfRecords <= restRecords) {
      half.push(code);
      halfRecords += size;
    } else {
      rest.push(code);
      restRecords += size;
    }
  }
  return { half, rest, total, largest: bySize[0]![0] };
}

/** Runs a support script in its own process; resolves to the JSON of its last stdout line. */
function runChild<T>(script: string, args: string[], nodeArgs: string[] = []): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...nodeArgs, '--import', 'tsx', path.join(SUPPORT, script), ...args],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code !== 0) reject(new Error(`${script} failed (${signal ?? code}): ${out}`));
      else resolve(JSON.parse(out.trimEnd().split('\n').at(-1) ?? '') as T);
    });
  });
}

/** Same state before every measured run: no extracts, nothing for autovacuum or a checkpoint to do mid-run. */
async function settle(pool: pg.Pool): Promise<void> {
  await pool.query('delete from regulator.extract');
  await pool.query('vacuum analyze');
  await pool.query('checkpoint');
}

/** Nothing stored from an earlier run: every element is built from the register's tables. */
async function forgetFragments(pool: pg.Pool): Promise<void> {
  await pool.query('delete from regulator.extract_fragment');
}

/** A day's changes: a new version for DAILY_CHANGE_SHARE of the registrations (a different sample each day). */
async function aDaysChanges(pool: pg.Pool, day: number): Promise<number> {
  const { rowCount } = await pool.query(
    `update regulator.registration set version = version + 1, updated_at = now()
     where reference_number in (
       select reference_number from regulator.registration tablesample bernoulli ($1) repeatable ($2))`,
    [DAILY_CHANGE_SHARE * 100, day],
  );
  return rowCount ?? 0;
}

/** The selection rule counted independently of both the run and the COPY baseline. */
async function selectedCount(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    `select count(*)::int as n from regulator.registration
     where status <> all($1::text[]) or status_changed_on >= $2::date`,
    [[...INACTIVE_STATUSES], earliestRetainedChange(EXTRACT_DATE)],
  );
  return rows[0]!.n;
}

interface Measured<T> {
  result: T;
  /** CPU seconds of the cluster's server processes meanwhile. */
  serverCpu?: number;
  /** CPU seconds of this process meanwhile (the COPY client; next to nothing while a child runs). */
  clientCpu: number;
}

async function measured<T>(clusterDir: string, fn: () => Promise<T>): Promise<Measured<T>> {
  let result: T | undefined;
  const { clientCpu, serverCpu } = await measure(async () => {
    result = await fn();
  }, clusterDir);
  return { result: result as T, clientCpu, serverCpu };
}

const copyMs = (tables: CopyOutTable[]) => tables.reduce((sum, t) => sum + t.ms, 0);
const cpuText = (seconds: number | undefined) => (seconds === undefined ? '-' : seconds.toFixed(1));

function describeRun(label: string, { result: run, serverCpu }: Measured<ExtractRunReport>): string {
  return (
    `${label}: ${run.built}/${run.las} LAs, ${fmt(run.records)} records, ${mb(run.xmlBytes).toFixed(1)} MB XML ` +
    `in ${secs(run.wallMs)} s (CPU: run ${secs(run.cpuMs)} s, PostgreSQL ${cpuText(serverCpu)} s), ` +
    `peak RSS ${run.maxRssMb} MB`
  );
}

// ---------------------------------------------------------------------------------------------

const split = halfOfTheLas();
console.log(
  `extract-national: the ${OPTIONS.scale} register (seed ${OPTIONS.seed}, today ${OPTIONS.today}, ` +
    `${fmt(split.total)} registrations) on PostgreSQL; runExtracts over every live LA for ${EXTRACT_DATE}, ` +
    `each run in a child process, at half then full scale, ${ROUNDS} round(s) each, the full ones ` +
    `alternating with COPY TO STDOUT; writer vs xmlbuilder2 on the largest LA, median of ${WRITER_ROUNDS}. ` +
    `Load average at start: ${load()}\n`,
);

const cluster = await startPostgresCluster();
const half: Measured<ExtractRunReport>[] = [];
const full: Measured<ExtractRunReport>[] = [];
const cold: { half?: Measured<ExtractRunReport>; full?: Measured<ExtractRunReport> } = {};
let changedPerDay = 0;
let day = 0;
const copies: Measured<CopyOutTable[]>[] = [];
let writers: WriterReport | undefined;
let profileSince = 0;
let official: { documents: number; invalid: string[]; ms: number } | undefined;
try {
  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  await admin.query('create database edgate_bench');
  await admin.end();
  const url = new URL(cluster.url);
  url.pathname = '/edgate_bench';
  const databaseUrl = url.toString();
  const handle = await openDatabase({ databaseUrl, poolSize: 2 });
  try {
    await migrateEdgate(handle.db);
    const pool = handle.pool!;
    const runOnce = (nodeArgs: string[] = []) =>
      measured(cluster.dir, () =>
        runChild<ExtractRunReport>('extract-run-child.ts', [databaseUrl, EXTRACT_DATE], nodeArgs),
      );

    let startedAt = performance.now();
    const loadedHalf = await loadGeneratedRegister(handle.db, { ...OPTIONS, laCodes: split.half });
    log(
      `loaded ${fmt(loadedHalf.added)} registrations of ${split.half.length} LAs (half scale) ` +
        `in ${secs(performance.now() - startedAt)} s`,
    );
    const halfSelected = await selectedCount(pool);
    await forgetFragments(pool);
    await settle(pool);
    cold.half = await runOnce();
    if (cold.half.result.records !== halfSelected)
      throw new Error('the first half-scale run wrote another count');
    log(`first run, nothing stored: ${describeRun('half scale', cold.half)}`);
    for (let round = 1; round <= ROUNDS; round++) {
      changedPerDay = await aDaysChanges(pool, ++day);
      await settle(pool);
      const run = await runOnce();
      if (run.result.records !== halfSelected) {
        throw new Error(
          `half-scale run wrote ${run.result.records} records; the selection rule gives ${halfSelected}`,
        );
      }
      half.push(run);
      log(`round ${round}/${ROUNDS}, ${fmt(changedPerDay)} changed: ${describeRun('half scale', run)}`);
    }

    startedAt = performance.now();
    const loadedRest = await loadGeneratedRegister(handle.db, { ...OPTIONS, laCodes: split.rest });
    log(
      `loaded the other ${fmt(loadedRest.added)} registrations of ${split.rest.length} LAs ` +
        `in ${secs(performance.now() - startedAt)} s`,
    );
    const selected = await selectedCount(pool);
    await forgetFragments(pool);
    await settle(pool);
    cold.full = await runOnce();
    if (cold.full.result.records !== selected)
      throw new Error('the first full-scale run wrote another count');
    log(`first run, nothing stored: ${describeRun('full scale', cold.full)}`);
    for (let round = 1; round <= ROUNDS; round++) {
      changedPerDay = await aDaysChanges(pool, ++day);
      await settle(pool);
      // BENCH_CPU_PROF=DIR: a V8 CPU profile of the last full run (open it in Chrome DevTools).
      const profile =
        CPU_PROF_DIR && round === ROUNDS ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF_DIR}`] : [];
      profileSince = Date.now();
      const run = await runOnce(profile);
      if (run.result.records !== selected) {
        throw new Error(`full run wrote ${run.result.records} records; the selection rule gives ${selected}`);
      }
      full.push(run);
      // COPY right after, on the same register, caches as warm as the run left them.
      const copy = await measured(cluster.dir, () => copyOut(pool, EXTRACT_DATE));
      if (copy.result[0]!.rows !== run.result.records) {
        throw new Error(
          `COPY read ${copy.result[0]!.rows} registrations, the run wrote ${run.result.records}`,
        );
      }
      copies.push(copy);
      log(
        `round ${round}/${ROUNDS}, ${fmt(changedPerDay)} changed: ${describeRun('full scale', run)}; ` +
          `COPY ${secs(copyMs(copy.result))} s (CPU: PostgreSQL ${cpuText(copy.serverCpu)} s)`,
      );
    }

    writers = await runChild<WriterReport>(
      'extract-writer-child.ts',
      [databaseUrl, EXTRACT_DATE, split.largest, String(WRITER_ROUNDS)],
      ['--expose-gc'],
    );
    log(
      `writer check: LA ${writers.laCode}, both documents read back to the same ${fmt(writers.records)} ` +
        `registrations (${fmt(writers.oursBytes)} vs ${fmt(writers.xmlbuilderBytes)} bytes)`,
    );

    // Every LA's extract of the last full run against Ofsted's official v1.3 XSD (after the
    // measurements, in this process: it does not count towards any figure). A few LAs per
    // xmllint run, to keep its memory in bounds.
    startedAt = performance.now();
    const laCodes = (await extractsOfDate(handle.db, EXTRACT_DATE)).map((e) => e.laCode);
    official = { documents: 0, invalid: [], ms: 0 };
    for (let start = 0; start < laCodes.length; start += 8) {
      const group = laCodes.slice(start, start + 8);
      const docs: string[] = [];
      for (const laCode of group) {
        const stored = await readyExtract(handle.db, laCode, EXTRACT_DATE);
        if (!stored) throw new Error(`no ready extract for LA ${laCode}`);
        docs.push(gunzipSync(stored.content).toString('utf8'));
      }
      const result = await validateExtractXml(docs, 'ofsted-v1.3');
      official.documents += docs.length;
      if (!result.valid)
        official.invalid.push(...result.errors.slice(0, 5).map((e) => `${group.join(',')}: ${e}`));
    }
    official.ms = performance.now() - startedAt;
    log(
      `Ofsted's v1.3 XSD: ${official.documents} extracts, ${official.invalid.length === 0 ? 'all valid' : 'INVALID'} ` +
        `(${secs(official.ms)} s)`,
    );
  } finally {
    await handle.close();
  }
} finally {
  cluster.stop();
}

// ---------------------------------------------------------------------------------------------
// Results

const w = writers!;
const last = full.at(-1)!.result;
const wallMs = median(full.map((r) => r.result.wallMs));
const copyRounds = copies.map((c) => copyMs(c.result));
const copyMedianMs = median(copyRounds);
const copyBytes = copies[0]!.result.reduce((sum, t) => sum + t.bytes, 0);
const copyRatio = wallMs / copyMedianMs;
const coldFullMs = cold.full!.result.wallMs;
const mbPerSecond = mb(last.xmlBytes) / (wallMs / 1000);
// Peak: the worst round. Growth: median against median, so one round's GC timing cannot decide
// a trend (growth of the maxima is printed beside it).
// Peak over every full-scale run, the first (nothing stored) included.
const rssFull = Math.max(...[...full, cold.full!].map((r) => r.result.maxRssMb));
const rssHalfMedian = median(half.map((r) => r.result.maxRssMb));
const rssFullMedian = median(full.map((r) => r.result.maxRssMb));
const growth = rssFullMedian / rssHalfMedian - 1;
const growthOfMaxima =
  Math.max(...full.map((r) => r.result.maxRssMb)) / Math.max(...half.map((r) => r.result.maxRssMb)) - 1;
const perRecordUs = (ms: number) => (ms * 1000) / w.records;
// The verdict uses CPU time: on this shared 2-core machine the wall-time ratio moves with other
// load (xmlbuilder2's big heap and GC threads suffer more from it), CPU time barely does. It is
// the stricter of the two whenever they differ much; both are printed.
const { ours, xmlbuilder, oursWholeString, xmlbuilderString } = w.paths;
const speedup = xmlbuilder.cpuMs / ours.cpuMs;
const speedupWall = xmlbuilder.wallMs / ours.wallMs;
const speedupWholeString = xmlbuilderString.cpuMs / oursWholeString.cpuMs;
const medianCpu = (runs: readonly Measured<unknown>[]) =>
  runs.every((r) => r.serverCpu !== undefined) ? median(runs.map((r) => r.serverCpu!)) : undefined;
// CPU seconds of the whole job on each side (client + PostgreSQL), for the record: what the run
// costs on a machine with nothing else to do, whatever the wall clock said here.
const runCpuTotal = median(full.map((r) => r.result.cpuMs / 1000 + (r.serverCpu ?? Number.NaN)));
const copyCpuTotal = median(copies.map((c) => c.clientCpu + (c.serverCpu ?? Number.NaN)));

const checks = {
  copy: copyRatio <= COPY_TARGET,
  speedup: speedup >= SPEEDUP_TARGET,
  rss: rssFull <= RSS_TARGET_MB,
  growth: growth <= GROWTH_TARGET,
  officialXsd: official !== undefined && official.invalid.length === 0 && official.documents > 0,
};
const pass = Object.values(checks).every(Boolean);
const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
const pad = (values: (string | number)[], widths: number[]) =>
  '  ' +
  values.map((v, i) => (i === 0 ? String(v).padEnd(widths[i]!) : String(v).padStart(widths[i]!))).join(' ');

const runWidths = [26, 8, 7, 7, 7, 6, 7, 7, 8, 8, 8];
console.log(
  '\n' +
    pad(
      [
        `runExtracts, 153 LAs`,
        'records',
        'XML MB',
        'gz MB',
        'seconds',
        'MB/s',
        'run CPU',
        'PG CPU',
        'RSS max',
        'RSS med',
        'idle RSS',
      ],
      runWidths,
    ),
);
for (const [label, runs] of [
  ['first run, half scale', [cold.half!]],
  ['daily run, half scale', half],
  ['first run, full scale', [cold.full!]],
  ['daily run, full scale', full],
] as const) {
  const r = runs.at(-1)!.result;
  const ms = median(runs.map((x) => x.result.wallMs));
  console.log(
    pad(
      [
        label,
        fmt(r.records),
        mb(r.xmlBytes).toFixed(1),
        mb(r.gzipBytes).toFixed(1),
        secs(ms),
        (mb(r.xmlBytes) / (ms / 1000)).toFixed(1),
        secs(median(runs.map((x) => x.result.cpuMs))),
        cpuText(medianCpu(runs)),
        Math.max(...runs.map((x) => x.result.maxRssMb)),
        median(runs.map((x) => x.result.maxRssMb)),
        Math.max(...runs.map((x) => x.result.rssBeforeMb)),
      ],
      runWidths,
    ),
  );
}

const copyWidths = [26, 8, 7, 8];
console.log('\n' + pad(['COPY TO STDOUT (limit)', 'rows', 'MB', 'seconds'], copyWidths));
for (const [i, table] of copies[0]!.result.entries()) {
  const ms = median(copies.map((c) => c.result[i]!.ms));
  console.log(pad([table.table, fmt(table.rows), mb(table.bytes).toFixed(1), secs(ms)], copyWidths));
}
console.log(
  pad(['all, one after another', '', mb(copyBytes).toFixed(1), secs(copyMedianMs)], copyWidths) +
    `   (PostgreSQL CPU ${cpuText(medianCpu(copies))} s)`,
);

const writerWidths = [36, 8, 7, 8, 8, 8, 8];
console.log(
  '\n' +
    pad(
      [`document of LA ${w.laCode} (largest)`, 'records', 'MB', 'wall ms', 'µs/rec', 'CPU ms', 'µs/rec'],
      writerWidths,
    ),
);
for (const [label, times, bytes] of [
  ['edgate writer, builder chunks→UTF-8', ours, w.oursBytes],
  ['xmlbuilder2 end()→UTF-8', xmlbuilder, w.xmlbuilderBytes],
  ['edgate writer, one string (info)', oursWholeString, w.oursBytes],
  ['xmlbuilder2 end() string (info)', xmlbuilderString, w.xmlbuilderBytes],
] as const) {
  console.log(
    pad(
      [
        label,
        fmt(w.records),
        mb(bytes).toFixed(1),
        times.wallMs.toFixed(1),
        perRecordUs(times.wallMs).toFixed(1),
        times.cpuMs.toFixed(1),
        perRecordUs(times.cpuMs).toFixed(1),
      ],
      writerWidths,
    ),
  );
}

if (CPU_PROF_DIR) {
  const profile = summariseRunProfile(CPU_PROF_DIR, profileSince);
  console.log(`\n  main thread of the last full run, ${secs(profile.totalMs)} s (${profile.file}):`);
  for (const { step, ms, share } of profile.steps) {
    console.log(`  ${secs(ms).padStart(7)} s ${(share * 100).toFixed(1).padStart(5)}%  ${step}`);
  }
}

console.log(
  `\n  daily run (${fmt(changedPerDay)} registrations changed the day before) / COPY ${copyRatio.toFixed(2)} ` +
    `(target ≤ ${COPY_TARGET}): ${verdict(checks.copy)}; first run with nothing stored ${secs(coldFullMs)} s, ` +
    `${(coldFullMs / copyMedianMs).toFixed(2)}× COPY (information); ` +
    `CPU seconds, client + PostgreSQL: run ${runCpuTotal.toFixed(1)}, COPY ${copyCpuTotal.toFixed(1)}, ` +
    `ratio ${(runCpuTotal / copyCpuTotal).toFixed(1)} (information)` +
    `\n  xmlbuilder2 / writer per record, CPU time ${speedup.toFixed(1)}× (target ≥ ${SPEEDUP_TARGET}): ` +
    `${verdict(checks.speedup)}; wall time ${speedupWall.toFixed(1)}×; ` +
    `as one whole string each ${speedupWholeString.toFixed(1)}× (information)` +
    `\n  peak RSS ${rssFull} MB (target ≤ ${RSS_TARGET_MB}): ${verdict(checks.rss)}` +
    `\n  RSS growth half → full ${(growth * 100).toFixed(1)}% (medians ${rssHalfMedian} → ${rssFullMedian} MB, ` +
    `target ≤ ${GROWTH_TARGET * 100}%): ${verdict(checks.growth)}; of the maxima ${(growthOfMaxima * 100).toFixed(1)}%` +
    `\n  full runs ${full.map((r) => secs(r.result.wallMs)).join(', ')} s; COPY ${copyRounds.map(secs).join(', ')} s` +
    `\n  writer CPU ${ours.cpuRounds.map((ms) => ms.toFixed(0)).join(', ')} ms; ` +
    `xmlbuilder2 CPU ${xmlbuilder.cpuRounds.map((ms) => ms.toFixed(0)).join(', ')} ms` +
    `\n  every extract of the last run against Ofsted's v1.3 XSD: ${official?.documents ?? 0} documents, ` +
    `${verdict(checks.officialXsd)}${official?.invalid.length ? `\n    ${official.invalid.join('\n    ')}` : ''}` +
    `\n  load average at end: ${load()} (this machine is shared; see CPU columns)\n`,
);
console.log(
  `bench extract-national: records=${last.records} las=${last.las} xml_mb=${mb(last.xmlBytes).toFixed(1)} ` +
    `gzip_mb=${mb(last.gzipBytes).toFixed(1)} wall_s=${secs(wallMs)} mb_per_s=${mbPerSecond.toFixed(1)} ` +
    `copy_s=${secs(copyMedianMs)} copy_ratio=${copyRatio.toFixed(2)} copy_target<=${COPY_TARGET} ` +
    `changed_per_day=${changedPerDay} first_run_s=${secs(coldFullMs)} first_run_copy_ratio=${(coldFullMs / copyMedianMs).toFixed(2)} ` +
    `copy_cpu_ratio=${(runCpuTotal / copyCpuTotal).toFixed(1)} ` +
    `xmlbuilder_speedup=${speedup.toFixed(1)} xmlbuilder_target>=${SPEEDUP_TARGET} ` +
    `xmlbuilder_speedup_wall=${speedupWall.toFixed(1)} ` +
    `xmlbuilder_speedup_whole_string=${speedupWholeString.toFixed(1)} ` +
    `rss_mb=${rssFull} rss_target<=${RSS_TARGET_MB} rss_half_median_mb=${rssHalfMedian} rss_full_median_mb=${rssFullMedian} ` +
    `rss_growth=${(growth * 100).toFixed(1)}% growth_target<=${GROWTH_TARGET * 100}% ` +
    `ofsted_xsd_docs=${official?.documents ?? 0} ofsted_xsd=${verdict(checks.officialXsd)} ${verdict(pass)}`,
);
