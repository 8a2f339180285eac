/** The environment variables the regulator role reads: its daily extract run and its gateway. */
import type { SettingsReader } from '../platform/settings.ts';

export interface RegulatorSettings {
  /** London time of the daily extract run, 'HH:MM'. */
  extractTime: string;
  extractRetentionDays: number;
  /** How long a claim on an extract protects a build before another instance may take it over. */
  extractLeaseSeconds: number;
  /** Whether this instance schedules the daily extract run (every instance may; runs are claimed). */
  extractSchedule: boolean;
  /** A daily ISPP maintenance window, London time. */
  gatewayMaintenance: { from: string; to: string } | undefined;
  gatewayRequestsPerMinute: number;
}

export function readRegulatorSettings(read: SettingsReader): RegulatorSettings {
  return {
    extractTime: read.londonTime('EXTRACT_TIME', '05:30'),
    extractRetentionDays: read.integer('EXTRACT_RETENTION_DAYS', 30, 1, 3650),
    extractLeaseSeconds: read.integer('EXTRACT_LEASE_SECONDS', 600, 1, 86400),
    extractSchedule: read.boolean('EXTRACT_SCHEDULE', true),
    gatewayMaintenance: read.londonWindow('GATEWAY_MAINTENANCE', '02:00-02:30'),
    gatewayRequestsPerMinute: read.integer('GATEWAY_REQUESTS_PER_MINUTE', 60, 1, 100000),
  };
}
