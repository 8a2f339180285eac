/**
 * A day of the childcare feed as the schedules would run it, over a test server's HTTPS: the
 * regulator builds the extract for the clock's London date, then the LA collects it and takes
 * each new snapshot in.
 */
import assert from 'node:assert/strict';
import { runExtracts } from '../../src/regulator/extract/extract-runs.ts';
import { londonDateOf } from '../../src/platform/calendar.ts';
import { collectAll } from '../../src/la/collection/collect-all.ts';
import { httpsTransport } from '../../src/la/collection/transport.ts';
import { onSnapshot } from '../../src/la/la-role.ts';
import type { TakeInOutcome } from '../../src/la/directory/take-in.ts';
import type { TestServer } from './test-server.ts';

/** The take-in outcome of each snapshot the collection found new (none when nothing changed). */
export async function extractAndCollect(
  server: TestServer,
  laCode: string,
  now: Date,
): Promise<TakeInOutcome[]> {
  const { db } = server.handle;
  const run = await runExtracts(db, { extractDate: londonDateOf(now), laCodes: [laCode], now: () => now });
  assert.equal(run.built, 1, 'the regulator built the extract');
  const takeIn = onSnapshot(db, () => now);
  const outcomes: TakeInOutcome[] = [];
  const [result] = await collectAll(db, {
    now,
    secretBox: server.secretBox,
    transport: httpsTransport({ ca: server.ca }),
    retry: { attempts: 1, baseDelayMs: 0 },
    sleep: async () => {},
    onSnapshot: async (id) => void outcomes.push(await takeIn(id)),
  });
  assert.equal(result!.outcome, 'collected', result!.error);
  return outcomes;
}
