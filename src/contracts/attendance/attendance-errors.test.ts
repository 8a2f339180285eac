import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  ATTENDANCE_ERRORS,
  attendanceErrorDefinitions,
  envelopeError,
  recordError,
} from './attendance-errors.ts';

describe('the error table', () => {
  test('keeps the 2020 API’s codes exactly', () => {
    const first = attendanceErrorDefinitions()
      .slice(0, 6)
      .map(({ code, id, title, status }) => [code, id, title, status]);
    assert.deepEqual(first, [
      ['VAL100', 'ERROR_INVALID_URN', 'URN is required', '400'],
      ['VAL101', 'ERROR_INVALID_URN', 'Invalid URN', '400'],
      ['VAL102', 'ERROR_INVALID_URN', 'URN not found', '400'],
      ['VAL103', 'FAILURE_INVALID_NCYEARGROUP_CODE', 'Invalid NC Year Group Code', ''],
      ['VAL104', 'FAILURE_INVALID_ATTENDANCE_CODE', 'Invalid Attendance Code', ''],
      ['VAL105', 'FAILURE_INVALID_ATTENDANCE_VALUE', 'Invalid Attendance Value', ''],
    ]);
  });

  test('codes run VAL100, VAL101… without gaps, each keyed by itself', () => {
    attendanceErrorDefinitions().forEach((definition, i) => {
      assert.equal(definition.code, `VAL${100 + i}`);
    });
    for (const [key, definition] of Object.entries(ATTENDANCE_ERRORS)) assert.equal(key, definition.code);
  });

  test('envelope errors are ERROR_… with an HTTP status and a detail; record errors FAILURE_… with none', () => {
    for (const definition of attendanceErrorDefinitions()) {
      if (definition.status === '') {
        assert.match(definition.id, /^FAILURE_[A-Z_]+$/, definition.code);
        assert.equal(definition.detail, undefined, definition.code);
      } else {
        assert.match(definition.id, /^ERROR_[A-Z_]+$/, definition.code);
        assert.ok(definition.detail, definition.code);
      }
      assert.ok(definition.when.length > 10, definition.code);
    }
  });

  test('no two record codes share an id (VAL100, VAL101 and VAL102 do, as in 2020)', () => {
    const ids = attendanceErrorDefinitions()
      .filter((definition) => definition.code !== 'VAL100' && definition.code !== 'VAL102')
      .map((definition) => definition.id);
    assert.equal(new Set(ids).size, ids.length);
  });
});

describe('building errors', () => {
  test('envelopeError takes the table’s detail unless given one', () => {
    assert.equal(envelopeError('VAL102').detail.startsWith('URN not found.'), true);
    assert.equal(
      envelopeError('VAL118', 'The request body is not valid JSON').detail,
      'The request body is not valid JSON',
    );
    assert.deepEqual(Object.keys(envelopeError('VAL101')), ['id', 'code', 'status', 'title', 'detail']);
  });

  test('recordError has the 2020 shape', () => {
    assert.deepEqual(recordError('VAL105', '-1', '$.submissionData[0].attendances[1].value'), {
      id: 'FAILURE_INVALID_ATTENDANCE_VALUE',
      code: 'VAL105',
      status: '',
      title: 'Invalid Attendance Value',
      detail: '-1',
      path: '$.submissionData[0].attendances[1].value',
    });
  });
});
