/**
 * The DfE side of the demo world: the synthetic schools register at demo scale, a MIS supplier
 * holding every school's consent, an LA client for Buckinghamshire (825), and the last 20 term
 * days of attendance, sent as a MIS sends it (each day's send covering that day and the days
 * before), so the dashboard, LA and school pages have something to show. All synthetic.
 *
 * Nothing is stamped after `now`: a send the MIS would make this afternoon has not happened yet,
 * so a real submission made this morning is the newest receipt of its days and shows at once.
 */
import { sql } from 'kysely';
import type { Database } from '../platform/db/database.ts';
import { addDays, londonDateOf } from '../platform/calendar.ts';
import { termDaysUpTo } from '../contracts/attendance/term-dates.ts';
import { placeInWindow, submissionWindow } from '../contracts/attendance/submission-window.ts';
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

/**
 * The share of pupils absent nationally on a date: about 6% (attendance about 94%, as in England),
 * more on Mondays and Fridays, and varying from day to day.
 */
export function absenceOn(date: string): number {
  const day = new Date(`${date}T12:00:00Z`);
  const weekday = day.getUTCDay();
  const edge = weekday === 1 || weekday === 5 ? 0.006 : 0;
  const wobble = ((Math.floor(day.getTime() / 86_400_000) * 7919) % 23) / 23 - 0.5;
  return 0.057 + edge + wobble * 0.014;
}
/** Days per send: within the 8-working-day window of each send's date. */
const DAYS_PER_SEND = 7;

/** A day's send, at 16:00 London (in term, GMT or BST alike, after the afternoon register). */
const sendTime = (date: string) => new Date(`${date}T15:00:00Z`);

/**
 * The demo's days: the last `DAYS` term days (England's typical term dates) whose afternoon send
 * has already happened at `now` (today only from the afternoon on). Schools send nothing for days
 * they are closed, so a start in the Christmas holidays or a half-term shows the term before it.
 */
export function demoDates(now: Date): string[] {
  const today = londonDateOf(now);
  return termDaysUpTo(sendTime(today) <= now ? today : addDays(today, -1), DAYS);
}

/**
 * The demo's sends, oldest first: each covering its day and up to `DAYS_PER_SEND - 1` term days
 * before, all within the window of accepted dates on its day (a send after a half-term does not
 * reach back over it).
 */
export function demoSends(now: Date): { dates: string[]; receivedAt: Date }[] {
  const sends: { dates: string[]; receivedAt: Date }[] = [];
  let dates: string[] = [];
  for (const date of demoDates(now)) {
    const first = dates[0];
    const full = dates.length === DAYS_PER_SEND;
    if (first && (full || placeInWindow(first, submissionWindow(sendTime(date))) !== 'within')) {
      sends.push({ dates, receivedAt: sendTime(dates.at(-1)!) });
      dates = [];
    }
    dates.push(date);
  }
  if (dates.length > 0) sends.push({ dates, receivedAt: sendTime(dates.at(-1)!) });
  return sends;
}

/** The OAuth clients the demo world's other roles use: secrets shown once, for the composition root to wire. */
export interface DfeDemoHandover {
  /** The MIS supplier's client (attendance.submit), holding every demo school's consent. */
  supplier: { clientId: string; clientSecret: string };
  /** Buckinghamshire's client (attendance.read.la for 825). */
  la: { clientId: string; clientSecret: string; laCode: string };
}

/** Seeds the demo attendance world into an empty schools register: lines for the sign-ins file, and its clients. */
export async function seedDemoAttendance(
  db: Database,
  now: Date,
): Promise<{ credentials: string[]; handover: DfeDemoHandover }> {
  const sends = demoSends(now);
  const dates = sends.flatMap((send) => send.dates);
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
    // Secondary schools see more absence than primaries; each school a little more or less.
    const schoolFactor =
      (school.phaseOfEducation === 'Secondary' ? 1.25 : 0.85) * (0.8 + ((n * 37) % 41) / 100);
    for (const [index, { dates: sendDates, receivedAt }] of sends.entries()) {
      const body = syntheticSubmission({
        urn: school.urn,
        dates: sendDates,
        yearGroups,
        pupilsPerYearGroup: school.phaseOfEducation === 'Secondary' ? 180 : 30,
        seed: n * 31 + index * DAYS_PER_SEND,
        absence: { shareOn: (date) => absenceOn(date) * schoolFactor, unauthorisedShare: 0.3 },
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
  return {
    credentials: [
      `Demo MIS (synthetic)\tclient_id ${supplier.clientId}\tclient_secret ${supplier.clientSecret}\t(attendance.submit; holds every demo school's consent; the school role sends with it)`,
      `Buckinghamshire attendance team (demo)\tclient_id ${la.clientId}\tclient_secret ${la.clientSecret}\t(attendance.read.la for 825)`,
    ],
    handover: {
      supplier: { clientId: supplier.clientId, clientSecret: supplier.clientSecret },
      la: { clientId: la.clientId, clientSecret: la.clientSecret, laCode: '825' },
    },
  };
}
