/**
 * Field-by-field comparison of two versions of a registration, driven by the field table
 * (fields.ts): every row is compared, so a field added to the table is compared with no change
 * here. The table is compiled once into getters, so comparing the national register's ~90,000
 * pairs costs far less than reading the documents.
 *
 * Lists. Every list of the extract is compared as a multiset of its items (an item is the values
 * of its fields in the table): order means nothing, because each item stands on its own — a
 * status history entry, register, certificate condition, notice, welfare notice or inspection
 * carries its own dates; childcare periods, age bands and linked registrations are plain
 * collections. A multiset rather than a set, so that an item sent twice and then once is still a
 * change. A list the table gains later is compared as a multiset too unless LIST_ORDER says
 * `sequence` (compared position by position). An absent optional list equals an empty one (the
 * writer leaves empty v1.3 lists out).
 *
 * Within a list, items only in the old version are paired with items only in the new one, so a
 * reviewer sees "judgement Good → Outstanding" rather than an inspection removed and another
 * added: a one-field list pairs them in order; otherwise each old item takes the new one sharing
 * the most field values (at least one). Unpaired items report each of their values going to or
 * coming from nothing.
 */
import { FEED_FIELDS, type FeedField } from '../../contracts/childcare-extract/fields.ts';
import type { Registration } from '../../contracts/childcare-extract/registration.ts';
import { changedField, type FieldChange, type FieldValue } from './change.ts';

/** How each list is compared; a list not named here is a multiset (see above). */
export const LIST_ORDER: Readonly<Record<string, 'multiset' | 'sequence'>> = {
  statusHistory: 'multiset',
  registers: 'multiset',
  certificateConditions: 'multiset',
  childcarePeriods: 'multiset',
  ageBands: 'multiset',
  inspections: 'multiset',
  notices: 'multiset',
  welfareNotices: 'multiset',
  linkedRegistrations: 'multiset',
};

/** Properties (a scalar's path, or a list's name) whose changes are kept but not reviewed. */
export const HOUSEKEEPING = new Set(['lastChangeDate', 'statusHistory']);

/** The reference number is what pairs two versions; the status is reported as a status change. */
const NOT_FIELDS = new Set(['referenceNumber', 'status']);

type Getter = (from: unknown) => FieldValue;

function getter(path: string): Getter {
  const steps = path === '' ? [] : path.split('.');
  if (steps.length === 0) return (v) => v as FieldValue;
  if (steps.length === 1) {
    const [a] = steps as [string];
    return (v) => (v as Record<string, FieldValue>)[a];
  }
  return (v) => {
    let at: unknown = v;
    for (const step of steps) {
      if (at === undefined || at === null) return undefined;
      at = (at as Record<string, unknown>)[step];
    }
    return at as FieldValue;
  };
}

interface ScalarField {
  row: FeedField;
  get: Getter;
  housekeeping: boolean;
}

interface ItemPart {
  /** Rows for this item property: usually one; two where one property has two elements (a notice's date). */
  rows: FeedField[];
  get: Getter;
}

interface ListField {
  name: string;
  order: 'multiset' | 'sequence';
  parts: ItemPart[];
  items: (r: Registration) => readonly unknown[];
  housekeeping: boolean;
}

function compile(fields: readonly FeedField[]): { scalars: ScalarField[]; lists: ListField[] } {
  const scalars: ScalarField[] = [];
  const lists = new Map<string, ListField>();
  for (const row of fields) {
    if (NOT_FIELDS.has(row.property)) continue;
    const at = row.property.indexOf('[]');
    if (at < 0) {
      scalars.push({ row, get: getter(row.property), housekeeping: HOUSEKEEPING.has(row.property) });
      continue;
    }
    const name = row.property.slice(0, at);
    const itemPath = row.property.slice(at + 2).replace(/^\./, '');
    let list = lists.get(name);
    if (!list) {
      const get = getter(name);
      list = {
        name,
        order: LIST_ORDER[name] ?? 'multiset',
        parts: [],
        items: (r) => (get(r) as unknown as readonly unknown[] | undefined) ?? [],
        housekeeping: HOUSEKEEPING.has(name),
      };
      lists.set(name, list);
    }
    const part = list.parts.find((p) => p.rows[0]!.property === row.property);
    if (part) part.rows.push(row);
    else list.parts.push({ rows: [row], get: getter(itemPath) });
  }
  return { scalars, lists: [...lists.values()] };
}

/** The lists the field table declares, by property name (for tests and documentation). */
export const COMPARED_LISTS: readonly string[] = compile(FEED_FIELDS).lists.map((l) => l.name);

/**
 * The row naming an item's value: where one property has two elements (a notice's date is
 * NOIDate or NODDate, named after its type), the one whose element is named after one of the
 * item's values.
 */
function rowOf(part: ItemPart, item: unknown): FeedField {
  if (part.rows.length === 1) return part.rows[0]!;
  const values = Object.values(item as Record<string, unknown>).filter((v) => typeof v === 'string');
  for (const row of part.rows) {
    const leaf = row.element.slice(row.element.lastIndexOf('/') + 1);
    if (values.some((v) => v !== '' && leaf.startsWith(v))) return row;
  }
  return part.rows[0]!;
}

function itemKey(list: ListField, item: unknown): string {
  if (list.parts.length === 1) return String(list.parts[0]!.get(item));
  return JSON.stringify(list.parts.map((p) => p.get(item) ?? null));
}

function itemsEqual(list: ListField, a: unknown, b: unknown): boolean {
  for (const part of list.parts) if (part.get(a) !== part.get(b)) return false;
  return true;
}

/** Same items in the same order: the common case, checked without building keys. */
function sameInOrder(list: ListField, a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!itemsEqual(list, a[i], b[i])) return false;
  return true;
}

function itemChanges(
  list: ListField,
  oldItem: unknown,
  oldAt: number | undefined,
  newItem: unknown,
  newAt: number | undefined,
  out: FieldChange[],
): void {
  for (const part of list.parts) {
    const o = oldItem === undefined ? undefined : part.get(oldItem);
    const n = newItem === undefined ? undefined : part.get(newItem);
    if (o === n) continue;
    const item: { old?: number; new?: number } = {};
    if (oldAt !== undefined) item.old = oldAt;
    if (newAt !== undefined) item.new = newAt;
    out.push({
      field: changedField(rowOf(part, newItem ?? oldItem)),
      old: o,
      new: n,
      item,
      housekeeping: list.housekeeping,
    });
  }
}

function compareList(
  list: ListField,
  before: readonly unknown[],
  after: readonly unknown[],
  out: FieldChange[],
): void {
  if (sameInOrder(list, before, after)) return;
  if (list.order === 'sequence') {
    for (let i = 0; i < Math.max(before.length, after.length); i++) {
      const o = before[i];
      const n = after[i];
      itemChanges(list, o, o === undefined ? undefined : i, n, n === undefined ? undefined : i, out);
    }
    return;
  }
  // Multiset difference: each new item cancels one equal old item.
  const unmatched = new Map<string, number[]>();
  before.forEach((item, i) => {
    const key = itemKey(list, item);
    const at = unmatched.get(key);
    if (at) at.push(i);
    else unmatched.set(key, [i]);
  });
  const added: number[] = [];
  after.forEach((item, i) => {
    const at = unmatched.get(itemKey(list, item));
    if (at && at.length > 0) at.shift();
    else added.push(i);
  });
  const removed = [...unmatched.values()].flat().sort((a, b) => a - b);
  if (removed.length === 0 && added.length === 0) return;

  const free = new Set(added);
  for (const oldAt of removed) {
    let best: number | undefined;
    if (list.parts.length === 1) {
      best = free.values().next().value;
    } else {
      let bestShared = 0;
      for (const newAt of free) {
        let shared = 0;
        for (const part of list.parts) if (part.get(before[oldAt]) === part.get(after[newAt])) shared++;
        if (shared > bestShared) {
          bestShared = shared;
          best = newAt;
        }
      }
    }
    if (best !== undefined) free.delete(best);
    itemChanges(list, before[oldAt], oldAt, best === undefined ? undefined : after[best], best, out);
  }
  for (const newAt of free) itemChanges(list, undefined, undefined, after[newAt], newAt, out);
}

export type FieldDiff = (before: Registration, after: Registration) => FieldChange[];

/** The comparison a field table gives (compiled once); `fieldChanges` is the feed's. */
export function fieldDiff(fields: readonly FeedField[]): FieldDiff {
  const { scalars, lists } = compile(fields);
  return (before, after) => {
    const out: FieldChange[] = [];
    for (const s of scalars) {
      const o = s.get(before);
      const n = s.get(after);
      if (o !== n) out.push({ field: changedField(s.row), old: o, new: n, housekeeping: s.housekeeping });
    }
    for (const list of lists) compareList(list, list.items(before), list.items(after), out);
    return out;
  };
}

/**
 * Every field that differs between two versions of a registration (single fields, then lists,
 * each in field-table order), apart from the reference number (what pairs them) and the
 * registration status (a status change of its own). Empty when they are the same.
 */
export const fieldChanges: FieldDiff = fieldDiff(FEED_FIELDS);
