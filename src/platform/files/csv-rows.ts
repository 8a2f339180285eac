/**
 * CSV rows with the physical line each starts on, for importers whose errors must name the line
 * (the register CSV, the GIAS schools file). A malformed file is one problem, then reading stops.
 */
import { CsvError, parse } from 'csv-parse/sync';
import type { Info } from 'csv-parse/sync';
import { StopReading, type ProblemCollector } from './import-problem.ts';

/**
 * csv-parse reports an unclosed quote at the end of the file; the person needs the line where the
 * quote was opened. A doubled quote ("") inside a quoted cell does not start a new one.
 */
function unclosedQuoteLine(text: string): number | undefined {
  let inQuotes = false;
  let openedAt = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charAt(i) !== '"') continue;
    inQuotes = !inQuotes;
    if (inQuotes && text.charAt(i - 1) !== '"') openedAt = i;
  }
  return inQuotes ? text.slice(0, openedAt).split('\n').length : undefined;
}

export interface CsvRow {
  cells: string[];
  /** Physical line the row starts on. */
  line: number;
}

export function parseCsvRows(text: string, file: string, problems: ProblemCollector): CsvRow[] {
  let parsed: { record: string[]; info: Info; raw: string }[];
  try {
    // With `info` and `raw` each record comes wrapped; the overloads do not model that.
    parsed = parse(text, {
      info: true,
      raw: true,
      relax_column_count: true,
      skip_empty_lines: true,
    }) as unknown as { record: string[]; info: Info; raw: string }[];
  } catch (err) {
    if (!(err instanceof CsvError)) throw err;
    const opened = err.code === 'CSV_QUOTE_NOT_CLOSED' ? unclosedQuoteLine(text) : undefined;
    problems.add(
      opened === undefined
        ? {
            file,
            line: typeof err['lines'] === 'number' ? err['lines'] : 1,
            message: `malformed CSV: ${err.message}`,
          }
        : {
            file,
            line: opened,
            message: 'malformed CSV: the quoted cell that starts on this line is never closed',
          },
    );
    throw new StopReading();
  }
  return parsed.map(({ record, info, raw }) => {
    // info.lines is where the record ends; step back over line breaks inside quoted cells.
    const body = raw.replace(/^[\r\n]+/, '').replace(/\r?\n$/, '');
    const inner = body.split('\n').length - 1;
    return { cells: record, line: info.lines - inner };
  });
}
