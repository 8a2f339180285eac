/**
 * The published list of attendance error codes in docs/attendance-api.md, written from the one
 * table in attendance-errors.ts so the docs cannot fall behind the code. `npm run docs:errors`
 * writes it; attendance-errors-doc.test.ts fails when the docs differ from what it would write.
 */
import { attendanceErrorDefinitions, type AttendanceErrorDefinition } from './attendance-errors.ts';

export const ERROR_TABLE_START =
  '<!-- attendance-errors:start — written by `npm run docs:errors` from src/contracts/attendance/attendance-errors.ts; do not edit by hand -->';
export const ERROR_TABLE_END = '<!-- attendance-errors:end -->';

/** A Markdown table cell: a `|` would end the cell, a line break the row. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

function statusCell(definition: AttendanceErrorDefinition): string {
  return definition.status === '' ? '201 (record error)' : definition.status;
}

/** The Markdown table of every code, in code order. */
export function attendanceErrorTable(definitions = attendanceErrorDefinitions()): string {
  const rows = definitions.map(
    (definition) =>
      `| ${definition.code} | \`${definition.id}\` | ${statusCell(definition)} | ${cell(definition.title)} | ${cell(definition.when)} |`,
  );
  return ['| code | id | HTTP status | title | when |', '| --- | --- | --- | --- | --- |', ...rows].join(
    '\n',
  );
}

/**
 * `document` with the text between the two markers replaced by `table`. Refuses a document
 * without exactly one pair of markers in order, rather than appending a second table somewhere.
 */
export function withErrorTable(document: string, table = attendanceErrorTable()): string {
  const start = document.indexOf(ERROR_TABLE_START);
  const end = document.indexOf(ERROR_TABLE_END);
  if (
    start === -1 ||
    end === -1 ||
    end < start ||
    document.indexOf(ERROR_TABLE_START, start + 1) !== -1 ||
    document.indexOf(ERROR_TABLE_END, end + 1) !== -1
  )
    throw new Error(
      `The document needs exactly one ${ERROR_TABLE_START} line followed by one ${ERROR_TABLE_END} line`,
    );
  return document.slice(0, start + ERROR_TABLE_START.length) + '\n\n' + table + '\n\n' + document.slice(end);
}
