/**
 * What changed in an LA's copy of the childcare register between two snapshots (extracts) taken
 * in: one `Change` per registration that differs, in the words a reviewer uses. Pure types and
 * small pure helpers; `detectChanges` (detect-changes.ts) makes them.
 *
 * How a registration that is no longer in the extract is judged (the 60-day rule: an extract
 * keeps a registration whose status became inactive — RESG, CANC, INAC, REFU — until day 60
 * after the change, then drops it):
 * - `left` when its last seen status was inactive, whatever the day: it went the way the rule
 *   says (an LA that skipped days may never have seen it inactive for long; that is still
 *   expected).
 * - `disappeared` when its last seen status was active, proposed, suspended or exempt: the
 *   extract should still hold it, so this is an anomaly for a person to look into.
 * - `restored` when a reference known gone (left or disappeared in an earlier comparison) is
 *   back in the same LA; `moved` when it is back, or newly present, in another LA the same agent
 *   collects while gone from the first.
 */
import type { FeedField } from '../../contracts/childcare-extract/fields.ts';
import type { Registration, RegistrationStatus } from '../../contracts/childcare-extract/registration.ts';
import { REGISTRATION_STATUS_NAMES } from '../../contracts/childcare-extract/codes.ts';

/** A field as the field table names it: where it is in the document and what a person calls it. */
export interface ChangedField {
  /** Path below <Registration>, `[]` for a list item (fields.ts). */
  element: string;
  /** Path in `Registration` (fields.ts). */
  property: string;
  label: string;
}

export type FieldValue = string | number | undefined;

/**
 * One field's old and new value. For a field of a list item, `item` gives the item's position
 * (0-based, document order) in the old and the new list: an item only in the old list has no
 * `new` position and its values go to `undefined`, and the other way round for an added item.
 */
export interface FieldChange {
  field: ChangedField;
  old: FieldValue;
  new: FieldValue;
  item?: { old?: number; new?: number };
  /** LastChangeDate and the status history: kept, but never put before a reviewer on their own. */
  housekeeping: boolean;
}

export interface StatusChange {
  from: RegistrationStatus;
  to: RegistrationStatus;
}

interface About {
  referenceNumber: string;
  /** The LA whose snapshot shows the change (for `moved`, the LA it is in now). */
  laCode: string;
}

export type Change =
  /** In the extract for the first time. */
  | (About & { kind: 'new'; registration: Registration })
  /** Some field other than the status differs; `fields` may include housekeeping ones. */
  | (About & { kind: 'changed'; fields: FieldChange[] })
  /** The registration status differs; `fields` lists whatever else changed with it. */
  | (About & { kind: 'status-changed'; status: StatusChange; fields: FieldChange[] })
  /** Only LastChangeDate or the status history differ: kept as a version, not reviewed. */
  | (About & { kind: 'housekeeping'; fields: FieldChange[] })
  /** Gone from the extract, last seen inactive: the 60-day window ran out, as expected. */
  | (About & { kind: 'left'; lastSeen: Registration })
  /** Gone from the extract while last seen active, proposed, suspended or exempt: an anomaly. */
  | (About & { kind: 'disappeared'; lastSeen: Registration })
  /** Back in the same LA after it left or disappeared in an earlier comparison. */
  | (About & { kind: 'restored'; registration: Registration })
  /**
   * Now in `laCode`, gone from `fromLa`, both collected by the same agent. `fields` and `status`
   * compare with the last version seen in `fromLa` when this comparison had it (the same day's
   * snapshots); they are empty when it went in an earlier comparison.
   */
  | (About & {
      kind: 'moved';
      fromLa: string;
      registration: Registration;
      status?: StatusChange;
      fields: FieldChange[];
    });

export type ChangeKind = Change['kind'];

/** A field table row as a change names it. */
export function changedField(row: FeedField): ChangedField {
  return { element: row.element, property: row.property, label: row.label };
}

/** Whether a person reviews the change before it reaches the directory: all but housekeeping. */
export function forReview(change: Change): boolean {
  switch (change.kind) {
    case 'housekeeping':
      return false;
    case 'new':
    case 'changed':
    case 'status-changed':
    case 'left':
    case 'disappeared':
    case 'restored':
    case 'moved':
      return true;
    default:
      return unreachable(change);
  }
}

/** Whether the change is not what the feed's rules lead one to expect. */
export function isAnomaly(change: Change): boolean {
  switch (change.kind) {
    case 'disappeared':
      return true;
    case 'new':
    case 'changed':
    case 'status-changed':
    case 'housekeeping':
    case 'left':
    case 'restored':
    case 'moved':
      return false;
    default:
      return unreachable(change);
  }
}

const statusName = (s: RegistrationStatus): string => REGISTRATION_STATUS_NAMES[s] ?? s;

/** Fields a reviewer sees: housekeeping ones only ever stand beside others. */
export function reviewedFields(fields: readonly FieldChange[]): FieldChange[] {
  return fields.filter((f) => !f.housekeeping);
}

function fieldSummary(fields: readonly FieldChange[]): string {
  const labels = [...new Set(reviewedFields(fields).map((f) => f.field.label.toLowerCase()))];
  return labels.join(', ');
}

/** One line in plain words, for a reviewer's list. */
export function describeChange(change: Change): string {
  const ref = change.referenceNumber;
  switch (change.kind) {
    case 'new':
      return `${ref} is new in the extract (${statusName(change.registration.status)}).`;
    case 'changed':
      return `${ref} changed: ${fieldSummary(change.fields)}.`;
    case 'status-changed': {
      const also = fieldSummary(change.fields);
      return (
        `${ref} went from ${statusName(change.status.from)} to ${statusName(change.status.to)}` +
        (also ? `; also changed: ${also}.` : '.')
      );
    }
    case 'housekeeping':
      return `${ref}: only the last-change date or status history changed.`;
    case 'left':
      return `${ref} left the extract after its 60 days as ${statusName(change.lastSeen.status)}.`;
    case 'disappeared':
      return (
        `${ref} disappeared from the extract while ${statusName(change.lastSeen.status)}: ` +
        'the extract should still hold it, so ask the regulator why.'
      );
    case 'restored':
      return `${ref} is back in the extract (${statusName(change.registration.status)}).`;
    case 'moved': {
      const also = fieldSummary(change.fields);
      return (
        `${ref} moved from LA ${change.fromLa} to LA ${change.laCode}` +
        (also ? `; also changed: ${also}.` : '.')
      );
    }
    default:
      return unreachable(change);
  }
}

/** Compile-time exhaustiveness: a new kind makes every switch above fail to type-check. */
export function unreachable(value: never): never {
  throw new Error(`unexpected change ${JSON.stringify(value)}`);
}
