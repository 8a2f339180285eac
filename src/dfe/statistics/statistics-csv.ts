/**
 * CSV documents of statistics, as RFC 4180 writes them: CRLF line ends, a field quoted when it
 * holds a comma, a double quote, a line break or surrounding space, quotes doubled inside.
 *
 * A spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return) as a formula,
 * so such a text cell — a school's name is free text from the register — is prefixed with a
 * single quote and shown as text (OWASP's advice on CSV injection). Numbers are written as
 * numbers.
 */

export type CsvCell = string | number | null;

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

export function csvField(cell: CsvCell): string {
  if (cell === null) return '';
  if (typeof cell === 'number') {
    if (!Number.isFinite(cell)) throw new RangeError(`Not a finite number for a CSV cell: ${cell}`);
    return String(cell);
  }
  const text = FORMULA_START.test(cell) ? `'${cell}` : cell;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * The document: a header row, then the rows. It starts with a byte order mark, without which
 * Excel reads UTF-8 as Windows-1252 and garbles names such as "St Mary’s".
 */
export function csvDocument(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  const lines = [header, ...rows].map((row) => {
    if (row.length !== header.length)
      throw new RangeError(`A CSV row has ${row.length} cells, the header ${header.length}`);
    return row.map(csvField).join(',');
  });
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
