/** The environment variables the school role's sync reads. */
import type { SettingsReader } from '../../platform/settings.ts';

export interface SchoolSyncSettings {
  /** London times of the daily syncs, 'HH:MM', in order. */
  syncTimes: string[];
  /** Whether this instance schedules the syncs (every instance may; sends are claimed). */
  syncSchedule: boolean;
  /** How long a claimed send is an instance's before another may take it over. */
  syncLeaseSeconds: number;
  /** A PEM file of the certificates to trust for the receiver instead of the system's (a private receiver). */
  receiverCaFile: string | undefined;
}

export function readSchoolSyncSettings(read: SettingsReader): SchoolSyncSettings {
  return {
    syncTimes: read.londonTimes('SCHOOL_SYNC_TIMES', ['08:30', '13:30']),
    syncSchedule: read.boolean('SCHOOL_SYNC_SCHEDULE', true),
    syncLeaseSeconds: read.integer('SCHOOL_SYNC_LEASE_SECONDS', 600, 30, 86400),
    receiverCaFile: read.text('SCHOOL_RECEIVER_CA_FILE'),
  };
}
