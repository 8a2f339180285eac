/**
 * Changes since a date as a file an officer takes away (CSV or JSON): each change with its kind,
 * reference, the field, old and new values, and what was decided. Pure: rows in, text out.
 *
 * CSV is opened in spreadsheets, which run a cell starting with `=`, `+`, `-` or `@` (or a tab or
 * carriage return before one) as a formula; feed values are untrusted, so such a cell gets a
 * leading `'` (OWASP's advice) and is read as text.
 */
import type { ChangeRow } from './directory-store.ts';

/** One line of the export: a change, or one field of a changed registration. */
export interface ExportLine {
  changeId: number;
  laCode: string;
  reference: string;
  kind: string;
  field: string;
  old: string;
  new: string;
  state: string;
  decidedBy: string;
  decidedAt: string;
  reason: string;
  foundAt: string;
}

export const EXPORT_COLUMNS: readonly [keyof ExportLine, string][] = [
  ['changeId', 'Change'],
  ['laCode', 'LA'],
  ['reference', 'Reference number'],
  ['kind', 'Kind'],
  ['field', 'Field'],
  ['old', 'Old value'],
  ['new', 'New value'],
  ['state', 'Decided state'],
  ['decidedBy', 'Decided by'],
  ['decidedAt', 'Decided at'],
  ['reason', 'Reason'],
  ['foundAt', 'Found at'],
];

const text = (value: string | number | undefined | null): string =>
  value === undefined || value === null ? '' : String(value);

/** The lines of one change: one per field; a status change as the field `status`; else one line. */
export function exportLines(change: ChangeRow): ExportLine[] {
  const base = {
    changeId: change.id,
    laCode: change.laCode,
    reference: change.referenceNumber,
    kind: change.kind,
    state: change.reviewState,
    decidedBy: text(change.decidedBy),
    decidedAt: change.decidedAt ? change.decidedAt.toISOString() : '',
    reason: text(change.reason),
    foundAt: change.foundAt.toISOString(),
  };
  const lines: ExportLine[] = [];
  if (change.statusFrom || change.statusTo)
    lines.push({ ...base, field: 'Status', old: text(change.statusFrom), new: text(change.statusTo) });
  for (const f of change.fields)
    if (!f.housekeeping && !(lines.length && f.field.property === 'status'))
      lines.push({ ...base, field: f.field.label, old: text(f.old), new: text(f.new) });
  if (lines.length === 0) lines.push({ ...base, field: '', old: '', new: '' });
  return lines;
}

/** A cell a spreadsheet will not run: formula starts neutralised, then quoted as RFC 4180 needs. */
export function csvCell(value: string | number): string {
  let cell = String(value);
  if (/^[=+\-@\t\r]/.test(cell)) cell = `'${cell}`;
  return /[",\r\n]/.test(cell) || cell !== cell.trim() ? `"${cell.replaceAll('"', '""')}"` : cell;
}

export function changesCsv(changes: readonly ChangeRow[]): string {
  const rows = [EXPORT_COLUMNS.map(([, heading]) => csvCell(heading)).join(',')];
  for (const change of changes)
    for (const line of exportLines(change))
      rows.push(EXPORT_COLUMNS.map(([key]) => csvCell(line[key])).join(','));
  return `${rows.join('\r\n')}\r\n`;
}

/** JSON: one object per change, its fields as a list (values as the feed has them). */
export function changesJson(changes: readonly ChangeRow[], since: string): string {
  return JSON.stringify(
    {
      since,
      changes: changes.map((c) => ({
        id: c.id,
        laCode: c.laCode,
        referenceNumber: c.referenceNumber,
        kind: c.kind,
        ...(c.fromLa ? { fromLa: c.fromLa } : {}),
        ...(c.statusFrom || c.statusTo ? { status: { old: c.statusFrom, new: c.statusTo } } : {}),
        fields: c.fields
          .filter((f) => !f.housekeeping)
          .map((f) => ({
            field: f.field.label,
            property: f.field.property,
            old: f.old ?? null,
            new: f.new ?? null,
          })),
        state: c.reviewState,
        decidedBy: c.decidedBy,
        decidedAt: c.decidedAt?.toISOString() ?? null,
        reason: c.reason,
        foundAt: c.foundAt.toISOString(),
      })),
    },
    null,
    2,
  );
}

/** The instant a London calendar date begins (00:00 GMT, or 23:00 UTC the day before in summer). */
export function londonMidnight(date: string): Date {
  const utcMidnight = new Date(`${date}T00:00:00Z`);
  const anHourBefore = new Date(utcMidnight.getTime() - 3600_000);
  const londonDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(anHourBefore);
  return londonDate === date ? anHourBefore : utcMidnight;
}
