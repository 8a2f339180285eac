/**
 * National Curriculum year groups (reference/nc-year-groups.csv): E1, E2, N1, N2, R, 1–14 and X
 * (national curriculum not followed, in special schools). These are the year groups a pupil can
 * be in, so they are the ones attendance is totalled by.
 *
 * `M` (mixed year class) is not among them: it exists only as a *class* year group in the school
 * census, never a pupil's, although the 2020 API's look-up listed it. A submission's year groups
 * are pupils' year groups, so `M` is refused even if the reference list ever gains it.
 */
import { readReferenceCsv } from './reference-csv.ts';

export interface NcYearGroup {
  /** As sent: `R`, `1`…`14`, `N1`… Strings, even the numbers. */
  code: string;
  description: string;
}

/** Year groups that describe classes only, never a pupil. */
export const CLASS_ONLY_YEAR_GROUPS: readonly string[] = ['M'];

let yearGroups: readonly NcYearGroup[] | undefined;

/** The year groups a pupil can be in, in the list's order (youngest first, then X). */
export function pupilYearGroups(): readonly NcYearGroup[] {
  yearGroups ??= Object.freeze(
    readReferenceCsv('nc-year-groups.csv')
      .map((row) => ({ code: row.code ?? '', description: row.description ?? '' }))
      .filter((group) => group.code !== '' && !CLASS_ONLY_YEAR_GROUPS.includes(group.code)),
  );
  return yearGroups;
}

/** True when `code` is a pupil's NC year group: `R` and `7` are, `M`, `15`, `r` and `07` are not. */
let pupilCodes: ReadonlySet<string> | undefined;

export function isPupilYearGroup(code: string): boolean {
  pupilCodes ??= new Set(pupilYearGroups().map((group) => group.code));
  return pupilCodes.has(code);
}
