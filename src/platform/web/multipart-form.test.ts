import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MultipartFormError, parseMultipartForm } from './multipart-form.ts';

const TYPE = 'multipart/form-data; boundary=----edgate1234';
const form = (...parts: string[]) =>
  Buffer.from(`${parts.map((p) => `------edgate1234\r\n${p}\r\n`).join('')}------edgate1234--\r\n`);

test('fields and a file are read as text; a repeated name is a list', () => {
  const pem = '-----BEGIN CERTIFICATE-----\r\nMIIB\r\n-----END CERTIFICATE-----\r\n';
  const body = form(
    'Content-Disposition: form-data; name="_csrf"\r\n\r\ntoken',
    `Content-Disposition: form-data; name="certificate"; filename="a.pem"\r\nContent-Type: application/x-pem-file\r\n\r\n${pem}`,
    'Content-Disposition: form-data; name="la"\r\n\r\n825',
    'Content-Disposition: form-data; name="la"\r\n\r\n826',
  );
  assert.deepEqual(parseMultipartForm(body, TYPE), {
    _csrf: 'token',
    certificate: pem,
    la: ['825', '826'],
  });
});

test('an empty form is no fields; a quoted boundary is understood', () => {
  assert.deepEqual(parseMultipartForm(Buffer.from('--b--\r\n'), 'multipart/form-data; boundary="b"'), {});
});

test('a body that is not a well-formed multipart form is refused with a 400', () => {
  for (const [body, type] of [
    [form('Content-Disposition: form-data; name="a"\r\n\r\nx'), 'multipart/form-data'],
    [Buffer.from('not a form'), TYPE],
    [Buffer.from('------edgate1234\r\nContent-Disposition: form-data; name="a"\r\n\r\nno end'), TYPE],
    [form('Content-Type: text/plain\r\n\r\nx'), TYPE],
    [form('Content-Disposition: form-data; name="a"'), TYPE],
  ] as const) {
    assert.throws(
      () => parseMultipartForm(body, type),
      (error: unknown) => error instanceof MultipartFormError && error.statusCode === 400,
    );
  }
});
