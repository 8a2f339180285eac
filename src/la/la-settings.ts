/** The environment variables the LA role reads: its daily collection, and its attendance from the DfE. */
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import type { SettingsReader } from '../platform/settings.ts';

export interface LaSettings {
  /** Whether this instance collects each source at its time (every instance may; collections are claimed). */
  collectSchedule: boolean;
  /** How long a claimed collection holds before another instance may take it over. */
  collectLeaseSeconds: number;
  /** Tries per LA and collection (transport errors, 999), and the first pause between them. */
  collectRetry: { attempts: number; baseDelayMs: number };
  /** Certificates to trust for gateways besides the public ones (a local regulator's own), PEM. */
  gatewayCa: string[] | undefined;
  /** Requests a minute one address may make of the public ORUK API (per instance). */
  orukRequestsPerMinute?: number;
  /** Attendance figures younger than this are not fetched from the DfE again. */
  attendanceFreshMinutes?: number;
  /** After a failed fetch, how long before the DfE is asked again. */
  attendanceRetrySeconds?: number;
  /** How long one request to the DfE may take. */
  attendanceTimeoutSeconds?: number;
}

/** The attendance settings when not given. */
export const ATTENDANCE_DEFAULTS = { freshMinutes: 10, retrySeconds: 60, timeoutSeconds: 15 };

export function readLaSettings(read: SettingsReader): LaSettings {
  const caFile = read.text('LA_GATEWAY_CA_FILE');
  let gatewayCa: string[] | undefined;
  if (caFile) {
    try {
      gatewayCa = [...rootCertificates, readFileSync(caFile, 'utf8')];
    } catch (error) {
      read.problem(`LA_GATEWAY_CA_FILE: cannot read ${caFile} (${(error as Error).message})`);
    }
  }
  return {
    collectSchedule: read.boolean('LA_COLLECT_SCHEDULE', true),
    collectLeaseSeconds: read.integer('LA_COLLECT_LEASE_SECONDS', 900, 30, 86400),
    collectRetry: {
      attempts: read.integer('LA_COLLECT_TRIES', 4, 1, 10),
      baseDelayMs: read.integer('LA_COLLECT_RETRY_SECONDS', 5, 0, 600) * 1000,
    },
    gatewayCa,
    orukRequestsPerMinute: read.integer('LA_ORUK_REQUESTS_PER_MINUTE', 300, 1, 100000),
    attendanceFreshMinutes: read.integer(
      'LA_ATTENDANCE_FRESH_MINUTES',
      ATTENDANCE_DEFAULTS.freshMinutes,
      1,
      1440,
    ),
    attendanceRetrySeconds: read.integer(
      'LA_ATTENDANCE_RETRY_SECONDS',
      ATTENDANCE_DEFAULTS.retrySeconds,
      0,
      86400,
    ),
    attendanceTimeoutSeconds: read.integer(
      'LA_ATTENDANCE_TIMEOUT_SECONDS',
      ATTENDANCE_DEFAULTS.timeoutSeconds,
      1,
      120,
    ),
  };
}
