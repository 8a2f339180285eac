/**
 * The DfE side of the demo world: the synthetic schools register at demo scale, a MIS supplier
 * holding every school's consent, an LA client for Buckinghamshire (825), and the last 20 working
 * days of attendance, sent as a MIS sends it (each day's send covering that day and the days
 * before), so the dashboard, LA and school pages have something to show. All synthetic.
 *
 * Nothing is stamped after `now`: a send the MIS would make this afternoon has not happened yet,
 * so a real submission made this morning is the newest receipt of its days and shows at once.
 */
import { sql } from 'kysely';
import type { Database } from '../platform/db/database.ts';
import { addWorkingDays, isWorkingDay } from '../platform/working-days.ts';
import { londonDateOf } from '../platform/calendar.ts';
import { generateSchools } from './schools/synthetic-schools.ts';
import { upsertSchools } from './schools/school-store.ts';
import { createClient } from './oauth/clients.ts';
import { validateSubmission } from '../contracts/attendance/submission.ts';
import { acceptSubmission, storeSubmission } from './collection/submission-store.ts';
import {
  PRIMARY_YEAR_GROUPS,
  SECONDARY_YEAR_GROUPS,
  syntheticSubmission,
} from './collection/synthetic-submission.ts';

const DAYS = 20;
/** Days per send: within the 8-working-day window of each send's date. */
const DAYS_PER_SEND = 7;

/** A day's send, at 16:00 London (in term, GMT or BST alike, after the afternoon register). */
const sendTime = (date: string) => new Date(`${date}T15:00:00Z`);

/**
 * The demo's days: the last `DAYS` working days whose afternoon send has already happened at `now`
 * (today only from the afternoon on).
 */
export function demoDates(now: Date): string[] {
  const today = londonDateOf(now);
  let latest = isWorkingDay(today) && sendTime(today) <= now ? today : addWorkingDays(today, -1);
  const dates: string[] = [];
  for (let i = 0; i < DAYS; i++) {
    dates.unshift(latest);
    latest = addWorkingDays(latest, -1);
  }
  return dates;
}

/** Seeds the demo attendance world into an empty schools register; returns lines for the sign-ins file. */
export async function seedDemoAttendance(db: Database, now: Date): Promise<string[]> {
  const dates = demoDates(now);
  // The school gave consent, and the clients were registered, the morning before the first send.
  const setUpAt = new Date(sendTime(dates[0] ?? londonDateOf(now)).getTime() - 7 * 3600_000);
  const schools = generateSchools({ scale: 'demo', seed: 1 });
  await db.transaction().execute((trx) => upsertSchools(trx, schools, setUpAt));
  const supplier = await createClient(
    db,
    { name: 'Demo MIS (synthetic)', scopes: ['attendance.submit'] },
    setUpAt,
  );
  const la = await createClient(
    db,
    { name: 'Buckinghamshire attendance team (demo)', scopes: ['attendance.read.la'], laCode: '825' },
    setUpAt,
  );
  await sql`
    insert into dfe.consent (client_id, urn, given_by, given_at, recorded_at, recorded_by)
    select ${supplier.clientId}, urn, 'Demo data administrator', ${setUpAt}, ${setUpAt}, 'demo world' from dfe.school
  `.execute(db);
  await sql`
    insert into dfe.consent_event (client_id, urn, event, person, at, recorded_at, recorded_by)
    select ${supplier.clientId}, urn, 'given', 'Demo data administrator', ${setUpAt}, ${setUpAt}, 'demo world'
    from dfe.school
  `.execute(db);
  for (const [n, school] of schools.entries()) {
    const yearGroups = school.phaseOfEducation === 'Secondary' ? SECONDARY_YEAR_GROUPS : PRIMARY_YEAR_GROUPS;
    for (let start = 0; start < dates.length; start += DAYS_PER_SEND) {
      const sendDates = dates.slice(start, start + DAYS_PER_SEND);
      const receivedAt = sendTime(sendDates.at(-1) ?? londonDateOf(now));
      const body = syntheticSubmission({
        urn: school.urn,
        dates: sendDates,
        yearGroups,
        pupilsPerYearGroup: school.phaseOfEducation === 'Secondary' ? 180 : 30,
        seed: n * 31 + start,
      });
      const validation = validateSubmission(body, { receivedAt, urnExists: () => true });
      if (validation.kind !== 'accepted') throw new Error('a demo submission was refused');
      const raw = Buffer.from(JSON.stringify(body));
      const accepted = acceptSubmission(
        { raw, clientId: supplier.clientId, receivedAt, clientAppId: 'edgate demo world' },
        validation,
      );
      const stored = await storeSubmission(db, accepted);
      if (!stored.stored) throw new Error(`a demo submission was not stored: ${stored.reason}`);
    }
  }
  return [
    `Demo MIS (synthetic)\tclient_id ${supplier.clientId}\tclient_secret ${supplier.clientSecret}\t(attendance.submit; holds every demo school's consent)`,
    `Buckinghamshire attendance team (demo)\tclient_id ${la.clientId}\tclient_secret ${la.clientSecret}\t(attendance.read.la for 825)`,
  ];
}
