/**
 * The DfE side of the demo world: the synthetic schools register at demo scale, a MIS supplier
 * holding every school's consent, an LA client for Buckinghamshire (825), and the last 20 working
 * days of attendance, sent as a MIS sends it (each day's send covering that day and the days
 * before), so the dashboard, LA and school pages have something to show. All synthetic.
 */
import { sql } from 'kysely';
import type { Database } from '../platform/db/database.ts';
import { addWorkingDays, isWorkingDay } from '../platform/working-days.ts';
import { generateSchools } from './schools/synthetic-schools.ts';
import { upsertSchools } from './schools/school-store.ts';
import { createClient } from './oauth/clients.ts';
import { validateSubmission } from './collection/submission.ts';
import { acceptSubmission, storeSubmission } from './collection/submission-store.ts';
import {
  PRIMARY_YEAR_GROUPS,
  SECONDARY_YEAR_GROUPS,
  syntheticSubmission,
} from './collection/synthetic-submission.ts';

const DAYS = 20;
/** Days per send: within the 8-working-day window of each send's date. */
const DAYS_PER_SEND = 7;

/** Seeds the demo attendance world into an empty schools register; returns lines for the sign-ins file. */
export async function seedDemoAttendance(db: Database, today: string): Promise<string[]> {
  const schools = generateSchools({ scale: 'demo', seed: 1 });
  await db.transaction().execute((trx) => upsertSchools(trx, schools));
  const supplier = await createClient(db, { name: 'Demo MIS (synthetic)', scopes: ['attendance.submit'] });
  const la = await createClient(db, {
    name: 'Buckinghamshire attendance team (demo)',
    scopes: ['attendance.read.la'],
    laCode: '825',
  });
  await sql`
    insert into dfe.consent (client_id, urn, given_by, given_at, recorded_at, recorded_by)
    select ${supplier.clientId}, urn, 'Demo data administrator', now(), now(), 'demo world' from dfe.school
  `.execute(db);

  let latest = isWorkingDay(today) ? today : addWorkingDays(today, -1);
  const dates: string[] = [];
  for (let i = 0; i < DAYS; i++) {
    dates.unshift(latest);
    latest = addWorkingDays(latest, -1);
  }
  for (const [n, school] of schools.entries()) {
    const yearGroups = school.phaseOfEducation === 'Secondary' ? SECONDARY_YEAR_GROUPS : PRIMARY_YEAR_GROUPS;
    for (let start = 0; start < dates.length; start += DAYS_PER_SEND) {
      const sendDates = dates.slice(start, start + DAYS_PER_SEND);
      const lastDate = sendDates.at(-1) ?? today;
      // Sent at 16:00 London on its last day (in term, GMT or BST alike, after the afternoon register).
      const receivedAt = new Date(`${lastDate}T15:00:00Z`);
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
