/** A stored change in plain words (the reviewer's list, the CLI), through change.ts's wording. */
import { describeChange, type Change } from '../changes/change.ts';
import type { RegistrationStatus } from '../../contracts/childcare-extract/registration.ts';
import type { ChangeRow } from './directory-store.ts';

export const KIND_LABELS: Record<ChangeRow['kind'], string> = {
  new: 'New',
  changed: 'Changed',
  'status-changed': 'Status changed',
  left: 'Left (after 60 days)',
  disappeared: 'Disappeared (unexpected)',
  restored: 'Back in the extract',
  moved: 'Moved from another LA',
  housekeeping: 'Last-change date only',
};

/** The change as change.ts describes it. */
export function changeOf(row: ChangeRow): Change {
  const about = { referenceNumber: row.referenceNumber, laCode: row.laCode };
  const status =
    row.statusFrom && row.statusTo
      ? { from: row.statusFrom as RegistrationStatus, to: row.statusTo as RegistrationStatus }
      : undefined;
  switch (row.kind) {
    case 'new':
    case 'restored':
      return { ...about, kind: row.kind, registration: row.registration };
    case 'left':
    case 'disappeared':
      return { ...about, kind: row.kind, lastSeen: row.registration };
    case 'changed':
    case 'housekeeping':
      return { ...about, kind: row.kind, fields: row.fields };
    case 'status-changed':
      return {
        ...about,
        kind: 'status-changed',
        status: status ?? { from: row.registration.status, to: row.registration.status },
        fields: row.fields,
      };
    case 'moved':
      return {
        ...about,
        kind: 'moved',
        fromLa: row.fromLa ?? '?',
        registration: row.registration,
        ...(status ? { status } : {}),
        fields: row.fields,
      };
  }
}

export function describeChangeRow(row: ChangeRow): string {
  return describeChange(changeOf(row));
}

/** The name a reviewer knows the provision by. */
export function provisionName(row: { registration: ChangeRow['registration'] }): string {
  return row.registration.setting?.name ?? row.registration.provider.name;
}
