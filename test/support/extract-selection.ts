/**
 * What an LA's extract should hold, read the ordinary way: the registrations the selection rule
 * keeps, in reference order, as the register store itself reads them back. Extract tests compare
 * what the builder reads and writes with this.
 */
import type { Database } from '../../src/platform/db/database.ts';
import { completeRegistrations } from '../../src/regulator/register/register-store.ts';
import { INACTIVE_STATUSES, type Registration } from '../../src/contracts/childcare-extract/registration.ts';
import { earliestRetainedChange } from '../../src/regulator/extract/extract-selection.ts';

export async function selectedRegistrations(
  db: Database,
  laCode: string,
  today: string,
): Promise<Registration[]> {
  const rows = await db
    .selectFrom('regulator.registration')
    .selectAll()
    .where('la_code', '=', laCode)
    .where((eb) =>
      eb.or([
        eb('status', 'not in', [...INACTIVE_STATUSES]),
        eb('status_changed_on', '>=', earliestRetainedChange(today)),
      ]),
    )
    .orderBy('reference_number')
    .execute();
  return completeRegistrations(db, rows);
}
