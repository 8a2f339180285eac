/**
 * Reads the GIAS establishment CSV ("edubasealldata…csv", as downloaded from Get Information
 * about Schools). GIAS has shipped it in Windows-1252 for years, while re-saved or newer files
 * are UTF-8; valid UTF-8 wins, anything else is read as Windows-1252. Only the columns below
 * are used; the other ~130 are ignored. Every problem is collected and the whole file refused
 * if there is any, so an import is all-or-nothing.
 */
import { ImportError, ProblemCollector, StopReading } from '../../platform/files/import-problem.ts';
import { parseCsvRows } from '../../platform/files/csv-rows.ts';
import { liveLocalAuthorities } from '../../platform/reference.ts';
import type { School } from './school.ts';

export const GIAS_COLUMNS = {
  urn: 'URN',
  name: 'EstablishmentName',
  laCode: 'LA (code)',
  typeOfEstablishment: 'TypeOfEstablishment (name)',
  phaseOfEducation: 'PhaseOfEducation (name)',
  status: 'EstablishmentStatus (name)',
  street: 'Street',
  town: 'Town',
  postcode: 'Postcode',
} as const;
type Key = keyof typeof GIAS_COLUMNS;

const REQUIRED_TEXT: Key[] = ['name', 'typeOfEstablishment', 'phaseOfEducation', 'status'];

/** UTF-8 (a BOM is dropped by the decoder) when the bytes are valid UTF-8, else Windows-1252. */
export function decodeGias(input: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(input);
  } catch {
    return decodeWindows1252(input);
  }
}

// 0x80–0x9F of Windows-1252 (0x81, 0x8D, 0x8F, 0x90, 0x9D are unassigned and kept as is).
const CP1252_HIGH = '€\x81‚ƒ„…†‡ˆ‰Š‹Œ\x8DŽ\x8F\x90‘’“”•–—˜™š›œ\x9DžŸ';

/**
 * Node builds without full ICU decode 'windows-1252' as Latin-1, turning GIAS's curly
 * apostrophes (0x92) into control characters; this table does not depend on ICU.
 */
function decodeWindows1252(input: Buffer): string {
  let text = '';
  for (const byte of input)
    text += byte >= 0x80 && byte <= 0x9f ? CP1252_HIGH[byte - 0x80]! : String.fromCharCode(byte);
  return text;
}

/**
 * Reads a GIAS establishment CSV. Throws ImportError listing every problem (at most
 * MAX_PROBLEMS); never returns a partial result. `file` only names the file in problems.
 */
export function readGiasCsv(input: Buffer, file: string): School[] {
  const problems = new ProblemCollector();
  const schools: School[] = [];
  try {
    const rows = parseCsvRows(decodeGias(input), file, problems);
    const header = rows[0];
    if (header === undefined) {
      problems.add({
        file,
        line: 1,
        message: 'empty file: expected a header row with URN, EstablishmentName, …',
      });
      throw new StopReading();
    }
    const index = new Map<Key, number>();
    for (const [key, column] of Object.entries(GIAS_COLUMNS) as [Key, string][]) {
      const at = header.cells.findIndex((cell) => cell.trim() === column);
      if (at < 0)
        problems.add({ file, line: header.line, field: column, message: `missing column '${column}'` });
      else index.set(key, at);
    }
    if (problems.count > 0) throw new StopReading();

    const liveLas = new Set(liveLocalAuthorities().map((la) => la.code));
    const firstLineOf = new Map<number, number>();
    rows.slice(1).forEach((row, i) => {
      const cell = (key: Key): string => row.cells[index.get(key)!]?.trim() ?? '';
      const urnText = cell('urn');
      const record = urnText === '' ? `record ${i + 1}` : urnText;
      let ok = true;
      const problem = (key: Key, message: string): void => {
        ok = false;
        problems.add({ file, line: row.line, record, field: GIAS_COLUMNS[key], message });
      };

      // A leading zero would make six digits below 100000: GIAS never issues those.
      if (!/^[1-9]\d{5}$/.test(urnText))
        problem('urn', `URN must be 6 digits (100000–999999), got '${urnText}'`);
      else {
        const first = firstLineOf.get(Number(urnText));
        if (first !== undefined) problem('urn', `duplicate URN ${urnText}: already on line ${first}`);
        else firstLineOf.set(Number(urnText), row.line);
      }
      const laCode = cell('laCode');
      if (!/^\d{3}$/.test(laCode)) problem('laCode', `LA code must be 3 digits, got '${laCode}'`);
      else if (!liveLas.has(laCode)) problem('laCode', `LA code ${laCode} is not a live local authority`);
      for (const key of REQUIRED_TEXT) if (cell(key) === '') problem(key, `${GIAS_COLUMNS[key]} is empty`);

      if (ok) {
        const optional = (key: Key): string | null => cell(key) || null;
        schools.push({
          urn: Number(urnText),
          name: cell('name'),
          laCode,
          typeOfEstablishment: cell('typeOfEstablishment'),
          phaseOfEducation: cell('phaseOfEducation'),
          status: cell('status'),
          street: optional('street'),
          town: optional('town'),
          postcode: optional('postcode'),
        });
      }
    });
  } catch (err) {
    if (!(err instanceof StopReading)) throw err;
  }
  if (problems.count > 0) throw problems.toError();
  return schools;
}

export { ImportError };
