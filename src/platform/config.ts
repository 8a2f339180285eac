/**
 * Every environment variable edgate reads, in one place, with defaults and validation.
 * A bad value stops the process with a message naming the variable, the value and what
 * was expected, before anything is opened or written.
 */
import path from 'node:path';

export type Role = 'regulator' | 'la' | 'school' | 'dfe';
export const ROLES: readonly Role[] = ['regulator', 'la', 'school', 'dfe'];

export interface Config {
  env: 'development' | 'production' | 'test';
  /** Empty: the embedded PGlite database in `dataDir`. */
  databaseUrl: string | undefined;
  databasePoolSize: number;
  dataDir: string;
  host: string;
  port: number;
  /** Public base URL, used in links and (later) in the WSDL. */
  publicUrl: string;
  tlsCertFile: string | undefined;
  tlsKeyFile: string | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  sessionTtlHours: number;
  /** Bearer token Prometheus presents for /metrics; unset: no /metrics at all. */
  metricsToken: string | undefined;
  /** Seed the demo world on first start of an empty database. */
  seedDemo: boolean;
  timeZone: 'Europe/London';
  /** London time of the daily extract run, 'HH:MM'. */
  extractTime: string;
  extractRetentionDays: number;
  /** Base64 of 32 bytes sealing gateway passwords; generated into dataDir when not given (not in production). */
  gatewaySecretKey: string | undefined;
  /** A daily ISPP maintenance window, London time. */
  gatewayMaintenance: { from: string; to: string } | undefined;
  gatewayRequestsPerMinute: number;
  /** Lifetime of the DfE API's access tokens. */
  accessTokenLifetimeSeconds: number;
  /** How long a claim on an extract protects a build before another instance may take it over. */
  extractLeaseSeconds: number;
  /** Whether this instance schedules the daily extract run (every instance may; runs are claimed). */
  extractSchedule: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };

  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const value = read(name);
    if (value === undefined) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    problems.push(`${name}=${JSON.stringify(value)} is not one of: ${allowed.join(', ')}`);
    return fallback;
  };

  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const value = read(name);
    if (value === undefined) return fallback;
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      problems.push(`${name}=${JSON.stringify(value)} must be a whole number from ${min} to ${max}`);
      return fallback;
    }
    return Number(value);
  };

  const boolean = (name: string, fallback: boolean): boolean => {
    const value = read(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(value)) return true;
    if (['0', 'false', 'no', 'off'].includes(value)) return false;
    problems.push(`${name}=${JSON.stringify(value)} must be true or false`);
    return fallback;
  };

  const nodeEnv = oneOf('NODE_ENV', ['development', 'production', 'test'] as const, 'development');
  const databaseUrl = read('DATABASE_URL');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push(
      'DATABASE_URL must be a postgres:// or postgresql:// URL (leave it unset for the embedded database)',
    );
  }
  const port = integer('PORT', 8443, 0, 65535);
  const host = read('HOST') ?? '127.0.0.1';
  const publicUrl = read('PUBLIC_URL') ?? `https://${host === '0.0.0.0' ? 'localhost' : host}:${port}`;
  if (!/^https?:\/\/[^\s/]+(\/.*)?$/.test(publicUrl)) {
    problems.push(`PUBLIC_URL=${JSON.stringify(publicUrl)} must be an absolute http(s) URL`);
  }
  const tlsCertFile = read('TLS_CERT');
  const tlsKeyFile = read('TLS_KEY');
  if ((tlsCertFile === undefined) !== (tlsKeyFile === undefined)) {
    problems.push(
      'TLS_CERT and TLS_KEY must be given together (or neither, for a generated self-signed certificate)',
    );
  }
  if (nodeEnv === 'production') {
    if (databaseUrl === undefined) problems.push('DATABASE_URL is required when NODE_ENV=production');
    if (tlsCertFile === undefined)
      problems.push('TLS_CERT and TLS_KEY are required when NODE_ENV=production');
  }

  const extractTime = read('EXTRACT_TIME') ?? '05:30';
  if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(extractTime)) {
    problems.push(`EXTRACT_TIME=${JSON.stringify(extractTime)} must be a London time HH:MM, e.g. 05:30`);
  }

  const gatewaySecretKey = read('GATEWAY_SECRET_KEY');
  if (gatewaySecretKey !== undefined && Buffer.from(gatewaySecretKey, 'base64').length !== 32) {
    problems.push('GATEWAY_SECRET_KEY must be the base64 of 32 random bytes (e.g. openssl rand -base64 32)');
  }
  if (nodeEnv === 'production' && gatewaySecretKey === undefined) {
    problems.push('GATEWAY_SECRET_KEY is required when NODE_ENV=production');
  }
  const maintenanceText = read('GATEWAY_MAINTENANCE');
  const maintenance = maintenanceText
    ? /^(([01]\d|2[0-3]):[0-5]\d)-(([01]\d|2[0-3]):[0-5]\d)$/.exec(maintenanceText)
    : undefined;
  if (maintenanceText && !maintenance) {
    problems.push(
      `GATEWAY_MAINTENANCE=${JSON.stringify(maintenanceText)} must be a London time window HH:MM-HH:MM, e.g. 02:00-02:30`,
    );
  }

  const metricsToken = read('METRICS_TOKEN');
  if (metricsToken !== undefined && !/^[A-Za-z0-9._~+/=-]{32,}$/.test(metricsToken)) {
    problems.push(
      'METRICS_TOKEN must be at least 32 characters of a bearer token (e.g. openssl rand -hex 32)',
    );
  }

  const config: Config = {
    env: nodeEnv,
    databaseUrl,
    databasePoolSize: integer('DATABASE_POOL_SIZE', 10, 1, 500),
    dataDir: path.resolve(read('EDGATE_DATA_DIR') ?? 'data'),
    host,
    port,
    publicUrl: publicUrl.replace(/\/$/, ''),
    tlsCertFile,
    tlsKeyFile,
    logLevel: oneOf(
      'LOG_LEVEL',
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const,
      'info',
    ),
    sessionTtlHours: integer('SESSION_TTL_HOURS', 8, 1, 24 * 30),
    metricsToken,
    seedDemo: boolean('EDGATE_SEED_DEMO', nodeEnv !== 'production'),
    timeZone: 'Europe/London',
    extractTime,
    extractRetentionDays: integer('EXTRACT_RETENTION_DAYS', 30, 1, 3650),
    extractLeaseSeconds: integer('EXTRACT_LEASE_SECONDS', 600, 1, 86400),
    gatewaySecretKey,
    gatewayMaintenance: maintenance ? { from: maintenance[1]!, to: maintenance[3]! } : undefined,
    gatewayRequestsPerMinute: integer('GATEWAY_REQUESTS_PER_MINUTE', 60, 1, 100000),
    accessTokenLifetimeSeconds: integer('ACCESS_TOKEN_LIFETIME_SECONDS', 3600, 60, 86400),
    extractSchedule: boolean('EXTRACT_SCHEDULE', true),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
