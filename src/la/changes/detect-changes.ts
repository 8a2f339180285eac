/**
 * Change detection for an LA's copy of the register (pure): each registration of the snapshot
 * just taken in against the last snapshot taken in for that LA — whatever day that was, so a
 * missed day (or month) needs nothing special — and the references the agent already knows gone.
 * change.ts says how each kind is judged.
 */
import { INACTIVE_STATUSES } from '../../contracts/childcare-extract/codes.ts';
import type { Registration } from '../../contracts/childcare-extract/registration.ts';
import type { Change, FieldChange, StatusChange } from './change.ts';
import { fieldChanges } from './field-diff.ts';

/** One LA's extract as taken in: its header's LA and time, and its registrations. */
export interface Snapshot {
  laCode: string;
  /** The header's ExtractDateTime, local time as sent. */
  extractDateTime: string;
  registrations: readonly Registration[];
}

export interface DetectOptions {
  /**
   * References known gone (they left or disappeared in an earlier comparison and have not come
   * back), each with the LA it was last seen in.
   */
  gone?: ReadonlyMap<string, string>;
}

const inactive = new Set<string>(INACTIVE_STATUSES);

function byReference(snapshot: Snapshot): Map<string, Registration> {
  const map = new Map<string, Registration>();
  for (const r of snapshot.registrations) {
    // The reader refuses a document with a reference twice; a caller building one by hand must too.
    if (map.has(r.referenceNumber))
      throw new RangeError(`LA ${snapshot.laCode}'s snapshot holds ${r.referenceNumber} twice`);
    map.set(r.referenceNumber, r);
  }
  return map;
}

/** The kind for a registration present in both versions, or undefined when nothing differs. */
function compared(laCode: string, before: Registration, after: Registration): Change | undefined {
  const fields = fieldChanges(before, after);
  const referenceNumber = after.referenceNumber;
  if (before.status !== after.status)
    return {
      kind: 'status-changed',
      referenceNumber,
      laCode,
      status: { from: before.status, to: after.status },
      fields,
    };
  if (fields.length === 0) return undefined;
  if (fields.every((f) => f.housekeeping)) return { kind: 'housekeeping', referenceNumber, laCode, fields };
  return { kind: 'changed', referenceNumber, laCode, fields };
}

/**
 * Changes from `previous` (undefined: nothing taken in before for this LA) to `current`, in the
 * current document's order, then those gone, in the previous document's order. Unchanged
 * registrations give nothing.
 */
export function detectChanges(
  previous: Snapshot | undefined,
  current: Snapshot,
  options: DetectOptions = {},
): Change[] {
  const laCode = current.laCode;
  if (previous && previous.laCode !== laCode)
    throw new RangeError(`cannot compare LA ${laCode}'s snapshot with LA ${previous.laCode}'s`);
  const before = previous ? byReference(previous) : new Map<string, Registration>();
  const seen = new Set<string>();
  const changes: Change[] = [];
  for (const registration of current.registrations) {
    const referenceNumber = registration.referenceNumber;
    if (seen.has(referenceNumber))
      throw new RangeError(`LA ${laCode}'s snapshot holds ${referenceNumber} twice`);
    seen.add(referenceNumber);
    const last = before.get(referenceNumber);
    if (last) {
      const change = compared(laCode, last, registration);
      if (change) changes.push(change);
      continue;
    }
    const goneFrom = options.gone?.get(referenceNumber);
    if (goneFrom === undefined) changes.push({ kind: 'new', referenceNumber, laCode, registration });
    else if (goneFrom === laCode) changes.push({ kind: 'restored', referenceNumber, laCode, registration });
    else changes.push({ kind: 'moved', referenceNumber, laCode, fromLa: goneFrom, registration, fields: [] });
  }
  for (const [referenceNumber, lastSeen] of before) {
    if (seen.has(referenceNumber)) continue;
    const kind = inactive.has(lastSeen.status) ? 'left' : 'disappeared';
    changes.push({ kind, referenceNumber, laCode, lastSeen });
  }
  return changes;
}

/** One LA's comparison in an agent's run: the last snapshot taken in (if any) and today's. */
export interface LaComparison {
  previous: Snapshot | undefined;
  current: Snapshot;
}

/**
 * Changes over the LAs one agent collects, compared LA by LA, with a registration gone from one
 * LA and arriving in another (new, or restored) reported once as `moved` rather than as gone and
 * new. `gone` is the agent's, over all its LAs.
 */
export function detectAgentChanges(
  comparisons: readonly LaComparison[],
  options: DetectOptions = {},
): Change[] {
  return reconcileMoves(
    comparisons.map(({ previous, current }) => detectChanges(previous, current, options)),
  );
}

/**
 * The changes of several LAs of one agent, each from `detectChanges`, with a registration gone
 * from one LA and arriving in another made one `moved`. Apart from detectAgentChanges so that a
 * caller can compare LA by LA and keep only the changes, not every snapshot, in memory.
 */
export function reconcileMoves(perLa: readonly (readonly Change[])[]): Change[] {
  const departures = new Map<string, Change & { kind: 'left' | 'disappeared' }>();
  for (const changes of perLa)
    for (const c of changes)
      if (c.kind === 'left' || c.kind === 'disappeared') departures.set(c.referenceNumber, c);
  if (departures.size === 0) return perLa.flat();

  const movedAway = new Set<Change>();
  const out: Change[] = [];
  for (const changes of perLa) {
    for (const c of changes) {
      const arrival = c.kind === 'new' || c.kind === 'restored' || c.kind === 'moved' ? c : undefined;
      const departure = arrival && departures.get(arrival.referenceNumber);
      if (!arrival || !departure || departure.laCode === arrival.laCode) {
        out.push(c);
        continue;
      }
      movedAway.add(departure);
      const lastSeen = departure.lastSeen;
      const registration = arrival.registration;
      const status: StatusChange | undefined =
        lastSeen.status === registration.status
          ? undefined
          : { from: lastSeen.status, to: registration.status };
      const fields: FieldChange[] = fieldChanges(lastSeen, registration);
      out.push({
        kind: 'moved',
        referenceNumber: c.referenceNumber,
        laCode: c.laCode,
        fromLa: departure.laCode,
        registration,
        ...(status ? { status } : {}),
        fields,
      });
    }
  }
  return out.filter((c) => !movedAway.has(c));
}
