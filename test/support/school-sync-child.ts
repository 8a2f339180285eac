/**
 * A school-role sync in a process of its own, for the SIGKILL test: the database at
 * SYNC_DATABASE_URL, the receiver of SYNC_RECEIVER (JSON settings) trusting SYNC_CA_FILE, the
 * synthetic schools of SYNC_URNS (the same seeds as the test), at SYNC_NOW.
 */
import { readFileSync } from 'node:fs';
import { openDatabase } from '../../src/platform/db/database.ts';
import { ReceiverClient } from '../../src/school/sync/receiver-client.ts';
import { syncSchools } from '../../src/school/sync/sync.ts';
import { recordsSource } from '../../src/school/sync/attendance-source.ts';
import { generateSchool } from '../../src/school/synthetic-school.ts';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const now = new Date(env('SYNC_NOW'));
const urns = env('SYNC_URNS').split(',').map(Number);
const handle = await openDatabase({ databaseUrl: env('SYNC_DATABASE_URL'), poolSize: 2 });
const receiver = new ReceiverClient(JSON.parse(env('SYNC_RECEIVER')), {
  ca: readFileSync(env('SYNC_CA_FILE'), 'utf8'),
  now: () => now,
});
const schools = new Map(
  urns.map((urn, i) => [
    urn,
    generateSchool({
      seed: i + 1,
      phase: 'primary',
      pupils: 40,
      today: '2026-11-20',
      marksFrom: '2026-11-02',
      urn,
    }),
  ]),
);
await syncSchools(handle.db, {
  now,
  receiver,
  source: recordsSource((urn) => schools.get(urn)),
  slot: 'killed',
  concurrency: 1,
});
await handle.close();
