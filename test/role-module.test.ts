/**
 * Adding a role is one folder plus one line in the composition root: a fifth role, defined here,
 * joins the four with `[...ROLE_MODULES, fake]` and gets its schema, its route, its command, its
 * account role and its settings without any other file knowing it.
 */
import { after, before, describe, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { Type } from 'typebox';
import { defineRole } from '../src/platform/role.ts';
import { AccountError, createAccount } from '../src/platform/auth/accounts.ts';
import { SecretBox } from '../src/platform/auth/secret-box.ts';
import { ConfigError } from '../src/platform/settings.ts';
import { typed } from '../src/platform/http/typed-routes.ts';
import { accountRolesOf, loadSettings, migrateEdgate, ROLE_MODULES } from '../src/edgate.ts';
import { exitCodeOf, runCli } from '../src/cli/run.ts';
import { assembleServer } from '../src/cli/serve.ts';
import { openTestDatabase, type TestDatabase } from './support/test-database.ts';

// What a role's module file declares for its account roles (src/regulator/regulator-module.ts).
declare module '../src/platform/auth/accounts.ts' {
  interface AccountRoleNames {
    'fake-clerk': true;
  }
}

class FakeRefusal extends Error {}

interface FakeSettings {
  visitsPerDay: number;
}

/** Everything the fifth role is: what its folder's module file would export. */
const fakeModule = defineRole<FakeSettings>({
  name: 'fake',
  title: 'Fake: a fifth role, to show what adding one takes',
  schema: 'fake',
  migrations: {
    '0001_visit': {
      async up(db) {
        await sql`create table fake.visit (id serial primary key, visitor text not null)`.execute(db);
      },
    },
  },
  accountRoles: [{ name: 'fake-clerk', description: 'counts the visits' }],
  settings: (read) => ({ visitsPerDay: read.integer('FAKE_VISITS_PER_DAY', 10, 1, 100) }),
  async plugin(app, { handle: { db }, settings }) {
    typed(app).get(
      '/fake/visits/:visitor',
      {
        schema: {
          tags: ['fake'],
          params: Type.Object({ visitor: Type.String({ pattern: '^[a-z]+$' }) }),
        },
      },
      async (request) => {
        await sql`insert into fake.visit (visitor) values (${request.params.visitor})`.execute(db);
        const { rows } = await sql<{ n: number }>`select count(*)::int as n from fake.visit`.execute(db);
        return { visitor: request.params.visitor, visits: rows[0]!.n, allowed: settings.visitsPerDay };
      },
    );
  },
  commands: [
    {
      name: 'fake-cmd',
      usage: '  edgate fake-cmd NAME                greets NAME (the fake role)',
      async run(args, { settings }) {
        if (args[0] === 'nobody') throw new FakeRefusal('Nobody to greet: give a name');
        console.log(`Hello ${args[0]}, ${settings.visitsPerDay} visits a day.`);
        return 0;
      },
    },
  ],
  plainErrors: [FakeRefusal],
});

const MODULES = [...ROLE_MODULES, fakeModule];

/** What `fn` writes with console.log and console.error, and what it returns. */
async function printed<T>(fn: () => Promise<T>): Promise<{ value: T; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = mock.method(console, 'log', (...args: unknown[]) => void out.push(args.join(' ')));
  const error = mock.method(console, 'error', (...args: unknown[]) => void err.push(args.join(' ')));
  try {
    return { value: await fn(), out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mock.restore();
    error.mock.restore();
  }
}

describe('a fifth role, added by one line', () => {
  let database: TestDatabase;
  before(async () => {
    database = await openTestDatabase();
  });
  after(() => database.close());

  test('migrating creates its schema and table, after the four roles', async () => {
    const reports = await migrateEdgate(database.db, MODULES);
    assert.deepEqual(
      reports.map((r) => r.schema),
      ['platform', 'regulator', 'la', 'school', 'dfe', 'fake'],
    );
    assert.deepEqual(reports.at(-1)!.applied, ['0001_visit']);
    assert.deepEqual((await migrateEdgate(database.db, MODULES)).at(-1)!.applied, []);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from fake.visit`.execute(database.db);
    assert.equal(rows[0]!.n, 0);
  });

  test('the server answers its route, with its settings and its table', async () => {
    const settings = loadSettings({ FAKE_VISITS_PER_DAY: '3', LOG_LEVEL: 'silent' }, MODULES);
    const app = await assembleServer({
      settings,
      roles: ['fake'],
      modules: MODULES,
      handle: database,
      secretBox: new SecretBox(randomBytes(32)),
    });
    try {
      const visit = await app.inject({ method: 'GET', url: '/fake/visits/ada' });
      assert.equal(visit.statusCode, 200);
      assert.deepEqual(visit.json(), { visitor: 'ada', visits: 1, allowed: 3 });
      // Its schema is the route's contract: a visitor who is not lower-case letters is refused.
      assert.equal((await app.inject({ method: 'GET', url: '/fake/visits/ADA1' })).statusCode, 400);
      // Served only when asked for: the regulator's pages are not there.
      assert.equal((await app.inject({ method: 'GET', url: '/regulator/registrations' })).statusCode, 404);
    } finally {
      await app.close();
    }
  });

  test('its account role can be given, and only with the role in the list', async () => {
    const input = {
      username: 'clerk',
      displayName: 'Clara Clerk',
      password: 'a long enough password',
      roles: ['fake-clerk'],
    };
    await assert.rejects(createAccount(database.db, input, accountRolesOf(ROLE_MODULES)), AccountError);
    const account = await createAccount(database.db, input, accountRolesOf(MODULES));
    assert.deepEqual(account.roles, ['fake-clerk']);
  });

  test('edgate runs its command, lists it in help, and reports its refusal in plain words', async () => {
    const saved = process.env.FAKE_VISITS_PER_DAY;
    process.env.FAKE_VISITS_PER_DAY = '7';
    try {
      const ran = await printed(() => runCli(['fake-cmd', 'Ada'], MODULES));
      assert.equal(ran.value, 0);
      assert.equal(ran.out, 'Hello Ada, 7 visits a day.');

      const help = await printed(() => runCli(['help'], MODULES));
      assert.equal(help.value, 0);
      assert.match(help.out, /edgate fake-cmd NAME +greets NAME \(the fake role\)/);
      assert.match(help.out, /run the given roles: regulator, la, school, dfe, fake or all/);
      assert.match(help.out, /Roles: admin, caseworker, la-officer, school-user, dfe-analyst, fake-clerk;/);

      const refused = await printed(async () => {
        const error = await runCli(['fake-cmd', 'nobody'], MODULES).then(
          () => assert.fail('the command should refuse'),
          (e: unknown) => e,
        );
        return exitCodeOf(error, MODULES);
      });
      assert.equal(refused.value, 2);
      assert.equal(refused.err, 'Nobody to greet: give a name');
    } finally {
      if (saved === undefined) delete process.env.FAKE_VISITS_PER_DAY;
      else process.env.FAKE_VISITS_PER_DAY = saved;
    }
  });

  test('a bad setting of its own is reported with everyone else’s', () => {
    assert.throws(
      () => loadSettings({ FAKE_VISITS_PER_DAY: 'lots', PORT: 'eighty' }, MODULES),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.problems.some((p) => p.startsWith('FAKE_VISITS_PER_DAY="lots" must be a whole number')) &&
        error.problems.some((p) => p.startsWith('PORT="eighty"')),
    );
  });
});
