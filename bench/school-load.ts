/**
 * bench school-load: the send of a 2,000-pupil secondary school built from the database — its
 * calendar, enrolments and the 8 school days' marks read with `attendanceInputFor`, then
 * `aggregateAttendance` — against the pure aggregation alone on the same input (the baseline).
 *
 * On PGlite in memory by default; on PostgreSQL when DATABASE_URL is set (a scratch database: the
 * school with URN 900001 is replaced). 3 warm-up runs, then `BENCH_ROUNDS` (default 21)
 * alternating rounds; medians count. Target: read + aggregate ≤ 100 ms.
 */
import { openDatabase } from '../src/platform/db/database.ts';
import { migrateEdgate } from '../src/edgate.ts';
import { aggregateAttendance } from '../src/school/aggregation.ts';
import { compileCalendar } from '../src/school/school-calendar.ts';
import { sendWindowOn } from '../src/school/send-window.ts';
import { generateSchool } from '../src/school/synthetic-school.ts';
import { attendanceInputFor, replaceSchoolData } from '../src/school/school-data.ts';
import { addDays } from '../src/platform/calendar.ts';

const TARGET_MS = 100;
const PUPILS = 2000;
const TODAY = '2026-12-07';
const URN = 900001;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 21);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const url = process.env.DATABASE_URL;
const handle = await openDatabase(url ? { databaseUrl: url } : {});
await migrateEdgate(handle.db);
const generated = generateSchool({
  seed: 2026,
  phase: 'secondary',
  pupils: PUPILS,
  today: TODAY,
  marksFrom: addDays(TODAY, -21),
  urn: URN,
});
const loadStarted = performance.now();
await replaceSchoolData(handle.db, generated.school, generated);
const loadMs = performance.now() - loadStarted;
const window = sendWindowOn(compileCalendar(generated.calendar), TODAY);
const pureInput = await attendanceInputFor(handle.db, URN, { dates: window.dates, today: TODAY });

let entries = 0;
let marks = 0;
async function fromDatabase(): Promise<void> {
  const input = await attendanceInputFor(handle.db, URN, { dates: window.dates, today: TODAY });
  marks = (input.marks as readonly unknown[]).length;
  entries = aggregateAttendance(input).body.submissionData.length;
}
function pure(): void {
  aggregateAttendance(pureInput);
}
async function time(fn: () => unknown): Promise<{ ms: number; cpuMs: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await fn();
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { ms, cpuMs: (used.user + used.system) / 1000 };
}

for (let i = 0; i < 3; i++) {
  await fromDatabase();
  pure();
}
const dbRuns: { ms: number; cpuMs: number }[] = [];
const pureRuns: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  if (round % 2 === 0) {
    dbRuns.push(await time(fromDatabase));
    pureRuns.push((await time(pure)).ms);
  } else {
    pureRuns.push((await time(pure)).ms);
    dbRuns.push(await time(fromDatabase));
  }
}
await handle.close();
const dbMs = median(dbRuns.map((r) => r.ms));
const cpuMs = median(dbRuns.map((r) => r.cpuMs));
const pureMs = median(pureRuns);
console.log(
  `${url ? 'PostgreSQL' : 'PGlite'}: loaded ${generated.pupils.length} pupils and ${generated.marks.length} marks in ${Math.round(loadMs)} ms; ` +
    `send of ${window.dates.length} school days: ${marks} marks → ${entries} entries; medians of ${ROUNDS} rounds`,
);
console.log(
  `bench school-load: engine=${url ? 'postgres' : 'pglite'} pupils=${PUPILS} days=${window.dates.length} marks=${marks} ` +
    `read_and_aggregate_ms=${dbMs.toFixed(2)} cpu_ms=${cpuMs.toFixed(2)} baseline_pure_ms=${pureMs.toFixed(2)} ` +
    `target=${TARGET_MS}ms ${dbMs <= TARGET_MS ? 'PASS' : 'FAIL'}`,
);
