/**
 * The childcare feed from end to end, across the two roles, over real HTTPS: a caseworker
 * suspends one registration, resigns another and edits a third; the next day's extract is built;
 * the LA collects it (SOAP with an X.509 signature, and FID JSON) and takes it in; the changes
 * found are exactly those three, with the right fields; an officer accepts them on the review
 * pages; the directory and the Open Referral UK API show them. With the clock 61 days on, the
 * resigned registration has left the extract and the LA records it as `left`. Clocks are
 * injected: nothing sleeps.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { csrfTokenIn, startTestServer, TEST_PASSWORD, type TestServer } from './support/test-server.ts';
import { extractAndCollect } from './support/childcare-day.ts';
import { upsertRegistrations, loadRegistration } from '../src/regulator/register/register-store.ts';
import { recordStatusChange } from '../src/regulator/register/record-status-change.ts';
import { generateRegister } from '../src/contracts/childcare-extract/synthetic-register.ts';
import type { Registration } from '../src/contracts/childcare-extract/registration.ts';
import { addCertificate, authorise, createGatewayAccount } from '../src/regulator/gateway/gateway-store.ts';
import { makeTestCertificate } from '../src/regulator/gateway/test-signing.ts';
import { GATEWAY_PATH } from '../src/regulator/gateway/gateway-routes.ts';
import { FID_JSON_PATH } from '../src/regulator/gateway/fid-routes.ts';
import { addDays, londonDateOf } from '../src/platform/calendar.ts';
import { createAccount } from '../src/platform/auth/accounts.ts';
import { ACCOUNT_ROLES } from '../src/edgate.ts';
import { addSource } from '../src/la/collection/sources.ts';
import type { TakeInOutcome } from '../src/la/directory/take-in.ts';
import { bulkAccept, directoryRecord } from '../src/la/directory/directory-store.ts';

const LA = '825';
const DAY_1 = new Date('2026-12-01T06:30:00Z');

/** What a change says, without ids and times: comparable across runs. */
interface ChangeSeen {
  kind: string;
  reference: string;
  statusFrom: string | null;
  statusTo: string | null;
  fields: { property: string; old: unknown; new: unknown }[];
}

const seenBy: Record<string, ChangeSeen[][]> = {};

for (const transport of ['soap', 'fid'] as const) {
  describe(`the childcare feed end to end, collected through ${transport === 'soap' ? 'SOAP with an X.509 signature' : 'FID JSON'}`, () => {
    let clock = DAY_1;
    let server: TestServer;
    let suspended: Registration;
    let resigned: Registration;
    let edited: Registration;
    const seen: ChangeSeen[][] = (seenBy[transport] = []);
    const outcomes: TakeInOutcome[] = [];

    before(async () => {
      server = await startTestServer({ now: () => clock, roles: ['regulator', 'la'] });
      const { db } = server.handle;
      const today = londonDateOf(clock);
      // Active registrations only: none leaves the extract on its own while the clock moves.
      const register = [...generateRegister({ scale: 'demo', seed: 7, today, laCodes: [LA] })].filter(
        (r) => r.status === 'ACTV' && r.laCode === LA,
      );
      await upsertRegistrations(db, register);
      const settings = register.filter(
        (r) =>
          r.notices.length === 0 &&
          !r.specialConsiderations &&
          r.provider.consentWithheld !== 'Y' &&
          ['CCN', 'CCD'].includes(r.provisionType),
      );
      assert.ok(settings.length >= 3, 'three non-domestic settings to act on');
      [suspended, resigned, edited] = settings as [Registration, Registration, Registration];

      const certificate = await makeTestCertificate('Bucks Directory ISPP client', {
        notBefore: new Date(DAY_1.getTime() - 86_400_000),
      });
      const account = await createGatewayAccount(db, server.secretBox, {
        username: 'bucks-ispp',
        agent: 'Bucks',
      });
      await addCertificate(db, 'bucks-ispp', certificate.pem);
      await authorise(db, { organisation: 'Bucks', laCode: LA, validFrom: '2020-01-01', by: 'test' });
      await addSource(
        db,
        server.secretBox,
        transport === 'soap'
          ? {
              name: 'ISPP',
              kind: 'soap',
              endpointUrl: `${server.baseUrl}${GATEWAY_PATH}`,
              username: 'bucks-ispp',
              password: account.password,
              certificate: { format: 'pem', certificatePem: certificate.pem, keyPem: certificate.keyPem },
              laCodes: [LA],
              by: 'test',
            }
          : {
              name: 'ISPP',
              kind: 'fid',
              endpointUrl: `${server.baseUrl}${FID_JSON_PATH}`,
              fidApiKey: account.apiKey,
              fidServiceKey: 'edgate-test',
              laCodes: [LA],
              by: 'test',
            },
      );
      await createAccount(
        db,
        {
          username: 'officer',
          displayName: 'Olu Officer',
          password: TEST_PASSWORD,
          roles: ['la-officer'],
          laCode: LA,
        },
        ACCOUNT_ROLES,
      );
    });
    after(() => server.close());

    /** The regulator's run for today's date, then the LA's collection, taking each new snapshot in. */
    async function nextDay(): Promise<TakeInOutcome> {
      const taken = await extractAndCollect(server, LA, clock);
      assert.equal(taken.length, 1, 'the new snapshot was taken in');
      outcomes.push(...taken);
      return taken[0]!;
    }

    /** The changes of the LA's last snapshot taken in, as a reviewer would read them. */
    async function changesOf(snapshotId: number): Promise<ChangeSeen[]> {
      const rows = await server.handle.db
        .selectFrom('la.change')
        .selectAll()
        .where('snapshot_id', '=', snapshotId)
        .where('kind', '!=', 'housekeeping')
        .orderBy('reference_number')
        .execute();
      return rows.map((r) => ({
        kind: r.kind,
        reference: r.reference_number,
        statusFrom: r.status_from,
        statusTo: r.status_to,
        fields: (
          (typeof r.fields === 'string' ? JSON.parse(r.fields) : r.fields) as {
            field: { property: string };
            old: unknown;
            new: unknown;
          }[]
        ).map((f) => ({ property: f.field.property, old: f.old, new: f.new })),
      }));
    }

    test('day 1: the whole register arrives as new and is accepted into the directory', async () => {
      const outcome = await nextDay();
      assert.equal(outcome.kind, 'taken-in');
      assert.ok(outcome.kind === 'taken-in' && outcome.counts.new! > 3);
      await bulkAccept(server.handle.db, { laCode: LA }, 'setting up', clock);
      const record = await directoryRecord(server.handle.db, LA, edited.referenceNumber);
      assert.equal(record?.registration.setting?.name, edited.setting?.name);
    });

    test('day 2: a suspension, a resignation and an edit are exactly what the LA finds, field by field', async () => {
      const { db } = server.handle;
      clock = new Date(DAY_1.getTime() + 86_400_000);
      const today = londonDateOf(clock);
      const suspend = await recordStatusChange(db, {
        referenceNumber: suspended.referenceNumber,
        request: {
          kind: 'suspend',
          grounds: 'Risk of harm',
          endDate: addDays(today, 27),
          reason: 'Investigation',
        },
        actor: 'casey',
        today,
      });
      assert.equal(suspend.outcome, 'changed', JSON.stringify(suspend));
      const resign = await recordStatusChange(db, {
        referenceNumber: resigned.referenceNumber,
        request: { kind: 'resign', reason: 'Closing down' },
        actor: 'casey',
        today,
      });
      assert.equal(resign.outcome, 'changed', JSON.stringify(resign));
      const current = (await loadRegistration(db, edited.referenceNumber))?.registration;
      assert.ok(current);
      await upsertRegistrations(db, [
        { ...current, setting: { ...current.setting!, name: 'Little Acorns Day Nursery' } },
      ]);

      const outcome = await nextDay();
      assert.equal(outcome.kind, 'taken-in', JSON.stringify(outcome));
      const changes = await changesOf(outcome.snapshotId);
      seen.push(changes);
      const byRef = new Map(changes.map((c) => [c.reference, c]));
      assert.deepEqual(
        [...byRef.keys()].sort(),
        [suspended.referenceNumber, resigned.referenceNumber, edited.referenceNumber].sort(),
        'nothing else changed',
      );
      const s = byRef.get(suspended.referenceNumber)!;
      assert.deepEqual([s.kind, s.statusFrom, s.statusTo], ['status-changed', 'ACTV', 'SUSP']);
      const r = byRef.get(resigned.referenceNumber)!;
      assert.deepEqual([r.kind, r.statusFrom, r.statusTo], ['status-changed', 'ACTV', 'RESG']);
      const e = byRef.get(edited.referenceNumber)!;
      assert.equal(e.kind, 'changed');
      assert.deepEqual(e.fields, [
        { property: 'setting.name', old: edited.setting?.name, new: 'Little Acorns Day Nursery' },
      ]);
    });

    test('an officer accepts them on the review pages; the directory and the ORUK API show them', async () => {
      const { db } = server.handle;
      const client = server.client();
      const signedIn = await client.signIn('officer', TEST_PASSWORD);
      assert.equal(signedIn.status, 303);
      const queue = await client.get(`/la/${LA}/review`);
      assert.equal(queue.status, 200);
      const pending = await db
        .selectFrom('la.change')
        .select(['id', 'reference_number'])
        .where('review_state', '=', 'pending')
        .execute();
      assert.equal(pending.length, 3);
      for (const change of pending) {
        const page = await client.get(`/la/${LA}/review/${change.id}`);
        assert.equal(page.status, 200);
        assert.match(page.body, new RegExp(change.reference_number));
        const accepted = await client.post(`/la/${LA}/review/${change.id}/accept`, {
          _csrf: csrfTokenIn(page.body),
        });
        assert.equal(accepted.status, 303, accepted.body);
      }
      const left = await db
        .selectFrom('la.change')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('review_state', '=', 'pending')
        .executeTakeFirstOrThrow();
      assert.equal(Number(left.n), 0);

      const record = await client.get(`/la/${LA}/directory/${edited.referenceNumber}`);
      assert.equal(record.status, 200);
      assert.match(record.body, /Little Acorns Day Nursery/);
      assert.equal((await directoryRecord(db, LA, resigned.referenceNumber))?.registration.status, 'RESG');

      // The public API: no session, no key.
      const api = await server
        .client()
        .get(`/la/${LA}/oruk/services?per_page=200`, { accept: 'application/json' });
      assert.equal(api.status, 200, api.body);
      const services = api.json<{ contents: { name: string; status: string }[] }>().contents;
      const named = (name: string | undefined) => services.filter((x) => x.name === name);
      assert.equal(named('Little Acorns Day Nursery').length, 1);
      assert.equal(named(edited.setting?.name).length, 0, 'the old name is gone');
      assert.deepEqual(
        named(suspended.setting?.name).map((x) => x.status),
        ['temporarily closed'],
      );
      assert.equal(named(resigned.setting?.name).length, 0, 'a resigned setting is not published');
    });

    test('61 days on, the resigned registration has left the extract and the LA records it as left', async () => {
      clock = new Date(DAY_1.getTime() + 62 * 86_400_000);
      const outcome = await nextDay();
      assert.equal(outcome.kind, 'taken-in', JSON.stringify(outcome));
      const changes = await changesOf(outcome.snapshotId);
      seen.push(changes);
      assert.deepEqual(
        changes.filter((c) => c.reference === resigned.referenceNumber).map((c) => c.kind),
        ['left'],
      );
      assert.ok(!changes.some((c) => c.kind === 'disappeared'), 'no registration disappeared unexpectedly');
    });
  });
}

describe('SOAP and FID JSON', () => {
  test('the same collection through either transport finds the same changes', () => {
    assert.equal(seenBy.soap?.length, 2);
    assert.deepEqual(seenBy.fid, seenBy.soap);
  });
});
