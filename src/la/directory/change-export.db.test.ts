/**
 * Changes since a date as files an officer takes away: `edgate la changes --since D [--format
 * csv|json] [--la CODE]` and the review page's downloads (`…/review/changes.csv|json`). Each change
 * with its kind, reference, field, old and new values and decided state; a cell a spreadsheet
 * would run is neutralised; an officer gets their own LA's changes only.
 */
import { after, before, describe, test } from 'node:test';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import {
  nursery,
  signIn,
  startLaApp,
  storeTestSnapshot,
  type LaTestApp,
} from '../../../test/support/la-directory.ts';
import { UsageError } from '../../platform/cli/command.ts';
import type { CommandContext } from '../../platform/role.ts';
import { laModule } from '../la-module.ts';
import { takeInSnapshot } from './take-in.ts';
import { acceptChange, bulkAccept, pendingChanges, rejectChange } from './directory-store.ts';

const DAY_1 = new Date('2026-11-30T06:00:00Z');
const DAY_2 = new Date('2026-12-01T06:00:00Z');

describe('exports of the changes found', () => {
  let server: LaTestApp;
  let out: string;
  let err: string[];
  const dir = mkdtempSync(path.join(tmpdir(), 'edgate-la-export-'));

  before(async () => {
    server = await startLaApp({ now: () => DAY_2 });
    const db = server.handle.db;
    for (const la of ['825', '826']) {
      const day1 = await storeTestSnapshot(db, la, '2026-11-30T05:30:00', [
        nursery(`EY${la}001`, la),
        nursery(`EY${la}002`, la),
      ]);
      await takeInSnapshot(db, day1, { now: DAY_1, by: 'collector' });
      await bulkAccept(db, { laCode: la }, 'setting up', DAY_1);
      const day2 = await storeTestSnapshot(db, la, '2026-12-01T05:30:00', [
        nursery(`EY${la}001`, la, `=HYPERLINK("http://evil.example","Nursery")`),
        { ...nursery(`EY${la}002`, la), status: 'SUSP' },
        nursery(`EY${la}003`, la, '+Plus Nursery, Aylesbury'),
      ]);
      await takeInSnapshot(db, day2, { now: DAY_2, by: 'collector' });
    }
    const [renamed, suspended] = (await pendingChanges(db, { laCode: '825' })).changes;
    await acceptChange(db, { laCode: '825', id: renamed!.id, by: 'Olu Officer', now: DAY_2 });
    await rejectChange(db, {
      laCode: '825',
      id: suspended!.id,
      by: 'Olu Officer',
      now: DAY_2,
      reason: 'Checking',
    });
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function la(...args: string[]): Promise<number> {
    out = '';
    err = [];
    const context: CommandContext<unknown> = {
      config: {} as CommandContext['config'],
      settings: undefined,
      withDatabase: (fn) => fn(server.handle),
      secretBox: () => {
        throw new Error('not needed');
      },
    };
    // Into a file: the test runner itself reports through stdout, so stdout cannot be captured.
    const file = path.join(dir, 'changes.out');
    rmSync(file, { force: true });
    const error = console.error;
    console.error = (...a: unknown[]) => void err.push(a.join(' '));
    try {
      const code = await laModule.commands![0]!.run(
        args.includes('--since') ? [...args, '--output', file] : args,
        context as never,
      );
      if (existsSync(file)) out = readFileSync(file, 'utf8');
      return code;
    } finally {
      console.error = error;
    }
  }

  const csvRows = (csv: string) => csv.trimEnd().split('\r\n');

  test('edgate la changes --since as CSV: one line per field, decided states, formulas neutralised', async () => {
    assert.equal(await la('changes', '--since', '2026-12-01', '--la', '825'), 0);
    const rows = csvRows(out);
    assert.match(rows[0]!, /^Change,LA,Reference number,Kind,Field,Old value,New value,Decided state/);
    const body = rows.slice(1);
    assert.equal(body.length, 3, out);
    assert.match(
      body.find((r) => r.includes('EY825001'))!,
      /,EY825001,changed,Setting name,Nursery EY825001,"'=HYPERLINK\(""http:\/\/evil.example"",""Nursery""\)",accepted,Olu Officer,/,
    );
    assert.match(
      body.find((r) => r.includes('EY825002'))!,
      /,status-changed,Status,ACTV,SUSP,rejected,Olu Officer,.*,Checking,/,
    );
    assert.match(
      body.find((r) => r.includes('EY825003'))!,
      /,EY825003,new,,,,pending,/,
    );
    assert.ok(!body.some((r) => /(^|,)[=+\-@]/.test(r)), 'no cell starts a formula');
    assert.ok(!out.includes('EY826'), 'only the LA asked for');
    assert.match(err.join('\n'), /3 changes written to /);

    // All LAs, and a date before the first take-in: day 1's new registrations too.
    assert.equal(await la('changes', '--since', '2026-11-30'), 0);
    assert.equal(csvRows(out).length - 1, 2 * (2 + 3));
  });

  test('edgate la changes --since --format json keeps the values as they are', async () => {
    assert.equal(await la('changes', '--since', '2026-12-01', '--format', 'json', '--la', '825'), 0);
    const parsed = JSON.parse(out) as {
      since: string;
      changes: {
        referenceNumber: string;
        kind: string;
        state: string;
        fields: { field: string; new: unknown }[];
      }[];
    };
    assert.equal(parsed.since, '2026-12-01');
    assert.deepEqual(
      parsed.changes.map((c) => [c.referenceNumber, c.kind, c.state]),
      [
        ['EY825001', 'changed', 'accepted'],
        ['EY825002', 'status-changed', 'rejected'],
        ['EY825003', 'new', 'pending'],
      ],
    );
    assert.equal(parsed.changes[0]!.fields[0]!.new, '=HYPERLINK("http://evil.example","Nursery")');
  });

  test('plain-words refusals of a wrong date or format', async () => {
    await assert.rejects(la('changes', '--since', '1 December'), /give a date as YYYY-MM-DD/);
    await assert.rejects(la('changes', '--since', '2026-02-30'), UsageError);
    await assert.rejects(la('changes', '--since', '2026-12-01', '--format', 'xlsx'), /choose csv or json/);
    await assert.rejects(la('changes', '--format', 'csv'), /goes with --since/);
  });

  test('the review page downloads the same files, for the officer’s own LA only', async () => {
    const officer = await signIn(server.app, 'officer-825');
    const page = await officer.get('/la/825/review');
    assert.match(page.body, /Download CSV/);
    const csv = await officer.get('/la/825/review/changes.csv?since=2026-12-01');
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers['content-type']), /^text\/csv/);
    assert.match(
      String(csv.headers['content-disposition']),
      /attachment; filename="edgate-la-825-changes-since-2026-12-01.csv"/,
    );
    assert.equal(csv.body, (await la('changes', '--since', '2026-12-01', '--la', '825'), out));
    const json = await officer.get('/la/825/review/changes.json?since=2026-12-01');
    assert.equal(json.statusCode, 200);
    assert.equal(json.json<{ changes: unknown[] }>().changes.length, 3);

    const other = await officer.get('/la/826/review/changes.csv?since=2026-12-01');
    assert.equal(other.statusCode, 404);
    assert.ok(!other.body.includes('EY826'));
    const bad = await officer.get('/la/825/review/changes.csv?since=yesterday');
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /Changes found since must be a real date/);
    const anonymous = await server.app.inject({
      method: 'GET',
      url: '/la/825/review/changes.csv?since=2026-12-01',
    });
    assert.notEqual(anonymous.statusCode, 200);
  });

  test('the download date is a GOV.UK date input: day, month, year, its error on the part that is wrong', async () => {
    const officer = await signIn(server.app, 'officer-825');
    const page = await officer.get('/la/825/review');
    assert.match(page.body, /name="since-day"/);
    assert.match(page.body, /name="since-month"/);
    assert.match(page.body, /name="since-year"/);
    assert.doesNotMatch(page.body, /YYYY-MM-DD/);
    const csv = await officer.get('/la/825/review/changes.csv?since-day=1&since-month=12&since-year=2026');
    assert.equal(csv.statusCode, 200);
    assert.equal(csv.body, (await la('changes', '--since', '2026-12-01', '--la', '825'), out));
    const noMonth = await officer.get('/la/825/review/changes.csv?since-day=1&since-month=&since-year=2026');
    assert.equal(noMonth.statusCode, 400);
    assert.match(noMonth.body, /href="#since-month">Changes found since must include a month/);
    assert.match(noMonth.body, /govuk-input--error" id="since-month"/);
    assert.doesNotMatch(noMonth.body, /govuk-input--error" id="since-day"/);
  });
});
