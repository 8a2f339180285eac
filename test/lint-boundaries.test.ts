/**
 * The boundaries between platform, contracts and roles (docs/architecture.md, Layout): the lint
 * rule refuses an import across them, and no role's SQL names another role's tables.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import ts from 'typescript';
import { sql } from 'kysely';
import { openDatabase } from '../src/platform/db/database.ts';
import { migrateEdgate, ROLE_MODULES } from '../src/edgate.ts';

const root = path.resolve(import.meta.dirname, '..');

describe('the boundaries lint rule (eslint/boundaries.js)', () => {
  let eslint: ESLint;
  before(() => {
    eslint = new ESLint({ cwd: root });
  });

  /** The boundary problems ESLint finds in `source` as if it were the file at `file`. */
  const refusals = async (file: string, source: string) => {
    const [result] = await eslint.lintText(source, { filePath: path.join(root, file) });
    return result!.messages.filter((m) => m.ruleId === 'edgate/boundaries').map((m) => m.message);
  };

  test('a role importing another role is refused, however it imports', async () => {
    const found = await refusals(
      'src/dfe/collection/fixture.ts',
      [
        "import { loadRegistration } from '../../regulator/register/register-store.ts';",
        "export * from '../../la/la-module.ts';",
        "export type { SchoolCalendar } from '../../school/school-calendar.ts';",
        "export const later = () => import('../../regulator/regulator-module.ts');",
        'export const use = loadRegistration;',
      ].join('\n'),
    );
    assert.equal(found.length, 4, found.join('\n'));
    assert.match(
      found[0]!,
      /'\.\.\/\.\.\/regulator\/register\/register-store\.ts' refused: a role never imports another role \(regulator\)/,
    );
    assert.match(found[1]!, /another role \(la\)/);
    assert.match(found[2]!, /another role \(school\)/);
    assert.match(found[3]!, /another role \(regulator\)/);
  });

  test('the platform importing a role, a contract or the composition root is refused', async () => {
    const found = await refusals(
      'src/platform/http/fixture.ts',
      [
        "import { dfeModule } from '../../dfe/dfe-module.ts';",
        "import { ATTENDANCE_CODES } from '../../contracts/attendance/attendance-codes.ts';",
        "import { ROLE_MODULES } from '../../edgate.ts';",
        'export const all = [dfeModule, ATTENDANCE_CODES, ROLE_MODULES];',
      ].join('\n'),
    );
    assert.equal(found.length, 3, found.join('\n'));
    for (const message of found) assert.match(message, /src\/platform imports nothing outside src\/platform/);
  });

  test('a contract importing another contract or a role is refused; the platform is allowed', async () => {
    const found = await refusals(
      'src/contracts/attendance/fixture.ts',
      [
        "import { isCalendarDate } from '../../platform/calendar.ts';",
        "import { FIELDS } from '../childcare-extract/fields.ts';",
        "import { dfeModule } from '../../dfe/dfe-module.ts';",
        "import { pupilYearGroups } from './nc-year-groups.ts';",
        'export const all = [isCalendarDate, FIELDS, dfeModule, pupilYearGroups];',
      ].join('\n'),
    );
    assert.equal(found.length, 2, found.join('\n'));
    assert.match(found[0]!, /'\.\.\/childcare-extract\/fields\.ts' refused: a contract imports only/);
    assert.match(found[1]!, /'\.\.\/\.\.\/dfe\/dfe-module\.ts' refused/);
  });

  test('a role importing itself, the platform and the contracts passes', async () => {
    const found = await refusals(
      'src/dfe/collection/fixture.ts',
      [
        "import { randomUUID } from 'node:crypto';",
        "import { Type } from 'typebox';",
        "import { isCalendarDate } from '../../platform/calendar.ts';",
        "import { parseCommand } from '../../platform/cli/command.ts';",
        "import { pupilYearGroups } from '../../contracts/attendance/nc-year-groups.ts';",
        "import { readCleanSubmission } from './clean-submission.ts';",
        "import { dfeModule } from '../dfe-module.ts';",
        'export const all = [randomUUID, Type, isCalendarDate, parseCommand, pupilYearGroups, readCleanSubmission, dfeModule];',
      ].join('\n'),
    );
    assert.deepEqual(found, []);
  });

  test("the platform's own folders pass, though one of them is called cli", async () => {
    assert.deepEqual(
      await refusals(
        'src/platform/auth/fixture.ts',
        "import { parseCommand } from '../cli/command.ts';\nexport const p = parseCommand;",
      ),
      [],
    );
  });

  test("a role's tests may use the shared test helpers and the composition root; its code may not", async () => {
    const source = [
      "import { openTestDatabase } from '../../../test/support/test-database.ts';",
      "import { ROLE_MODULES } from '../../edgate.ts';",
      'export const all = [openTestDatabase, ROLE_MODULES];',
    ].join('\n');
    assert.deepEqual(await refusals('src/dfe/collection/fixture.db.test.ts', source), []);
    assert.equal((await refusals('src/dfe/collection/fixture.ts', source)).length, 2);
  });

  test('the composition root may import every role', async () => {
    const found = await refusals(
      'src/cli/fixture.ts',
      [
        "import { regulatorModule } from '../regulator/regulator-module.ts';",
        "import { dfeModule } from '../dfe/dfe-module.ts';",
        'export const all = [regulatorModule, dfeModule];',
      ].join('\n'),
    );
    assert.deepEqual(found, []);
  });
});

/** Every `.ts` file under a folder of src/. */
function sourceFiles(folder: string): string[] {
  return readdirSync(path.join(root, 'src', folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => path.join('src', folder, file));
}

const literalsOfFile = new Map<string, string[]>();

/** The text of every string and template literal in a file: where table names are written. */
function literalTexts(file: string): string[] {
  const known = literalsOfFile.get(file);
  if (known) return known;
  const source = ts.createSourceFile(
    file,
    readFileSync(path.join(root, file), 'utf8'),
    ts.ScriptTarget.Latest,
  );
  const texts: string[] = [];
  const visit = (node: ts.Node) => {
    if (
      ts.isStringLiteral(node) ||
      ts.isNoSubstitutionTemplateLiteral(node) ||
      ts.isTemplateHead(node) ||
      ts.isTemplateMiddle(node) ||
      ts.isTemplateTail(node)
    )
      texts.push(node.text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  literalsOfFile.set(file, texts);
  return texts;
}

describe("a role's SQL names only its own tables", () => {
  /** `schema.table` for every table each role's migrations create. */
  let tablesOf: Map<string, string[]>;
  before(async () => {
    const handle = await openDatabase({});
    try {
      await migrateEdgate(handle.db);
      const { rows } = await sql<{ table_schema: string; table_name: string }>`
        select table_schema, table_name from information_schema.tables
        where table_schema = any(${ROLE_MODULES.map((m) => m.schema)})`.execute(handle.db);
      tablesOf = new Map(ROLE_MODULES.map((m) => [m.schema, []]));
      for (const row of rows) tablesOf.get(row.table_schema)!.push(row.table_name);
    } finally {
      await handle.close();
    }
  });

  /** Where the files of `folder` name a table of one of `schemas`, as `file: schema.table`. */
  const namings = (folder: string, schemas: string[]) => {
    const pattern = new RegExp(`(?<![\\w.])"?(${schemas.join('|')})"?\\."?(\\w+)\\b`, 'g');
    const found: string[] = [];
    for (const file of sourceFiles(folder))
      for (const text of literalTexts(file))
        for (const [, schema, table] of text.matchAll(pattern))
          if (tablesOf.get(schema!)?.includes(table!)) found.push(`${file}: ${schema}.${table}`);
    return found;
  };

  test('the roles have tables to look for', () => {
    assert.ok(tablesOf.get('regulator')!.includes('registration'));
    assert.ok(tablesOf.get('dfe')!.includes('school'));
  });

  for (const module of ROLE_MODULES) {
    test(`src/${module.name} names no other role's table`, () => {
      const others = ROLE_MODULES.filter((m) => m !== module).map((m) => m.schema);
      assert.deepEqual(namings(module.name, others), []);
    });
  }

  test('the platform and the contracts name no role table', () => {
    const schemas = ROLE_MODULES.map((m) => m.schema);
    assert.deepEqual([...namings('platform', schemas), ...namings('contracts', schemas)], []);
  });

  test('the scan finds a table named in a query', () => {
    // The scan itself, on the regulator's own code: it names its tables in both ways.
    const own = namings('regulator', ['regulator']);
    assert.ok(
      own.some((naming) => naming.endsWith('regulator.registration')),
      own.slice(0, 5).join('\n'),
    );
  });
});
