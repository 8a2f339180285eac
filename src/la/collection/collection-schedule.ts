/**
 * The daily collection schedule: each enabled source is collected once its London collect time
 * has passed and today's collection of one of its LAs is not done yet — so an instance started
 * late catches up, and every instance may run it (collections are claimed in PostgreSQL).
 * Kept behind this one function until the platform's claimed-job module replaces it.
 */
import type { FastifyInstance } from 'fastify';
import { sql, type Kysely } from 'kysely';
import type { EdgateDatabase } from '../../platform/db/schema.ts';
import { londonDateOf } from '../../platform/calendar.ts';

type Db = Kysely<EdgateDatabase>;

/** London HH:MM of `instant`. */
export function londonClock(instant: Date): string {
  return instant.toLocaleTimeString('en-GB', {
    timeZone: 'Europe/London',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  });
}

/** Names of the enabled sources due now: past their time, with an LA not yet claimed today. */
export async function sourcesDue(db: Db, now: Date): Promise<string[]> {
  const today = londonDateOf(now);
  const rows = await db
    .selectFrom('la.source as s')
    .select(['s.name', 's.collect_time', 's.la_codes'])
    .select((eb) =>
      eb
        .selectFrom('la.collection_claim as c')
        .select((e) => e.fn.countAll<number>().as('n'))
        .whereRef('c.source_id', '=', 's.id')
        .where('c.collect_date', '=', sql<string>`${today}::date`)
        .as('claimed'),
    )
    .where('s.enabled', '=', true)
    .where('s.kind', '<>', 'upload')
    .execute();
  const clock = londonClock(now);
  return rows
    .filter((r) => r.collect_time <= clock && Number(r.claimed ?? 0) < r.la_codes.length)
    .map((r) => r.name);
}

/** One tick of the schedule: the sources due now, collected by `run` (which claims each LA). */
export async function collectDue(
  db: Db,
  now: Date,
  run: (sourceNames: string[]) => Promise<void>,
): Promise<void> {
  const due = await sourcesDue(db, now);
  if (due.length > 0) await run(due);
}

/** Checks every minute for due sources and runs `run` for them (one run per source at a time here). */
export function scheduleCollection(
  app: FastifyInstance,
  db: Db,
  now: () => Date,
  run: (sourceNames: string[]) => Promise<void>,
): void {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      await collectDue(db, now(), run);
    } catch (error) {
      app.log.error({ err: error }, 'LA extract collection failed');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), 60_000);
  timer.unref();
  app.addHook('onReady', async () => void tick());
  app.addHook('onClose', async () => clearInterval(timer));
}
