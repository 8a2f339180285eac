import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_JSON_DEPTH, bodyIsJson, contentTypeIsJson, readSubmissionBody } from './request-body.ts';

describe('contentTypeIsJson', () => {
  test('takes JSON media types, with parameters, in any case', () => {
    for (const type of [
      'application/json',
      'application/json; charset=utf-8',
      'Application/JSON',
      'text/json',
      'application/json-patch+json',
      'application/problem+json',
    ]) {
      assert.equal(contentTypeIsJson(type), undefined, type);
    }
  });

  test('anything else: VAL119 "Incorrect content type"', () => {
    for (const type of [
      undefined,
      '',
      'text/plain',
      'application/xml',
      'application/x-www-form-urlencoded',
      'multipart/form-data',
    ]) {
      assert.deepEqual(
        contentTypeIsJson(type),
        {
          id: 'ERROR_INCORRECT_CONTENT_TYPE',
          code: 'VAL119',
          status: '415',
          title: 'Incorrect content type',
          detail: 'Incorrect content type',
        },
        String(type),
      );
    }
  });
});

describe('bodyIsJson', () => {
  test('reads JSON from text or bytes, without a byte order mark', () => {
    assert.deepEqual(bodyIsJson('{"urn":123456}'), { ok: true, body: { urn: 123456 } });
    assert.deepEqual(bodyIsJson(new TextEncoder().encode('\uFEFF{"urn":123456}')), {
      ok: true,
      body: { urn: 123456 },
    });
    assert.deepEqual(bodyIsJson('\uFEFF[1]'), { ok: true, body: [1] });
  });

  test('an empty body: VAL118 "Empty request body"', () => {
    for (const raw of [undefined, '', '  \n', new Uint8Array()]) {
      const result = bodyIsJson(raw);
      assert.deepEqual(
        result.ok ? undefined : result.error,
        {
          id: 'ERROR_EMPTY_REQUEST_BODY',
          code: 'VAL118',
          status: '400',
          title: 'Empty request body',
          detail: 'Empty request body',
        },
        String(raw),
      );
    }
  });

  test('a body that is not JSON, or not UTF-8: VAL118 saying so', () => {
    const notJson = bodyIsJson('urn=123456');
    assert.deepEqual(notJson.ok ? undefined : [notJson.error.code, notJson.error.detail], [
      'VAL118',
      'The request body is not valid JSON',
    ]);
    const notUtf8 = bodyIsJson(new Uint8Array([0x7b, 0xff, 0x7d]));
    assert.deepEqual(notUtf8.ok ? undefined : [notUtf8.error.code, notUtf8.error.detail], [
      'VAL118',
      'The request body is not UTF-8 text',
    ]);
  });
});

describe('bodies nested too deep', () => {
  const tooDeep = (depth: number) =>
    `{"urn":123456,"submissionData":${'['.repeat(depth)}${']'.repeat(depth)}}`;

  test('100,000 [ : VAL118 saying so, without running out of stack', () => {
    for (const raw of ['['.repeat(100_000), tooDeep(100_000), Buffer.from(tooDeep(100_000))]) {
      const read = bodyIsJson(raw);
      assert.deepEqual(read.ok ? undefined : read.error, {
        id: 'ERROR_EMPTY_REQUEST_BODY',
        code: 'VAL118',
        status: '400',
        title: 'Empty request body',
        detail: `The request body nests lists and objects more than ${MAX_JSON_DEPTH} deep`,
      });
    }
  });

  test(`${MAX_JSON_DEPTH} deep is read; brackets inside strings, escaped quotes among them, do not count`, () => {
    assert.equal(bodyIsJson(tooDeep(MAX_JSON_DEPTH - 1)).ok, true);
    assert.equal(bodyIsJson(tooDeep(MAX_JSON_DEPTH)).ok, false);
    // A backslash, a quote and a thousand [ inside a string; a string ending in a backslash.
    const inStrings = { a: `\\"${'['.repeat(1000)}`, b: '\\' };
    assert.deepEqual(bodyIsJson(JSON.stringify(inStrings)), { ok: true, body: inStrings });
  });
});

describe('readSubmissionBody', () => {
  test('checks the content type before the body', () => {
    const wrongType = readSubmissionBody('text/plain', '');
    assert.equal(wrongType.ok ? undefined : wrongType.error.code, 'VAL119');
    const empty = readSubmissionBody('application/json', '');
    assert.equal(empty.ok ? undefined : empty.error.code, 'VAL118');
    assert.deepEqual(readSubmissionBody('application/json', '{"urn":1}'), { ok: true, body: { urn: 1 } });
  });
});
