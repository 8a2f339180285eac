/**
 * The edgate command as an operator uses it: real database, exit codes and messages. Commands
 * run in this process through runCli as bin/edgate.js runs them; real processes where the process
 * is the point (the binary's exit code, serving until SIGTERM, a run killed half-way).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { request } from 'node:https';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDatabase, type DatabaseHandle } from '../src/platform/db/database.ts';
import { authenticate } from '../src/platform/auth/accounts.ts';
import { referencePath } from '../src/platform/reference.ts';
import { openTestDatabase, testEngine, type TestDatabase } from './support/test-database.ts';
import { freePort } from './support/postgres-cluster.ts';
import { makeTestCertificate } from '../src/regulator/gateway/test-signing.ts';
import { accountByApiKey, credentialsOf } from '../src/regulator/gateway/gateway-store.ts';
import { loadSecretBox } from '../src/platform/auth/secret-key.ts';
import { exitCodeOf, runCli } from '../src/cli/run.ts';
import { inspect } from 'node:util';

const root = path.resolve(import.meta.dirname, '..');
const SAMPLE = readFileSync(referencePath('ispp-contract/sample-extract-synthetic.xml'), 'utf8').replace(
  /(<Registration>[\s\S]*?<\/Registration>\s*<Registration>\s*<ReferenceNumber>)EY12345/,
  '$1EY12346',
);

describe('the edgate command', () => {
  let dir: string;
  let env: Record<string, string>;
  let pgDatabase: TestDatabase | undefined;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'edgate-cli-'));
    env = { EDGATE_DATA_DIR: path.join(dir, 'data'), LOG_LEVEL: 'silent' };
    if (testEngine() === 'postgres') {
      pgDatabase = await openTestDatabase();
      env.DATABASE_URL = pgDatabase.url!;
    }
  });
  after(async () => {
    await pgDatabase?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The real `edgate` process: its exit code and output as an operator's shell sees them. */
  const edgateProcess = (args: string[], extraEnv: Record<string, string> = {}) => {
    const { DATABASE_URL: _ignored, ...base } = process.env;
    const result = spawnSync(process.execPath, ['bin/edgate.js', ...args], {
      cwd: root,
      env: { ...base, ...env, ...extraEnv },
      encoding: 'utf8',
      timeout: 120_000,
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };

  /**
   * A command run in this process as bin/edgate.js runs it (src/cli/main.ts: runCli, then
   * exitCodeOf for a failure), with its environment and its printed lines captured: a process
   * per command cost each one Node, tsx and PGlite's start-up again.
   */
  const edgate = async (args: string[], extraEnv: Record<string, string> = {}) => {
    const given: Record<string, string | undefined> = { DATABASE_URL: undefined, ...env, ...extraEnv };
    const saved = Object.fromEntries(Object.keys(given).map((name) => [name, process.env[name]]));
    const setEnv = (values: Record<string, string | undefined>) => {
      for (const [name, value] of Object.entries(values)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    };
    const printed = { stdout: '', stderr: '' };
    const print =
      (to: 'stdout' | 'stderr') =>
      (...values: unknown[]) => {
        printed[to] += `${values.map((v) => (typeof v === 'string' ? v : inspect(v))).join(' ')}\n`;
      };
    const { log, error } = console;
    setEnv(given);
    console.log = print('stdout');
    console.error = print('stderr');
    let code: number;
    try {
      code = await runCli(args).catch((failure: unknown) => exitCodeOf(failure));
    } finally {
      console.log = log;
      console.error = error;
      setEnv(saved);
    }
    return { code, ...printed };
  };

  /** Opens the database the command used, after it has exited (PGlite allows one process at a time). */
  const withDatabase = async <T>(fn: (handle: DatabaseHandle) => Promise<T>): Promise<T> => {
    const handle = pgDatabase ?? (await openDatabase({ dataDir: path.join(env.EDGATE_DATA_DIR!, 'pglite') }));
    try {
      return await fn(handle);
    } finally {
      if (!pgDatabase) await handle.close();
    }
  };
  const registrations = () =>
    withDatabase(
      async ({ db }) =>
        (
          await db
            .selectFrom('regulator.registration')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
    );

  test('a bad configuration value stops it with a message naming the variable, before touching anything', async () => {
    const result = edgateProcess(['migrate'], { PORT: 'abc', LOG_LEVEL: 'chatty' });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /PORT="abc" must be a whole number/);
    assert.match(result.stderr, /LOG_LEVEL="chatty" is not one of/);
  });

  test('migrate creates the schemas, and says so', async () => {
    const result = await edgate(['migrate']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^regulator: (applied 0001_register, [\w, ]+|up to date)$/m);
  });

  test('register import: a good file loads; a bad one is refused naming file and line, nothing changed', async () => {
    const good = path.join(dir, 'good.xml');
    writeFileSync(good, SAMPLE);
    const ok = await edgate(['register', 'import', good]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /2 registrations imported \(2 new, 0 replaced\)/);

    const bad = path.join(dir, 'bad.csv');
    writeFileSync(bad, 'reference_number,la_code\nEY1,825\n');
    const refused = await edgate(['register', 'import', bad]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /Import refused, nothing was changed/);
    assert.match(refused.stderr, /bad\.csv:1: .*missing/i);
    assert.equal(await registrations(), 2);

    const usage = await edgate(['register', 'import']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /Usage: edgate register import FILE/);
  });

  test('user add creates an account that can sign in, printing a generated password once', async () => {
    const result = await edgate([
      'user',
      'add',
      '--username',
      'Jo.Case',
      '--name',
      'Jo Case',
      '--role',
      'caseworker',
    ]);
    assert.equal(result.code, 0, result.stderr);
    const password = /Password \(shown once\): (\S+)/.exec(result.stdout)?.[1];
    assert.ok(password);
    const account = await withDatabase(({ db }) => authenticate(db, 'jo.case', password));
    assert.deepEqual(account?.roles, ['caseworker']);

    const again = await edgate(['user', 'add', '--username', 'jo.case', '--role', 'caseworker']);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already exists/);
    const badRole = await edgate(['user', 'add', '--username', 'someone', '--role', 'wizard']);
    assert.equal(badRole.code, 2);
    assert.match(badRole.stderr, /Unknown role wizard/);
  });

  test('register generate loads the deterministic demo register', async () => {
    const result = await edgate([
      'register',
      'generate',
      '--scale',
      'demo',
      '--seed',
      '5',
      '--today',
      '2026-11-01',
    ]);
    assert.equal(result.code, 0, result.stderr);
    const added = Number(/: (\d+) new/.exec(result.stdout)?.[1]);
    assert.ok(added > 2500, result.stdout);
    assert.equal(await registrations(), added + 2);
    const wrong = await edgate(['register', 'generate', '--scale', 'galactic']);
    assert.equal(wrong.code, 2);
  });

  test('serve answers over HTTPS with its certificate, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const { DATABASE_URL: _ignored, ...base } = process.env;
    const child = spawn(process.execPath, ['bin/edgate.js', 'serve', 'regulator'], {
      cwd: root,
      env: { ...base, ...env, PORT: String(port), LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 60_000;
      while (!output.includes('Open https://') && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 200));
      assert.match(output, /Open https:\/\/127\.0\.0\.1:\d+\//);
      const ca = readFileSync(path.join(env.EDGATE_DATA_DIR!, 'tls', 'server.crt'), 'utf8');
      const status = await new Promise<number>((resolve, reject) => {
        request(`https://127.0.0.1:${port}/readyz`, { ca }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
          .on('error', reject)
          .end();
      });
      assert.equal(status, 200);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, output);
  });

  test('extract run builds the day’s extracts; list, show and export report and write them', async () => {
    const run = await edgate(['extract', 'run', '--date', '2026-11-02', '--la', '825', '--la', '201']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Extracts for 2026-11-02: 2 built/);
    const again = await edgate(['extract', 'run', '--date', '2026-11-02', '--la', '825']);
    assert.match(again.stdout, /0 built .* 1 already done/);

    const list = await edgate(['extract', 'list', '--date', '2026-11-02']);
    assert.match(list.stdout, /^201 +ready +City of London/m);
    assert.match(list.stdout, /^825 +ready +Buckinghamshire/m);
    const show = await edgate(['extract', 'show', '825', '--date', '2026-11-02']);
    assert.match(show.stdout, /sha256 +[0-9a-f]{64}/);

    const out = path.join(dir, '825.xml');
    const exported = await edgate(['extract', 'export', '825', '--date', '2026-11-02', '--out', out]);
    assert.equal(exported.code, 0, exported.stderr);
    const xml = readFileSync(out, 'utf8');
    assert.match(xml, /<LocalAuthorityCode>825<\/LocalAuthorityCode>/);
    assert.doesNotMatch(xml, /<LocalAuthorityCode>201</);

    const unknown = await edgate(['extract', 'run', '--la', '999']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /'999' is not the 3-digit code of a live local authority/);
    const missing = await edgate(['extract', 'export', '826', '--date', '2026-11-02']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /No ready extract for 826 on 2026-11-02/);
  });

  test(
    'a run killed half-way leaves no half extract visible, and a re-run finishes the rest',
    { skip: testEngine() === 'pglite' ? 'kills a process mid-write: PostgreSQL only' : false },
    async () => {
      const child = spawn(process.execPath, ['bin/edgate.js', 'extract', 'run', '--date', '2026-11-03'], {
        cwd: root,
        env: { ...process.env, ...env, EXTRACT_LEASE_SECONDS: '2' },
        stdio: 'ignore',
      });
      const exited = new Promise((resolve) => child.on('exit', resolve));
      const status = () =>
        withDatabase(async ({ db }) =>
          db
            .selectFrom('regulator.extract')
            .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
            .where('extract_date', '=', '2026-11-03')
            .groupBy('status')
            .execute(),
        );
      const deadline = Date.now() + 60_000;
      let ready = 0;
      while (ready < 5 && Date.now() < deadline) {
        ready = (await status()).find((r) => r.status === 'ready')?.n ?? 0;
        await new Promise((r) => setTimeout(r, 20));
      }
      child.kill('SIGKILL');
      await exited;
      const afterKill = await status();
      const readyAfterKill = afterKill.find((r) => r.status === 'ready')?.n ?? 0;
      assert.ok(readyAfterKill >= 5 && readyAfterKill < 153, `killed half-way: ${JSON.stringify(afterKill)}`);
      const incomplete = await withDatabase(({ db }) =>
        db
          .selectFrom('regulator.extract')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('extract_date', '=', '2026-11-03')
          .where('content', 'is', null)
          .where('status', '=', 'ready')
          .executeTakeFirstOrThrow(),
      );
      assert.equal(incomplete.n, 0, 'nothing is ready without its content');

      await new Promise((r) => setTimeout(r, 2500)); // the dead run's leases run out
      const rerun = await edgate(['extract', 'run', '--date', '2026-11-03']);
      assert.equal(rerun.code, 0, rerun.stderr);
      assert.match(rerun.stdout, new RegExp(`${153 - readyAfterKill} built`));
      assert.deepEqual(await status(), [{ status: 'ready', n: 153 }]);
    },
  );

  test('gateway account, certificate, authorisation and revocation from the command line', async () => {
    const agent = await edgate([
      'gateway',
      'account',
      'add',
      '--username',
      'acme-ispp',
      '--agent',
      'Acme Directories',
    ]);
    assert.equal(agent.code, 0, agent.stderr);
    assert.match(agent.stdout, /Password \(shown once\): \S{20,}/);
    assert.match(agent.stdout, /FID API key \(shown once\): \S{20,}/);

    const certificate = await makeTestCertificate('Acme Directories ISPP client');
    const pemFile = path.join(dir, 'acme.pem');
    writeFileSync(pemFile, certificate.pem);
    const added = await edgate([
      'gateway',
      'certificate',
      'add',
      '--username',
      'acme-ispp',
      '--file',
      pemFile,
    ]);
    assert.equal(added.code, 0, added.stderr);
    assert.ok(added.stdout.includes(certificate.thumbprintSha1));

    const authorised = await edgate([
      'gateway',
      'authorise',
      '--agent',
      'Acme Directories',
      '--la',
      '825',
      '--from',
      '2026-01-01',
      '--until',
      '2026-12-31',
    ]);
    assert.equal(authorised.code, 0, authorised.stderr);
    assert.match(
      authorised.stdout,
      /Acme Directories may collect local authority 825's extract from 2026-01-01 to 2026-12-31/,
    );
    const revoked = await edgate(['gateway', 'revoke', '--agent', 'Acme Directories', '--la', '825']);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(revoked.stdout, /Revoked 1 authorisation/);

    const both = await edgate([
      'gateway',
      'account',
      'add',
      '--username',
      'x-ispp',
      '--la',
      '825',
      '--agent',
      'X',
    ]);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /either --la CODE .* or --agent NAME/);
    const notPem = await edgate([
      'gateway',
      'certificate',
      'add',
      '--username',
      'acme-ispp',
      '--file',
      pemFile + '.missing',
    ]);
    assert.equal(notPem.code, 2);
    assert.match(notPem.stderr, /acme\.pem\.missing/);
  });

  test('user list, disable and enable: a disabled account cannot sign in until enabled again', async () => {
    const added = await edgate(['user', 'add', '--username', 'pat.leaver', '--role', 'caseworker'], {
      EDGATE_PASSWORD: 'a-long-enough-password',
    });
    assert.equal(added.code, 0, added.stderr);
    const signIn = () => withDatabase(({ db }) => authenticate(db, 'pat.leaver', 'a-long-enough-password'));

    const disabled = await edgate(['user', 'disable', '--username', 'Pat.Leaver']);
    assert.equal(disabled.code, 0, disabled.stderr);
    assert.match(
      disabled.stdout,
      /Disabled account pat\.leaver: it can no longer sign in, and its 0 session\(s\) have ended/,
    );
    assert.equal(await signIn(), undefined);
    assert.match(
      (await edgate(['user', 'disable', '--username', 'pat.leaver'])).stdout,
      /already disabled; nothing changed/,
    );
    const listed = await edgate(['user', 'list']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^pat\.leaver +disabled \d{4}-\d{2}-\d{2} \d{2}:\d{2} +caseworker/m);

    const enabled = await edgate(['user', 'enable', '--username', 'pat.leaver']);
    assert.equal(enabled.code, 0, enabled.stderr);
    assert.ok(await signIn());

    const unknown = await edgate(['user', 'disable', '--username', 'nobody.here']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /No account named "nobody\.here"/);
  });

  test('gateway account disable, enable, rotate-password, rotate-api-key and certificate list, remove', async () => {
    const created = await edgate(['gateway', 'account', 'add', '--username', 'shire-ispp', '--la', '826']);
    assert.equal(created.code, 0, created.stderr);
    const oldPassword = /Password \(shown once\): (\S+)/.exec(created.stdout)![1]!;
    const oldKey = /FID API key \(shown once\): (\S+)/.exec(created.stdout)![1]!;
    const certificate = await makeTestCertificate('Shire ISPP client');
    const pemFile = path.join(dir, 'shire.pem');
    writeFileSync(pemFile, certificate.pem);
    assert.equal(
      (await edgate(['gateway', 'certificate', 'add', '--username', 'shire-ispp', '--file', pemFile])).code,
      0,
    );
    const box = loadSecretBox({ key: undefined, dataDir: env.EDGATE_DATA_DIR! });
    const credentials = () => withDatabase(({ db }) => credentialsOf(db, box, 'shire-ispp'));
    const byKey = (key: string) => withDatabase(({ db }) => accountByApiKey(db, key));

    const listed = await edgate(['gateway', 'certificate', 'list', '--username', 'shire-ispp']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(
      listed.stdout,
      new RegExp(
        `^shire-ispp +${certificate.thumbprintSha1}  valid to \\d{4}-\\d{2}-\\d{2}  CN=Shire ISPP client$`,
        'm',
      ),
    );

    const disabled = await edgate(['gateway', 'account', 'disable', '--username', 'shire-ispp']);
    assert.equal(disabled.code, 0, disabled.stderr);
    assert.match(disabled.stdout, /Disabled gateway account shire-ispp/);
    assert.equal(await credentials(), undefined, 'SOAP finds no account');
    assert.equal(await byKey(oldKey), undefined, 'FID finds no account');
    assert.match(
      (await edgate(['gateway', 'account', 'list'])).stdout,
      /^shire-ispp +disabled [\d-]+ [\d:]+ +1 certificate\(s\) +LA 826 /m,
    );
    assert.equal((await edgate(['gateway', 'account', 'enable', '--username', 'shire-ispp'])).code, 0);
    assert.equal((await credentials())?.password, oldPassword);

    const rotated = await edgate(['gateway', 'account', 'rotate-password', '--username', 'shire-ispp']);
    assert.equal(rotated.code, 0, rotated.stderr);
    const newPassword = /Password \(shown once\): (\S+)/.exec(rotated.stdout)?.[1];
    assert.ok(newPassword && newPassword !== oldPassword);
    assert.equal((await credentials())?.password, newPassword);

    const rekeyed = await edgate(['gateway', 'account', 'rotate-api-key', '--username', 'shire-ispp']);
    assert.equal(rekeyed.code, 0, rekeyed.stderr);
    const newKey = /FID API key \(shown once\): (\S+)/.exec(rekeyed.stdout)?.[1];
    assert.ok(newKey);
    assert.equal(await byKey(oldKey), undefined);
    assert.equal((await byKey(newKey))?.username, 'shire-ispp');

    const removed = await edgate(['gateway', 'certificate', 'remove', '--username', 'shire-ispp']);
    assert.equal(removed.code, 0, removed.stderr);
    assert.ok(removed.stdout.includes(`Removed certificate ${certificate.thumbprintSha1}`));
    assert.deepEqual((await credentials())?.certificates, []);

    const unknown = await edgate(['gateway', 'account', 'rotate-password', '--username', 'nobody-ispp']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /No gateway account named "nobody-ispp"/);
    const audit = await withDatabase(({ db }) =>
      db
        .selectFrom('regulator.gateway_account_change')
        .select('action')
        .where('username', '=', 'shire-ispp')
        .orderBy('id')
        .execute(),
    );
    assert.deepEqual(
      audit.map((a) => a.action),
      [
        'create',
        'add-certificate',
        'disable',
        'enable',
        'rotate-password',
        'rotate-api-key',
        'remove-certificate',
      ],
    );
  });

  test('dfe client add prints a client id and a secret once; a bad scope is refused', async () => {
    const created = await edgate(['dfe', 'client', 'add', '--name', 'Synthetic MIS Ltd']);
    assert.equal(created.code, 0, created.stderr);
    const clientId = /client_id: (\S+)/.exec(created.stdout)?.[1];
    const secret = /client_secret \(shown once, stored only as a hash\): (\S+)/.exec(created.stdout)?.[1];
    assert.ok(clientId && secret);
    const stored = await withDatabase(({ db }) =>
      db.selectFrom('dfe.oauth_client').selectAll().where('id', '=', clientId).executeTakeFirstOrThrow(),
    );
    assert.ok(!JSON.stringify(stored).includes(secret), 'only a hash of the secret is kept');
    const bad = await edgate(['dfe', 'client', 'add', '--name', 'Other', '--scope', 'attendance.everything']);
    assert.equal(bad.code, 2);
  });

  test('dfe schools import: a GIAS file loads; a bad row refuses the file naming its line', async () => {
    const header =
      'URN,EstablishmentName,LA (code),TypeOfEstablishment (name),PhaseOfEducation (name),EstablishmentStatus (name),Street,Town,Postcode';
    const good = path.join(dir, 'gias.csv');
    writeFileSync(
      good,
      `${header}\n123456,Synthetic Primary School,825,Community school,Primary,Open,1 Test Lane,Testtown,ZZ1 1ZZ\n`,
    );
    const loaded = await edgate(['dfe', 'schools', 'import', good]);
    assert.equal(loaded.code, 0, loaded.stderr);
    assert.match(loaded.stdout, /1 added, 0 replaced/);
    const bad = path.join(dir, 'gias-bad.csv');
    writeFileSync(
      bad,
      `${header}\n234567,Another School,825,Academy converter,Secondary,Open,,,\n12345,Short Urn School,825,Community school,Primary,Open,,,\n`,
    );
    const refused = await edgate(['dfe', 'schools', 'import', bad]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /gias-bad\.csv:3: record 12345, field URN/);
    const count = await withDatabase(({ db }) =>
      db
        .selectFrom('dfe.school')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow(),
    );
    assert.equal(count.n, 1, 'nothing from the refused file');
  });

  test('dfe consent give, list and withdraw record a school’s consent for a supplier by name', async () => {
    // After the schools import above: URN 123456 exists; the client from the client test is named.
    const given = await edgate([
      'dfe',
      'consent',
      'give',
      '--client',
      'Synthetic MIS Ltd',
      '--urn',
      '123456',
      '--by',
      'A. Administrator',
    ]);
    assert.equal(given.code, 0, given.stderr);
    assert.match(given.stdout, /Synthetic MIS Ltd may send the attendance of URN 123456/);
    const listed = await edgate(['dfe', 'consent', 'list', '--urn', '123456']);
    assert.match(listed.stdout, /123456 {2}Synthetic MIS Ltd {2}given by A\. Administrator .*\(active\)/);
    const withdrawn = await edgate([
      'dfe',
      'consent',
      'withdraw',
      '--client',
      'Synthetic MIS Ltd',
      '--urn',
      '123456',
      '--by',
      'A. Administrator',
    ]);
    assert.equal(withdrawn.code, 0, withdrawn.stderr);
    assert.match((await edgate(['dfe', 'consent', 'list'])).stdout, /removed by A\. Administrator/);
    const again = await edgate([
      'dfe',
      'consent',
      'withdraw',
      '--client',
      'Synthetic MIS Ltd',
      '--urn',
      '123456',
      '--by',
      'A. Administrator',
    ]);
    assert.equal(again.code, 1);
    const unknown = await edgate([
      'dfe',
      'consent',
      'give',
      '--client',
      'Synthetic MIS Ltd',
      '--urn',
      '999999',
      '--by',
      'B',
    ]);
    assert.equal(unknown.code, 2, unknown.stderr);
    assert.match(unknown.stderr, /999999 is not in the schools register/);
  });

  test('dfe consent: a second supplier waits as a change of supplier, which an administrator confirms; dfe client disable, enable and rotate-secret', async () => {
    // After the tests above: URN 123456 exists and Synthetic MIS Ltd's consent was removed.
    const consent = (verb: string, client: string, by = 'A. Administrator') =>
      edgate(['dfe', 'consent', verb, '--client', client, '--urn', '123456', '--by', by]);
    assert.equal((await consent('give', 'Synthetic MIS Ltd')).code, 0);
    assert.equal((await edgate(['dfe', 'client', 'add', '--name', 'Second MIS'])).code, 0);
    const second = await consent('give', 'Second MIS');
    assert.equal(second.code, 1);
    assert.match(
      second.stderr,
      /Another supplier holds the consent of URN 123456.*confirm-change --urn 123456/,
    );
    assert.match(
      (await edgate(['dfe', 'consent', 'changes'])).stdout,
      /123456 .* from Synthetic MIS Ltd to Second MIS/,
    );
    const confirmed = await edgate([
      'dfe',
      'consent',
      'confirm-change',
      '--urn',
      '123456',
      '--by',
      'D. Admin',
    ]);
    assert.equal(confirmed.code, 0, confirmed.stderr);
    assert.match(
      confirmed.stdout,
      /Second MIS now sends the attendance of URN 123456; Synthetic MIS Ltd's consent is removed/,
    );
    const listed = (await edgate(['dfe', 'consent', 'list', '--urn', '123456'])).stdout;
    assert.match(listed, /Second MIS {2}given by A\. Administrator .*\(active\)/);
    assert.match(listed, /Synthetic MIS Ltd .*removed by DfE administrator D\. Admin/);
    const nothing = await edgate(['dfe', 'consent', 'reject-change', '--urn', '123456']);
    assert.equal(nothing.code, 2);
    assert.match(nothing.stderr, /No change of supplier is waiting for URN 123456/);

    const state = () =>
      withDatabase(({ db }) =>
        db
          .selectFrom('dfe.oauth_client')
          .select(['disabled_at', 'secret_hash', 'token_generation'])
          .where('name', '=', 'Second MIS')
          .executeTakeFirstOrThrow(),
      );
    const before = await state();
    const disabled = await edgate(['dfe', 'client', 'disable', '--client', 'Second MIS']);
    assert.equal(disabled.code, 0, disabled.stderr);
    assert.match(disabled.stdout, /Disabled "Second MIS"/);
    assert.notEqual((await state()).disabled_at, null);
    assert.equal((await edgate(['dfe', 'client', 'enable', '--client', 'Second MIS'])).code, 0);
    const rotated = await edgate(['dfe', 'client', 'rotate-secret', '--client', 'Second MIS']);
    assert.equal(rotated.code, 0, rotated.stderr);
    const secret = /client_secret \(shown once, stored only as a hash\): (\S+)/.exec(rotated.stdout)?.[1];
    assert.ok(secret);
    const after = await state();
    assert.equal(after.disabled_at, null);
    assert.notEqual(after.secret_hash, before.secret_hash);
    assert.ok(!after.secret_hash.includes(secret));
    assert.equal(after.token_generation, before.token_generation + 2, 'tokens from before are refused');
    const unknown = await edgate(['dfe', 'client', 'disable', '--client', 'Nobody Ltd']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /No OAuth client with id or name "Nobody Ltd"/);
  });
  test('la attendance-source set seals the secret read from a variable and never prints it; show; remove; plain refusals', async () => {
    const secret = 'la-client-secret-never-shown';
    /** `edgate la attendance-source set` with these options, the secret in the variable S. */
    const setSource = (options: Record<string, string>, secretEnv: Record<string, string> = { S: secret }) =>
      edgate(
        [
          'la',
          'attendance-source',
          'set',
          ...Object.entries(options).flatMap(([name, value]) => [`--${name}`, value]),
        ],
        secretEnv,
      );
    const good = {
      la: '825',
      'base-url': 'https://dfe.example/',
      'token-url': 'https://dfe.example/oauth2/token',
      'client-id': 'bucks-attendance',
      'secret-env': 'S',
    };
    const set = await setSource(good);
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stdout, /LA 825 reads its schools' attendance from https:\/\/dfe.example\//);
    const shown = await edgate(['la', 'attendance-source', 'show']);
    assert.match(
      shown.stdout,
      /^825\thttps:\/\/dfe.example\/\ttoken https:\/\/dfe.example\/oauth2\/token\tclient bucks-attendance/m,
    );
    assert.doesNotMatch(set.stdout + set.stderr + shown.stdout, new RegExp(secret));
    const stored = await withDatabase(({ db }) =>
      db.selectFrom('la.attendance_source').select('client_secret_sealed').executeTakeFirstOrThrow(),
    );
    assert.doesNotMatch(stored.client_secret_sealed, new RegExp(secret), 'sealed at rest');

    const refused = await setSource({ ...good, la: '999', 'base-url': 'http://dfe.example' });
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /999 is not the 3-digit DfE code of a local authority/);
    assert.match(refused.stderr, /The DfE address must start https:\/\//);
    const { 'secret-env': _none, ...noSecret } = good;
    assert.match(
      (await setSource(noSecret)).stderr,
      /Give the client secret with --secret-file FILE or --secret-env VARIABLE/,
    );

    const removed = await edgate(['la', 'attendance-source', 'remove', '--la', '825']);
    assert.equal(removed.code, 0, removed.stderr);
    assert.match(removed.stdout, /LA 825 no longer reads its attendance from the DfE/);
  });
});
