/**
 * Whether a snapshot just taken in may be applied to the LA's directory without a person (pure).
 * A snapshot that is empty, would remove more than a share of the registrations still live in
 * the last one applied, or is older than the last one applied is held for a person to confirm or
 * discard — never applied automatically: a truncated or stale extract would otherwise look like
 * mass deletions or undo the days since.
 */
import { INACTIVE_STATUSES } from '../../contracts/childcare-extract/codes.ts';
import type { Snapshot } from './detect-changes.ts';

/** Default most of the last applied snapshot's live registrations a snapshot may remove: 10%. */
export const DEFAULT_MAX_REMOVED_SHARE = 0.1;

export interface GuardOptions {
  /** A share in [0, 1]; default DEFAULT_MAX_REMOVED_SHARE. */
  maxRemovedShare?: number;
}

export type HoldReason =
  | { code: 'empty'; message: string }
  | { code: 'removes-too-many'; message: string; removed: number; live: number }
  | { code: 'older-than-applied'; message: string }
  | { code: 'unreadable-date'; message: string };

export type GuardVerdict = { action: 'apply' } | { action: 'hold'; reasons: HoldReason[] };

const inactive = new Set<string>(INACTIVE_STATUSES);

/** ExtractDateTime as sent (local time, no zone; seconds and fractions optional). */
const EXTRACT_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?$/;

/** A sortable form of ExtractDateTime, or undefined when it is not one. */
function sortable(value: string): string | undefined {
  const m = EXTRACT_DATE_TIME.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s = '00', frac = ''] = m;
  return `${y}-${mo}-${d}T${h}:${mi}:${s}.${frac.padEnd(7, '0')}`;
}

const plural = (n: number, one: string, many: string): string =>
  `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`;

/**
 * The verdict on `candidate` against the last snapshot applied for the same LA (undefined: none
 * yet). Every reason that applies is given, in plain words.
 *
 * "Live" is any status that is not inactive (PROP, ACTV, SUSP, EXEM): such a registration leaving
 * the extract is what change detection calls `disappeared`. A registration that merely became
 * inactive is not removed, and an inactive one leaving after its 60 days is expected.
 */
export function guardSnapshot(
  candidate: Snapshot,
  lastApplied: Snapshot | undefined,
  options: GuardOptions = {},
): GuardVerdict {
  const maxShare = options.maxRemovedShare ?? DEFAULT_MAX_REMOVED_SHARE;
  if (!(maxShare >= 0 && maxShare <= 1))
    throw new RangeError(`maxRemovedShare must be between 0 and 1, not ${maxShare}`);
  if (lastApplied && lastApplied.laCode !== candidate.laCode)
    throw new RangeError(`cannot guard LA ${candidate.laCode}'s snapshot with LA ${lastApplied.laCode}'s`);
  const reasons: HoldReason[] = [];
  const la = `LA ${candidate.laCode}`;

  if (candidate.registrations.length === 0)
    reasons.push({
      code: 'empty',
      message: `The extract for ${la} holds no registrations. Applying it would remove every registration from the directory.`,
    });

  const taken = sortable(candidate.extractDateTime);
  if (taken === undefined)
    reasons.push({
      code: 'unreadable-date',
      message: `The extract's date and time '${candidate.extractDateTime}' cannot be read, so it cannot be put in order with the last one applied.`,
    });

  if (lastApplied) {
    const applied = sortable(lastApplied.extractDateTime);
    if (taken !== undefined && applied !== undefined && taken < applied)
      reasons.push({
        code: 'older-than-applied',
        message: `The extract was produced at ${candidate.extractDateTime}, before the one last applied (${lastApplied.extractDateTime}). Applying it would undo the changes since.`,
      });

    const present = new Set<string>();
    for (const r of candidate.registrations) present.add(r.referenceNumber);
    let live = 0;
    let removed = 0;
    for (const r of lastApplied.registrations) {
      if (inactive.has(r.status)) continue;
      live++;
      if (!present.has(r.referenceNumber)) removed++;
    }
    // An empty extract is already held for that; saying it also removes 100% adds nothing.
    if (candidate.registrations.length > 0 && live > 0 && removed / live > maxShare)
      reasons.push({
        code: 'removes-too-many',
        removed,
        live,
        message:
          `The extract would remove ${plural(removed, 'registration', 'registrations')} of the ` +
          `${plural(live, 'active, proposed, suspended or exempt registration', 'active, proposed, suspended or exempt registrations')} ` +
          `in the last one applied (${formatShare(removed / live)}; at most ${formatShare(maxShare)} are removed without a person confirming).`,
      });
  }
  return reasons.length === 0 ? { action: 'apply' } : { action: 'hold', reasons };
}

function formatShare(share: number): string {
  const percent = share * 100;
  return `${Number.isInteger(percent) ? percent : percent.toFixed(1)}%`;
}
