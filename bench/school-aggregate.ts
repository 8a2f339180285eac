/**
 * bench school-aggregate: the school MIS building one send — a 2,000-pupil secondary school's
 * marks, enrolments and calendar aggregated into the `POST /attendances` body for today and the
 * previous 7 school days (`aggregateAttendance`, 8 school days, 2 sessions, 7 year groups).
 *
 * Baseline, in the same run on the same marks: a plain loop counting the marks per (date, session,
 * code) in a Map, i.e. the least any aggregation must do. Both are run `BENCH_ROUNDS` (default 21)
 * times after 3 warm-up runs, alternating; the medians count. CPU milliseconds of the aggregation
 * are printed beside its wall time.
 *
 * Target: the aggregation's median ≤ 50 ms. The ratio to the baseline is for information.
 */
import { aggregateAttendance } from '../src/school/aggregation.ts';
import { compileCalendar } from '../src/school/school-calendar.ts';
import { sendWindowOn } from '../src/school/send-window.ts';
import { generateSchool } from '../src/school/synthetic-school.ts';
import { addDays } from '../src/platform/calendar.ts';

const TARGET_MS = 50;
const PUPILS = 2000;
const TODAY = '2026-12-07';

function positiveInt(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number ≥ 1`);
  return value;
}

const ROUNDS = positiveInt('BENCH_ROUNDS', 21);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const generated = generateSchool({
  seed: 2026,
  phase: 'secondary',
  pupils: PUPILS,
  today: TODAY,
  marksFrom: addDays(TODAY, -21),
});
const calendar = compileCalendar(generated.calendar);
const window = sendWindowOn(calendar, TODAY);
const inWindow = new Set(window.dates);
// The store would select the window's marks; the bench starts from them.
const marks = generated.marks.filter((mark) => inWindow.has(mark.date));
const input = {
  urn: generated.school.urn,
  calendar,
  enrolments: generated.enrolments,
  marks,
  dates: window.dates,
  today: TODAY,
};

function baseline(): number {
  const counts = new Map<string, number>();
  for (const mark of marks) {
    const key = `${mark.date} ${mark.session} ${mark.code}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts.size;
}

let entries = 0;
function aggregate(): void {
  entries = aggregateAttendance(input).body.submissionData.length;
}

function time(fn: () => unknown): { ms: number; cpuMs: number } {
  const cpu = process.cpuUsage();
  const started = performance.now();
  fn();
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { ms, cpuMs: (used.user + used.system) / 1000 };
}

for (let i = 0; i < 3; i++) {
  aggregate();
  baseline();
}
const aggregateRuns: { ms: number; cpuMs: number }[] = [];
const baselineRuns: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  if (round % 2 === 0) {
    aggregateRuns.push(time(aggregate));
    baselineRuns.push(time(baseline).ms);
  } else {
    baselineRuns.push(time(baseline).ms);
    aggregateRuns.push(time(aggregate));
  }
}
const aggregateMs = median(aggregateRuns.map((r) => r.ms));
const aggregateCpuMs = median(aggregateRuns.map((r) => r.cpuMs));
const baselineMs = median(baselineRuns);
const onRoll = input.enrolments.filter(
  (e) => e.admitted <= TODAY && (e.left === undefined || e.left >= TODAY),
).length;
console.log(
  `${onRoll} pupils on roll, ${window.dates.length} school days (${window.dates[0]}–${window.dates.at(-1)}), ` +
    `${marks.length} marks → ${entries} entries; medians of ${ROUNDS} rounds; ` +
    `aggregation min ${Math.min(...aggregateRuns.map((r) => r.ms)).toFixed(2)} ms, max ${Math.max(...aggregateRuns.map((r) => r.ms)).toFixed(2)} ms`,
);
console.log(
  `bench school-aggregate: pupils=${onRoll} days=${window.dates.length} marks=${marks.length} ` +
    `aggregate_ms=${aggregateMs.toFixed(2)} aggregate_cpu_ms=${aggregateCpuMs.toFixed(2)} baseline_ms=${baselineMs.toFixed(2)} ` +
    `ratio=${(aggregateMs / baselineMs).toFixed(2)} target=${TARGET_MS}ms ${aggregateMs <= TARGET_MS ? 'PASS' : 'FAIL'}`,
);
