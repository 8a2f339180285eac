/**
 * An LA take-in in a process of its own, for the SIGKILL test: snapshot TAKE_IN_SNAPSHOT of the
 * database at TAKE_IN_DATABASE_URL, taken in at TAKE_IN_NOW.
 */
import { openDatabase } from '../../src/platform/db/database.ts';
import { takeInSnapshot } from '../../src/la/directory/take-in.ts';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const handle = await openDatabase({ databaseUrl: env('TAKE_IN_DATABASE_URL'), poolSize: 2 });
await takeInSnapshot(handle.db, Number(env('TAKE_IN_SNAPSHOT')), {
  now: new Date(env('TAKE_IN_NOW')),
  by: 'collector',
});
await handle.close();
