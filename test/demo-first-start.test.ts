/**
 * A first `npm start` before the day's extracts are built (05:30 London): the demo world seeded
 * and wired on a clock at 04:10 on a Monday, as serve.ts does, over one test server. What a person
 * opening it would see: the LAs' latest extracts and changes to review, the DfE's figures of the
 * previous school day, nothing stamped after the clock, consent before what it covers.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { loadSettings, ROLE_MODULES } from '../src/edgate.ts';
import { seedDemoWorld } from '../src/cli/demo-world.ts';
import { wireDemoAfterListening, wireDemoBeforeListening } from '../src/cli/demo-wiring.ts';
import { DEMO_AGENT_LAS, DEMO_FID_LA } from '../src/regulator/regulator-demo.ts';
import { pendingCounts } from '../src/la/directory/directory-store.ts';
import { dailyFigures } from '../src/dfe/statistics/statistics-store.ts';
import { FakeClock } from './support/fake-clock.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

// Monday 30 November 2026, 04:10 in London (GMT): the 05:30 extracts and the 08:30 sync are hours away.
const START = new Date('2026-11-30T04:10:00Z');
const DEMO_LAS = [...DEMO_AGENT_LAS, DEMO_FID_LA];

describe('a first start at 04:10 on a Monday', () => {
  const clock = new FakeClock(START);
  let server: TestServer;
  let dataDir: string;
  const said: string[] = [];

  before(async () => {
    server = await startTestServer({ now: clock.now, accounts: false });
    dataDir = mkdtempSync(path.join(tmpdir(), 'edgate-first-start-'));
    const settings = loadSettings({
      EDGATE_DATA_DIR: dataDir,
      PUBLIC_URL: server.baseUrl,
      EDGATE_SECRET_KEY: undefined,
    });
    const say = (line: string) => void said.push(line);
    const { handle, secretBox } = server;
    const cpu = process.cpuUsage();
    const world = await seedDemoWorld(handle, settings, secretBox, ROLE_MODULES, clock.now(), say);
    const tls = { cert: server.ca, key: '', selfSigned: true };
    await wireDemoBeforeListening(handle, secretBox, settings, world.handovers, tls, clock.now());
    await wireDemoAfterListening(handle, secretBox, settings, world.handovers, {
      url: server.baseUrl,
      tls,
      now: clock.now(),
      say,
    });
    const used = process.cpuUsage(cpu);
    console.log(`seeding and wiring the demo world: ${((used.user + used.system) / 1e6).toFixed(1)} s CPU`);
  });
  after(async () => {
    await server?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test("each demo LA has Sunday's extract, taken in, with changes to review", async () => {
    const db = server.handle.db;
    for (const laCode of DEMO_LAS) {
      const extract = await db
        .selectFrom('regulator.extract')
        .select('extract_date')
        .where('la_code', '=', laCode)
        .orderBy('extract_date', 'desc')
        .executeTakeFirst();
      assert.equal(String(extract?.extract_date), '2026-11-29', `LA ${laCode}'s latest extract`);
      assert.ok((await pendingCounts(db, laCode)).total > 0, `LA ${laCode} has changes to review`);
    }
    assert.match(said.join('\n'), /Today's extracts are built at 05:30/);
  });

  test("the DfE dashboard has Friday's figures for every school, plausible ones", async () => {
    const days = await dailyFigures(server.handle.db, { kind: 'national' }, '2026-11-16', '2026-11-30');
    const friday = days.at(-1);
    assert.equal(friday?.date, '2026-11-27');
    assert.ok(friday.schools > 700, `${friday.schools} schools`);
    assert.ok(friday.attendanceRate! >= 0.92 && friday.attendanceRate! <= 0.95, `${friday.attendanceRate}`);
    assert.ok(
      friday.unauthorisedRate! >= 0.01 && friday.unauthorisedRate! <= 0.03,
      `${friday.unauthorisedRate}`,
    );
    assert.match(said.join('\n'), /12 of 12 schools' sends accepted/);
  });

  /**
   * Stamps of setting up that the database's own clock takes as the seeding runs (an account, a
   * gateway account, a source, a receiver's settings): at a real start they are the start itself.
   */
  const SET_UP = new Set([
    'la.attendance_source.updated_at',
    'la.source.created_at',
    'la.source.updated_at',
    'la.source_audit.changed_at',
    'platform.account.created_at',
    'regulator.gateway_account.created_at',
    'regulator.gateway_account_change.changed_at',
    'regulator.gateway_authorisation.created_at',
    'regulator.gateway_certificate.added_at',
    // The synthetic register as loaded (a status change's own stamp, changed_at, is checked).
    'regulator.registration.updated_at',
    'school.receiver_settings.updated_at',
    'school.school.created_at',
    'school.staff.added_at',
  ]);

  test('nothing that happened is stamped after the clock', async () => {
    const columns = await sql<{ table_schema: string; table_name: string; column_name: string }>`
      select table_schema, table_name, column_name from information_schema.columns
      where table_schema in ('platform', 'regulator', 'la', 'school', 'dfe')
        and data_type like 'timestamp%'
        and table_name not in (select table_name from information_schema.views)
      order by 1, 2, 3`.execute(server.handle.db);
    assert.ok(columns.rows.length > 20);
    const later: string[] = [];
    for (const { table_schema, table_name, column_name } of columns.rows) {
      const name = `${table_schema}.${table_name}.${column_name}`;
      // Leases and a certificate's expiry are meant to be later.
      if (SET_UP.has(name) || /_until$|^not_after$/.test(column_name)) continue;
      const column = sql.ref(column_name);
      const table = sql.table(`${table_schema}.${table_name}`);
      const { rows } = await sql<{ latest: Date | null }>`
        select max(${column}) as latest from ${table}`.execute(server.handle.db);
      const latest = rows[0]?.latest;
      if (latest && new Date(latest) > START) later.push(`${name} ${new Date(latest).toISOString()}`);
    }
    assert.deepEqual(later, []);
  });

  test('consent is given before the data it covers', async () => {
    const db = server.handle.db;
    const school = await sql<{ urn: number }>`
      select c.urn from school.consent c
      where c.given_at > (select min(m.recorded_at) from school.mark m where m.urn = c.urn)`.execute(db);
    assert.deepEqual(school.rows, [], 'school consent before its first mark');
    const dfe = await sql<{ urn: number }>`
      select c.urn from dfe.consent c
      where c.given_at > (select min(s.received_at) from dfe.submission s where s.urn = c.urn)`.execute(db);
    assert.deepEqual(dfe.rows, [], 'DfE consent before the first submission');
  });
});
