import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grantScopes, parseTokenRequest } from './token-rules.ts';

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
const grant = { grant_type: 'client_credentials' };

describe('parseTokenRequest', () => {
  it('accepts body credentials with a scope list', () => {
    const parsed = parseTokenRequest(
      { ...grant, client_id: 'abc', client_secret: 's3', scope: 'attendance.submit attendance.read' },
      undefined,
    );
    assert.deepEqual(parsed, {
      ok: true,
      request: {
        clientId: 'abc',
        clientSecret: 's3',
        scopes: ['attendance.submit', 'attendance.read'],
        basic: false,
      },
    });
  });

  it('accepts Basic credentials, form-decoding id and secret (§2.3.1)', () => {
    const parsed = parseTokenRequest(grant, basic('a b:c', 'p%w+d'));
    assert.deepEqual(parsed, {
      ok: true,
      request: { clientId: 'a b:c', clientSecret: 'p%w+d', scopes: undefined, basic: true },
    });
  });

  it('requires grant_type (invalid_request)', () => {
    const parsed = parseTokenRequest({ client_id: 'a', client_secret: 'b' }, undefined);
    assert.equal(parsed.ok || parsed.error.error, 'invalid_request');
    assert.equal(parsed.ok || parsed.error.status, 400);
  });

  it('refuses other grant types (unsupported_grant_type)', () => {
    const parsed = parseTokenRequest(
      { grant_type: 'password', client_id: 'a', client_secret: 'b' },
      undefined,
    );
    assert.equal(parsed.ok || parsed.error.error, 'unsupported_grant_type');
  });

  it('refuses repeated parameters (invalid_request)', () => {
    const parsed = parseTokenRequest({ ...grant, client_id: ['a', 'b'], client_secret: 'x' }, undefined);
    assert.equal(parsed.ok || parsed.error.error, 'invalid_request');
  });

  it('refuses two authentication methods at once (invalid_request)', () => {
    const parsed = parseTokenRequest({ ...grant, client_secret: 'x' }, basic('a', 'b'));
    assert.equal(parsed.ok || parsed.error.error, 'invalid_request');
    const differs = parseTokenRequest({ ...grant, client_id: 'z' }, basic('a', 'b'));
    assert.equal(differs.ok || differs.error.error, 'invalid_request');
    const same = parseTokenRequest({ ...grant, client_id: 'a' }, basic('a', 'b'));
    assert.equal(same.ok, true);
  });

  it('answers invalid_client 401 without credentials, with malformed Basic or another scheme', () => {
    for (const [form, auth] of [
      [grant, undefined],
      [{ ...grant, client_id: 'a' }, undefined],
      [grant, 'Basic !!!'],
      [grant, `Basic ${Buffer.from('nocolon').toString('base64')}`],
      [grant, 'Bearer abc'],
    ] as const) {
      const parsed = parseTokenRequest(form, auth);
      assert.equal(parsed.ok, false);
      if (!parsed.ok) assert.deepEqual([parsed.error.status, parsed.error.error], [401, 'invalid_client']);
    }
  });

  it('refuses malformed scope syntax (invalid_scope)', () => {
    for (const scope of ['', 'a  b', ' a', 'a"b']) {
      const parsed = parseTokenRequest({ ...grant, client_id: 'a', client_secret: 'b', scope }, undefined);
      assert.equal(parsed.ok || parsed.error.error, 'invalid_scope', scope);
    }
  });
});

describe('grantScopes', () => {
  it("defaults to the client's scopes", () => {
    assert.deepEqual(
      grantScopes(undefined, { scopes: ['attendance.submit', 'attendance.read'], laCode: null }),
      {
        ok: true,
        scopes: ['attendance.submit', 'attendance.read'],
        la: undefined,
      },
    );
  });

  it('refuses a scope the client lacks (invalid_scope)', () => {
    const granted = grantScopes(['attendance.read'], { scopes: ['attendance.submit'], laCode: null });
    assert.equal(granted.ok || granted.error.error, 'invalid_scope');
    const unknown = grantScopes(['admin'], { scopes: ['attendance.submit'], laCode: null });
    assert.equal(unknown.ok || unknown.error.error, 'invalid_scope');
  });

  it('grants LA-scoped read only with an LA code, carrying it', () => {
    assert.deepEqual(grantScopes(['attendance.read.la'], { scopes: ['attendance.read.la'], laCode: '202' }), {
      ok: true,
      scopes: ['attendance.read.la'],
      la: '202',
    });
    const noLa = grantScopes(['attendance.read.la'], {
      scopes: ['attendance.read.la', 'attendance.read'],
      laCode: null,
    });
    assert.equal(noLa.ok || noLa.error.error, 'invalid_scope');
  });

  it('answers unauthorized_client for a client with no usable scope', () => {
    const granted = grantScopes(undefined, { scopes: [], laCode: null });
    assert.equal(granted.ok || granted.error.error, 'unauthorized_client');
  });
});
