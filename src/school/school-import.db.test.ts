import { after, afterEach, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openTestDatabase, type TestDatabase } from '../../test/support/test-database.ts';
import type { CommandContext } from '../platform/role.ts';
import type { SecretBox } from '../platform/auth/secret-box.ts';
import type { Config } from '../platform/config.ts';
import { UsageError } from '../platform/cli/command.ts';
import { writeSchoolCsvs } from './school-csv.ts';
import { generateSchool } from './synthetic-school.ts';
import { replaceSchoolData, staffMember } from './school-data.ts';
import { SCHOOL_COMMANDS } from './school-cli.ts';

let database: TestDatabase;
let dir: string;
before(async () => {
  database = await openTestDatabase();
});
after(async () => {
  await database.close();
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'edgate-school-import-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const context: CommandContext = {
  config: {} as Config,
  settings: undefined,
  withDatabase: (fn) => fn(database),
  secretBox: () => ({}) as SecretBox,
};

async function edgateSchool(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  console.log = (...parts: unknown[]) => void out.push(parts.join(' '));
  console.error = (...parts: unknown[]) => void err.push(parts.join(' '));
  try {
    const code = await SCHOOL_COMMANDS[0]!.run(args, context);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    console.log = log;
    console.error = error;
  }
}

const school = generateSchool({
  seed: 3,
  phase: 'primary',
  pupils: 60,
  today: '2026-11-25',
  marksFrom: '2026-11-16',
  urn: 654321,
});

async function counts(urn: number) {
  return (
    await sql<{ pupils: number; marks: number; changes: number; terms: number }>`
      select (select count(*)::integer from school.pupil where urn = ${urn}) as pupils,
             (select count(*)::integer from school.mark where urn = ${urn}) as marks,
             (select count(*)::integer from school.mark_change where urn = ${urn}) as changes,
             (select count(*)::integer from school.term where urn = ${urn}) as terms`.execute(database.db)
  ).rows[0]!;
}

function writeFiles(files: ReturnType<typeof writeSchoolCsvs>): void {
  for (const f of Object.values(files)) writeFileSync(join(dir, f.file), f.text);
}

test('edgate school import loads a new school from the four files of a folder', async () => {
  writeFiles(writeSchoolCsvs(school));
  const run = await edgateSchool(
    'import',
    '--urn',
    '654321',
    '--name',
    'Test Primary',
    '--la',
    '202',
    '--phase',
    'primary',
    dir,
  );
  assert.equal(run.code, 0, run.err);
  assert.match(run.out, new RegExp(`Imported Test Primary \\(URN 654321\\): ${school.pupils.length} pupils`));
  const after = await counts(654321);
  assert.equal(after.pupils, school.pupils.length);
  assert.equal(after.marks, school.marks.length);
  assert.equal(after.terms, 6);
  // Importing again replaces, never adds.
  const again = await edgateSchool('import', '--urn', '654321', dir);
  assert.equal(again.code, 0, again.err);
  assert.deepEqual(await counts(654321), after);
});

test('an import with one bad line names the file and line and changes nothing', async () => {
  const before = await counts(654321);
  assert.ok(before.marks > 0);
  const files = writeSchoolCsvs(school);
  const lines = files.marks.text.split('\r\n');
  // Line 5 of marks.csv gets a code that does not exist.
  lines[4] = lines[4]!.replace(/,([^,]*),([^,]*),([^,]*),([^,]*)$/, ',Z9,$2,$3,$4');
  files.marks.text = lines.join('\r\n');
  writeFiles(files);
  const run = await edgateSchool('import', '--urn', '654321', dir);
  assert.equal(run.code, 2);
  assert.match(run.err, /Nothing was imported/);
  assert.match(run.err, /marks\.csv:5: code: not an attendance code: "Z9"/);
  assert.deepEqual(await counts(654321), before);
});

test('a write that fails half-way leaves the school as it was', async () => {
  const before = await counts(654321);
  // A mark the table refuses (no such session) fails at the marks, after pupils were already replaced.
  const broken = {
    ...school,
    marks: [
      ...school.marks,
      { pupilId: 'P00001', date: '2026-11-16', session: 'XX' as 'AM', code: '/', history: [] },
    ],
  };
  await assert.rejects(replaceSchoolData(database.db, school.school, broken));
  assert.deepEqual(await counts(654321), before);
});

test('import refuses a folder without the four files in plain words', async () => {
  writeFileSync(join(dir, 'pupils.csv'), 'pupil_id\n');
  await assert.rejects(edgateSchool('import', '--urn', '654321', dir), (error: Error) => {
    assert.ok(error instanceof UsageError);
    assert.match(error.message, /Missing enrolments\.csv, marks\.csv, calendar\.csv/);
    return true;
  });
});

test('edgate school staff add creates a school-user account, then links and updates it', async () => {
  const first = await edgateSchool(
    'staff',
    'add',
    '--username',
    'Head',
    '--urn',
    '654321',
    '--permission',
    'data-returns-administer',
  );
  assert.equal(first.code, 0);
  assert.match(first.out, /head is staff of .* permissions: Data Returns: Administer/);
  assert.match(first.out, /password \(shown once\): \S{12,}/);
  const again = await edgateSchool(
    'staff',
    'add',
    '--username',
    'head',
    '--urn',
    '654321',
    '--permission',
    'data-returns-administer',
    '--permission',
    'attendance-take',
  );
  assert.match(again.out, /Linked the existing account/);
  assert.deepEqual((await staffMember(database.db, 'head'))?.permissions, [
    'attendance-take',
    'data-returns-administer',
  ]);
  const account = await database.db
    .selectFrom('platform.account')
    .select('roles')
    .where('username', '=', 'head')
    .executeTakeFirstOrThrow();
  assert.deepEqual(account.roles, ['school-user']);
  await assert.rejects(
    edgateSchool('staff', 'add', '--username', 'head', '--urn', '654321', '--permission', 'everything'),
    /"everything" is not a school permission/,
  );
});
