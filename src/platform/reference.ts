/**
 * Reference facts shipped with edgate (copied from the DfE/ONS lists into ./reference):
 * the live local authorities, attendance codes and NC year groups. Read once, synchronously,
 * at first use; they are small and never change while a process runs.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';

const referenceDir = fileURLToPath(new URL('../../reference/', import.meta.url));

export function referencePath(name: string): string {
  return referenceDir + name;
}

function readCsv(name: string): Record<string, string>[] {
  return parse(readFileSync(referencePath(name)), { columns: true, skip_empty_lines: true, bom: true });
}

export interface LocalAuthority {
  /** The 3-digit DfE LA code used by the ISPP service, e.g. "825". */
  code: string;
  /** The 9-character ONS code, e.g. "E06000060". */
  onsCode: string;
  name: string;
}

let localAuthorities: LocalAuthority[] | undefined;

/** The 153 live local authorities, ordered by 3-digit code. */
export function liveLocalAuthorities(): readonly LocalAuthority[] {
  localAuthorities ??= readCsv('local-authorities.csv')
    // Rows for joint arrangements ("940 / 941") and BFPO (702, no ONS area) are not authorities.
    .filter(
      (row) =>
        row.status === 'live' &&
        !row.date_of_termination &&
        /^\d{3}$/.test(row.old_la_code ?? '') &&
        /^E\d{8}$/.test(row.new_la_code ?? ''),
    )
    .map((row) => ({ code: row.old_la_code!, onsCode: row.new_la_code!, name: row.la_name! }))
    .sort((a, b) => a.code.localeCompare(b.code));
  return localAuthorities;
}

export function localAuthorityByCode(code: string): LocalAuthority | undefined {
  return liveLocalAuthorities().find((la) => la.code === code);
}
