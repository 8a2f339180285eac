import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { compareDocumentOrder, jsonPath } from './json-location.ts';
import type { JsonLocation } from './json-location.ts';

describe('jsonPath', () => {
  test('writes the paths the 2020 API reported', () => {
    assert.equal(jsonPath(['submissionData', 1, 'ncYearGroup']), '$.submissionData[1].ncYearGroup');
    assert.equal(
      jsonPath(['submissionData', 0, 'attendances', 10, 'attendanceCode']),
      '$.submissionData[0].attendances[10].attendanceCode',
    );
    assert.equal(jsonPath([]), '$');
  });

  test('quotes names that are not plain', () => {
    assert.equal(jsonPath(['a b', "it's"]), "$['a b']['it\\'s']");
  });
});

describe('compareDocumentOrder', () => {
  const document = JSON.parse(
    '{"urn":1,"submissionData":[{"date":"x","ncYearGroup":"T","attendances":[{"value":1,"attendanceCode":"Q"}]},{"ncYearGroup":"R"}]}',
  ) as unknown;
  const sorted = (locations: JsonLocation[]): string[] =>
    [...locations].sort((a, b) => compareDocumentOrder(document, a, b)).map(jsonPath);

  test('follows the order of the document, not of the names', () => {
    assert.deepEqual(
      sorted([
        ['submissionData', 1, 'ncYearGroup'],
        ['submissionData', 0, 'attendances', 0, 'attendanceCode'],
        ['submissionData', 0, 'ncYearGroup'],
        ['submissionData', 0, 'attendances', 0, 'value'],
        ['submissionData', 0, 'date'],
        ['urn'],
      ]),
      [
        '$.urn',
        '$.submissionData[0].date',
        '$.submissionData[0].ncYearGroup',
        '$.submissionData[0].attendances[0].value',
        '$.submissionData[0].attendances[0].attendanceCode',
        '$.submissionData[1].ncYearGroup',
      ],
    );
  });

  test('puts a value before what is inside it, and missing properties at the end of their object', () => {
    assert.deepEqual(
      sorted([
        ['submissionData', 1, 'schoolSession'],
        ['submissionData', 1, 'ncYearGroup'],
        ['submissionData', 1],
        ['totalNoOfPupils'],
        ['submissionData', 0, 'attendances'],
      ]),
      [
        '$.submissionData[0].attendances',
        '$.submissionData[1]',
        '$.submissionData[1].ncYearGroup',
        '$.submissionData[1].schoolSession',
        '$.totalNoOfPupils',
      ],
    );
  });
});
