/**
 * A day's changes made to a snapshot at random, with the change each should be detected as: for
 * the property test of change detection and for bench/la-diff. Deterministic for a seed; every
 * value stays valid for the feed's reader, so a mutated snapshot can go through the writer and
 * back. Not used by the service.
 */
import { CHILDCARE_PERIODS, INACTIVE_STATUSES } from '../../contracts/childcare-extract/codes.ts';
import type { Registration } from '../../contracts/childcare-extract/registration.ts';
import type { ChangeKind } from './change.ts';

export type Mutation =
  | 'renamed'
  | 'period-added'
  | 'judgement-changed'
  | 'reordered'
  | 'last-change-date'
  | 'resigned'
  | 'removed'
  | 'added';

export const MUTATIONS: readonly Mutation[] = [
  'renamed',
  'period-added',
  'judgement-changed',
  'reordered',
  'last-change-date',
  'resigned',
  'removed',
  'added',
];

/** mulberry32: small, seedable, reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface MutatedSnapshot {
  registrations: Registration[];
  /** What detection should report for each mutated reference ('unchanged' for a mere reorder). */
  expected: Map<string, ChangeKind | 'unchanged'>;
  applied: Map<string, Mutation>;
}

export interface MutateOptions {
  /** Share of registrations changed, e.g. 0.02. */
  share: number;
  seed: number;
  /** The day of the new snapshot (YYYY-MM-DD), for new dates. */
  today: string;
  /** Which mutations to draw from; default all. */
  mutations?: readonly Mutation[];
}

/**
 * The next day's snapshot: `share` of the registrations (at random) each get one mutation; the
 * others are the same objects. The input is not modified.
 */
export function mutateSnapshot(
  registrations: readonly Registration[],
  options: MutateOptions,
): MutatedSnapshot {
  const random = seededRandom(options.seed);
  const kinds = options.mutations ?? MUTATIONS;
  const taken = new Set(registrations.map((r) => r.referenceNumber));
  const out: Registration[] = [];
  const expected = new Map<string, ChangeKind | 'unchanged'>();
  const applied = new Map<string, Mutation>();
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;

  for (const original of registrations) {
    if (random() >= options.share) {
      out.push(original);
      continue;
    }
    const mutation = pick(kinds);
    const r = structuredClone(original);
    const ref = r.referenceNumber;
    applied.set(ref, mutation);
    switch (mutation) {
      case 'renamed': {
        const name = r.provider.name;
        r.provider.name = name.endsWith(' Ltd') ? name.slice(0, -4) : `${name.slice(0, 96)} Ltd`;
        expected.set(ref, 'changed');
        break;
      }
      case 'period-added': {
        const missing = CHILDCARE_PERIODS.filter((p) => !r.childcarePeriods.includes(p));
        if (missing.length > 0) r.childcarePeriods.push(pick(missing));
        else r.childcarePeriods.pop();
        expected.set(ref, 'changed');
        break;
      }
      case 'judgement-changed': {
        const first = r.inspections[0];
        if (first) first.overallJudgement = first.overallJudgement === 'Good' ? 'Outstanding' : 'Good';
        else
          r.inspections.push({
            inspectionType: 'Regulatory Visit',
            inspectionDate: options.today,
            overallJudgement: 'Met',
          });
        expected.set(ref, 'changed');
        break;
      }
      case 'reordered': {
        // Same items in another order: nothing to report.
        if (r.childcarePeriods.length > 1) r.childcarePeriods.reverse();
        if (r.inspections.length > 1) r.inspections.reverse();
        if (r.registers.length > 1) r.registers.reverse();
        if (r.statusHistory.length > 1) r.statusHistory.reverse();
        expected.set(ref, 'unchanged');
        break;
      }
      case 'last-change-date':
        r.lastChangeDate = r.lastChangeDate === options.today ? '2000-01-01' : options.today;
        expected.set(ref, 'housekeeping');
        break;
      case 'resigned':
        if (r.status === 'ACTV') {
          r.status = 'RESG';
          r.statusHistory.push({ status: 'RESG', changeDate: options.today });
          r.lastChangeDate = options.today;
          expected.set(ref, 'status-changed');
        } else {
          r.provider.name = `${r.provider.name.slice(0, 90)} (renamed)`;
          expected.set(ref, 'changed');
        }
        break;
      case 'removed':
        expected.set(ref, INACTIVE_STATUSES.includes(r.status) ? 'left' : 'disappeared');
        continue; // not in the new snapshot
      case 'added': {
        // The original stays as it was; a copy under a fresh reference joins it.
        out.push(original);
        applied.delete(ref);
        let fresh: string;
        do fresh = `VC${String(Math.floor(random() * 1e9)).padStart(9, '0')}`;
        while (taken.has(fresh));
        taken.add(fresh);
        r.referenceNumber = fresh;
        applied.set(fresh, mutation);
        expected.set(fresh, 'new');
        break;
      }
    }
    out.push(r);
  }
  return { registrations: out, expected, applied };
}
