/**
 * The columns of attendance figures in every CSV of them — the DfE's downloads and an LA's of its
 * schools — declared once, so a spreadsheet built on one reads the other.
 */
import type { MarkSummary } from './aggregation.ts';

export const FIGURE_COLUMNS = [
  'schools_reporting',
  'possible_sessions',
  'present',
  'approved_educational_activity',
  'authorised_absence',
  'unauthorised_absence',
  'not_counted',
  'attendance_rate_percent',
  'authorised_absence_rate_percent',
  'unauthorised_absence_rate_percent',
] as const;

/** "94.21": a rate as a percentage for a CSV cell, two decimal places; empty when nothing was possible. */
export function percentCell(rate: number | null): string {
  return rate === null ? '' : (rate * 100).toFixed(2);
}

/** The cells of FIGURE_COLUMNS for some figures; for none (nothing sent), 0 schools and empty cells. */
export function figureCells(figures: (MarkSummary & { schools: number }) | null): (string | number | null)[] {
  if (!figures) return FIGURE_COLUMNS.map((column) => (column === 'schools_reporting' ? 0 : null));
  return [
    figures.schools,
    figures.possible,
    figures.present,
    figures.aea,
    figures.authorised,
    figures.unauthorised,
    figures.notCounted,
    percentCell(figures.attendanceRate),
    percentCell(figures.authorisedRate),
    percentCell(figures.unauthorisedRate),
  ];
}
