/**
 * The environment variables the platform reads (database, address, TLS, logs, sessions, the
 * sealing key), with defaults and validation. Each role reads its own through its module's
 * `settings` (src/platform/role.ts); the composition root reports every problem at once.
 */
import path from 'node:path';
import { ConfigError, SettingsReader, type Env } from './settings.ts';

export { ConfigError };

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
  /** JSON lines in production, one short line a person reads otherwise (EDGATE_LOG_FORMAT). */
  logFormat: 'json' | 'pretty';
  sessionTtlHours: number;
  /** Bearer token Prometheus presents for /metrics; unset: no /metrics at all. */
  metricsToken: string | undefined;
  /** Seed the demo world on first start of an empty database. */
  seedDemo: boolean;
  timeZone: 'Europe/London';
  /**
   * Base64 of 32 bytes sealing the secrets edgate must read back (gateway passwords, signing
   * keys, receiver credentials); generated into dataDir when not given (not in production).
   */
  secretKey: string | undefined;
}

/** The platform's settings alone: a bad value throws a ConfigError naming every problem. */
export function loadConfig(env: Env = process.env): Config {
  const settings = new SettingsReader(env);
  const config = readConfig(settings);
  if (settings.problems.length > 0) throw new ConfigError(settings.problems);
  return config;
}

/** The platform's settings; problems are collected in `settings`, beside the roles'. */
export function readConfig(settings: SettingsReader): Config {
  const problems = settings.problems;
  const read = (name: string) => settings.text(name);
  const oneOf = settings.oneOf.bind(settings);
  const integer = settings.integer.bind(settings);
  const boolean = settings.boolean.bind(settings);

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

  // EDGATE_SECRET_KEY; GATEWAY_SECRET_KEY is its older name, from when only gateway passwords were sealed.
  const secretKeyName = read('EDGATE_SECRET_KEY') !== undefined ? 'EDGATE_SECRET_KEY' : 'GATEWAY_SECRET_KEY';
  const secretKey = read(secretKeyName);
  if (secretKey !== undefined && Buffer.from(secretKey, 'base64').length !== 32) {
    problems.push(`${secretKeyName} must be the base64 of 32 random bytes (e.g. openssl rand -base64 32)`);
  }
  if (nodeEnv === 'production' && secretKey === undefined) {
    problems.push('EDGATE_SECRET_KEY is required when NODE_ENV=production');
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
    logFormat: oneOf(
      'EDGATE_LOG_FORMAT',
      ['json', 'pretty'] as const,
      nodeEnv === 'production' ? 'json' : 'pretty',
    ),
    sessionTtlHours: integer('SESSION_TTL_HOURS', 8, 1, 24 * 30),
    metricsToken,
    seedDemo: boolean('EDGATE_SEED_DEMO', nodeEnv !== 'production'),
    timeZone: 'Europe/London',
    secretKey,
  };
  return config;
}
