/**
 * Two instances running the daily schedule on one database collect each (source, LA) once a
 * London day: both tick every minute, see the same sources due, and race for the claims; later
 * ticks the same day find nothing due; the next day each is collected once again.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { SecretBox } from '../../platform/auth/secret-box.ts';
import { openTestDatabase, type TestDatabase } from '../../../test/support/test-database.ts';
import { collectAll } from './collect-all.ts';
import { collectDue } from './collection-schedule.ts';
import { addSource } from './sources.ts';
import { TransportError, type Transport } from './transport.ts';

let database: TestDatabase;
const box = new SecretBox(randomBytes(32));
const fetched: string[] = [];
/** Every FID request counted, then refused: a failed collection is still that day's collection. */
const transport: Transport = async (request) => {
  fetched.push(`${new URL(request.url).pathname.split('/')[1]} ${request.headers.LACode}`);
  await new Promise((resolve) => setImmediate(resolve));
  throw new TransportError('The gateway refused the connection.');
};

before(async () => {
  database = await openTestDatabase();
  for (const [name, laCodes, time] of [
    ['Agent', ['825', '826'], '06:30'],
    ['Later', ['201'], '07:00'],
  ] as const)
    await addSource(database.db, box, {
      name,
      kind: 'fid',
      endpointUrl: `https://fid.example/${name}`,
      fidApiKey: 'key',
      laCodes: [...laCodes],
      collectTime: time,
      by: 'test',
    });
});
after(() => database.close());

/** One instance's minute tick, as scheduleCollection runs it. */
const tick = (now: Date) =>
  collectDue(database.db, now, async (sources) => {
    await collectAll(database.db, {
      now,
      clock: () => now,
      secretBox: box,
      sources,
      transport,
      retry: { attempts: 1, baseDelayMs: 0 },
    });
  });

test('two schedulers collect each source’s LAs once a London day', async () => {
  const minute = (day: number, hhmm: string) => new Date(`2026-12-0${day}T${hhmm}:00Z`); // GMT in December
  await Promise.all([tick(minute(1, '06:29')), tick(minute(1, '06:29'))]);
  assert.equal(fetched.length, 0, 'nothing before its time');

  for (const hhmm of ['06:30', '06:31', '06:45', '07:00', '07:01', '23:59'])
    await Promise.all([tick(minute(1, hhmm)), tick(minute(1, hhmm))]);
  assert.deepEqual([...fetched].sort(), ['Agent 825', 'Agent 826', 'Later 201']);

  fetched.length = 0;
  for (const hhmm of ['06:30', '07:00']) await Promise.all([tick(minute(2, hhmm)), tick(minute(2, hhmm))]);
  assert.equal(fetched.length, 3, 'the next day, each once again');
  assert.equal(new Set(fetched).size, 3);
});
