/** The environment variables the LA role reads: its daily collection, its public API, its webhook, its attendance from the DfE. */
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
  /** Certificates to trust for webhook receivers besides the public ones, PEM. */
  webhookCa?: string[] | undefined;
  /** Whether this instance sends the webhook's outbox (every instance may; deliveries are claimed). */
  webhookSender?: boolean;
  /** Attendance figures younger than this are not fetched from the DfE again. */
  attendanceFreshMinutes?: number;
  /** After a failed fetch, how long before the DfE is asked again. */
  attendanceRetrySeconds?: number;
  /** How long one request to the DfE may take. */
  attendanceTimeoutSeconds?: number;
}

function extraCa(read: SettingsReader, name: string): string[] | undefined {
  const file = read.text(name);
  if (!file) return undefined;
  try {
    return [...rootCertificates, readFileSync(file, 'utf8')];
  } catch (error) {
    read.problem(`${name}: cannot read ${file} (${(error as Error).message})`);
    return undefined;
  }
}

/** The attendance settings when not given. */
export const ATTENDANCE_DEFAULTS = { freshMinutes: 10, retrySeconds: 60, timeoutSeconds: 15 };

export function readLaSettings(read: SettingsReader): LaSettings {
  return {
    collectSchedule: read.boolean('LA_COLLECT_SCHEDULE', true),
    collectLeaseSeconds: read.integer('LA_COLLECT_LEASE_SECONDS', 900, 30, 86400),
    collectRetry: {
      attempts: read.integer('LA_COLLECT_TRIES', 4, 1, 10),
      baseDelayMs: read.integer('LA_COLLECT_RETRY_SECONDS', 5, 0, 600) * 1000,
    },
    gatewayCa: extraCa(read, 'LA_GATEWAY_CA_FILE'),
    webhookCa: extraCa(read, 'LA_WEBHOOK_CA_FILE'),
    webhookSender: read.boolean('LA_WEBHOOK_SEND', true),
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
