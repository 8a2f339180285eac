import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { attendanceErrorDefinitions } from './attendance-errors.ts';
import {
  ERROR_TABLE_END,
  ERROR_TABLE_START,
  attendanceErrorTable,
  withErrorTable,
} from './attendance-errors-doc.ts';

const docsFile = path.resolve(import.meta.dirname, '..', '..', '..', 'docs', 'attendance-api.md');

describe('the published list of error codes', () => {
  test('docs/attendance-api.md lists every code exactly as the table in code says (run `npm run docs:errors`)', () => {
    const docs = readFileSync(docsFile, 'utf8');
    assert.equal(
      docs,
      withErrorTable(docs),
      'docs/attendance-api.md is out of date: run `npm run docs:errors`',
    );
  });

  test('has one row per code, with its id, status, title and when', () => {
    const table = attendanceErrorTable();
    const rows = table.split('\n').slice(2);
    assert.equal(rows.length, attendanceErrorDefinitions().length);
    assert.equal(
      rows[0],
      '| VAL100 | `ERROR_INVALID_URN` | 400 | URN is required | The submission has no URN (no urn property, or null). |',
    );
    assert.match(rows[3]!, /^\| VAL103 \| `FAILURE_INVALID_NCYEARGROUP_CODE` \| 201 \(record error\) \| /);
  });

  test('a new code changes the docs until they are written again', () => {
    const docs = `# API\n\n${ERROR_TABLE_START}\n\n${attendanceErrorTable()}\n\n${ERROR_TABLE_END}\n\nMore.\n`;
    assert.equal(withErrorTable(docs), docs);
    const withNewCode = [
      ...attendanceErrorDefinitions(),
      { code: 'VAL999', id: 'ERROR_NEW', title: 'New', status: '400' as const, when: 'Something | new.' },
    ];
    const rewritten = withErrorTable(docs, attendanceErrorTable(withNewCode));
    assert.notEqual(rewritten, docs);
    assert.match(
      rewritten,
      /\| VAL999 \| `ERROR_NEW` \| 400 \| New \| Something \\\| new\. \|\n\n<!-- attendance-errors:end -->\n\nMore\.\n$/,
    );
  });

  test('refuses a document without its markers rather than guessing where the table goes', () => {
    assert.throws(() => withErrorTable('# API\n'), /needs exactly one/);
    assert.throws(() => withErrorTable(`${ERROR_TABLE_END}\n${ERROR_TABLE_START}\n`), /needs exactly one/);
    assert.throws(
      () =>
        withErrorTable(
          `${ERROR_TABLE_START}\n${ERROR_TABLE_END}\n${ERROR_TABLE_START}\n${ERROR_TABLE_END}\n`,
        ),
      /needs exactly one/,
    );
  });
});
