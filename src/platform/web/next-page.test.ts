import { test } from 'node:test';
import assert from 'node:assert/strict';
import { safeNext } from './next-page.ts';

test('a path of this service is kept, with its query and fragment', () => {
  assert.equal(safeNext('/regulator/registrations?la=825&page=2'), '/regulator/registrations?la=825&page=2');
  assert.equal(safeNext('/regulator/registrations/EY123#history'), '/regulator/registrations/EY123#history');
  assert.equal(safeNext('/'), '/');
});

test('anything that could lead to another site falls back to the start page', () => {
  for (const next of [
    '/\t/evil.example', // what `/login?next=/%09/evil.example` decodes to: browsers drop the tab
    '/\n/evil.example',
    '/\r\n/evil.example',
    '//evil.example',
    '///evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    '\\/evil.example',
    'https://evil.example',
    'https:evil.example',
    'javascript:alert(1)',
    '/..//evil.example',
    '/./\\evil.example',
    'evil.example',
    ' /x',
    '/\u0000x',
    '/\u0085x',
    '',
  ]) {
    assert.equal(safeNext(next), '/', JSON.stringify(next));
  }
  assert.equal(safeNext(undefined), '/');
  assert.equal(safeNext(['/a', '/b']), '/');
  assert.equal(safeNext('https://evil.example', '/reports'), '/reports');
});

test('encoded characters stay encoded in the path and cannot leave the service', () => {
  // Decoded once by the query-string parser already; what remains encoded is kept as is.
  assert.equal(safeNext('/%2F%2Fevil.example'), '/%2F%2Fevil.example');
  assert.equal(safeNext('/%09/evil.example'), '/%09/evil.example');
  assert.equal(safeNext('/%5Cevil.example'), '/%5Cevil.example');
});
