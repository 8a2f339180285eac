/**
 * Reads a reference CSV shipped in ./reference into rows keyed by column name. Same reading as
 * `platform/reference.ts` (whose reader is private to it), so every list is parsed alike.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { referencePath } from '../../platform/reference.ts';

export function readReferenceCsv(name: string): Record<string, string>[] {
  return parse(readFileSync(referencePath(name)), { columns: true, skip_empty_lines: true, bom: true });
}
