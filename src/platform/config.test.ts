import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from './config.ts';

test('defaults give a working development configuration on the embedded database', () => {
  const config = loadConfig({});
  assert.equal(config.databaseUrl, undefined);
  assert.equal(config.port, 8443);
  assert.equal(config.publicUrl, 'https://127.0.0.1:8443');
  assert.equal(config.seedDemo, true);
});

test('a bad value is refused with a message naming the variable, the value and what is expected', () => {
  assert.throws(
    () => loadConfig({ PORT: 'eighty' }),
    (error: unknown) =>
      error instanceof ConfigError &&
      /PORT="eighty" must be a whole number from 0 to 65535/.test(error.message),
  );
});

test('every bad value is reported at once', () => {
  try {
    loadConfig({ PORT: '70000', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x', EDGATE_SEED_DEMO: 'maybe' });
    assert.fail('expected a ConfigError');
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    assert.equal(error.problems.length, 4);
    assert.match(error.message, /LOG_LEVEL="loud" is not one of/);
    assert.match(error.message, /DATABASE_URL must be a postgres/);
    assert.match(error.message, /EDGATE_SEED_DEMO="maybe" must be true or false/);
  }
});

test('production needs a real database and certificate', () => {
  assert.throws(
    () => loadConfig({ NODE_ENV: 'production' }),
    /DATABASE_URL is required[\s\S]*TLS_CERT and TLS_KEY are required/,
  );
  const config = loadConfig({
    NODE_ENV: 'production',
    DATABASE_URL: 'postgres://db/edgate',
    TLS_CERT: '/etc/edgate/cert.pem',
    TLS_KEY: '/etc/edgate/key.pem',
    GATEWAY_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'),
  });
  assert.equal(config.seedDemo, false);
});

test('a certificate without its key is refused', () => {
  assert.throws(
    () => loadConfig({ TLS_CERT: '/tmp/cert.pem' }),
    /TLS_CERT and TLS_KEY must be given together/,
  );
});

test('a sealing key that is not 32 bytes is refused, under its name or its older name', () => {
  assert.throws(
    () => loadConfig({ GATEWAY_SECRET_KEY: 'c2hvcnQ=' }),
    /GATEWAY_SECRET_KEY must be the base64 of 32 random bytes/,
  );
  assert.throws(
    () => loadConfig({ EDGATE_SECRET_KEY: 'c2hvcnQ=' }),
    /EDGATE_SECRET_KEY must be the base64 of 32 random bytes/,
  );
  const key = Buffer.alloc(32, 9).toString('base64');
  assert.equal(loadConfig({ EDGATE_SECRET_KEY: key }).secretKey, key);
});

test('metrics are off unless a long enough METRICS_TOKEN is given', () => {
  assert.equal(loadConfig({}).metricsToken, undefined);
  const token = 'f'.repeat(64);
  assert.equal(loadConfig({ METRICS_TOKEN: token }).metricsToken, token);
  assert.throws(
    () => loadConfig({ METRICS_TOKEN: 'secret' }),
    (error: unknown) =>
      error instanceof ConfigError && /METRICS_TOKEN must be at least 32/.test(error.message),
  );
});
