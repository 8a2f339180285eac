/**
 * The published directory (Open Referral UK 3.0): a property test over a synthetic register with
 * many withheld addresses, withheld personal details and providers listed non-public — none of
 * their withheld data appears in any response of any endpoint, on any page — and the responses
 * are valid against the ORUK schemas.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Registration } from '../../contracts/childcare-extract/registration.ts';
import { generateRegister } from '../../contracts/childcare-extract/synthetic-register.ts';
import { schemaProblems, type SchemaNode } from '../../contracts/childcare-extract/fid-schema-check.ts';
import { seededRandom } from '../changes/snapshot-mutations.ts';
import { startLaApp, storeTestSnapshot, type LaTestApp } from '../../../test/support/la-directory.ts';
import { takeInSnapshot } from './take-in.ts';
import { bulkAccept, updateLocalFields } from './directory-store.ts';
import { orukService } from './oruk-view.ts';

const NOW = new Date('2026-12-01T06:00:00Z');
const schema = (name: string) =>
  JSON.parse(
    readFileSync(new URL(`../../../reference/oruk-3.0/${name}`, import.meta.url), 'utf8'),
  ) as SchemaNode;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The register with many withheld: each registration drawn at random (seeded). */
function withheldRegister(seed: number): { registrations: Registration[]; hidden: Set<string> } {
  const random = seededRandom(seed);
  const registrations = [
    ...generateRegister({ scale: 'national', seed, today: '2026-11-30', laCodes: ['825'] }),
  ].map((r) => {
    const x = structuredClone(r);
    const roll = random();
    if (roll < 0.15) x.specialConsiderations = 'WREF';
    else if (roll < 0.25) x.specialConsiderations = 'MOD';
    else if (roll < 0.4) x.specialConsiderations = 'ANON';
    if (random() < 0.35) x.provider.consentWithheld = 'Y';
    // A setting's address the same as the provider's (a childminder's home), often.
    if (x.setting && random() < 0.5) x.setting.address = structuredClone(x.provider.address);
    return x;
  });
  const hidden = new Set(registrations.filter(() => random() < 0.15).map((r) => r.referenceNumber));
  return { registrations, hidden };
}

describe('the ORUK API publishes the directory without withheld data', () => {
  let server: LaTestApp;
  let registrations: Registration[];
  let hidden: Set<string>;

  before(async () => {
    server = await startLaApp({ now: () => NOW });
    ({ registrations, hidden } = withheldRegister(5));
    const id = await storeTestSnapshot(server.handle.db, '825', '2026-11-30T05:30:00', registrations);
    assert.equal((await takeInSnapshot(server.handle.db, id, { now: NOW, by: 'test' })).kind, 'taken-in');
    await bulkAccept(server.handle.db, { laCode: '825' }, 'test', NOW);
    for (const ref of hidden)
      await updateLocalFields(
        server.handle.db,
        '825',
        ref,
        { publicDescription: null, openingHours: null, website: null, listedPublicly: false },
        'test',
        NOW,
      );
    // Local fields of a published one.
    const shown = registrations.find(
      (r) =>
        !hidden.has(r.referenceNumber) &&
        r.status === 'ACTV' &&
        !r.specialConsiderations &&
        r.provisionType === 'CCN' &&
        r.provider.consentWithheld !== 'Y',
    );
    assert.ok(shown);
    await updateLocalFields(
      server.handle.db,
      '825',
      shown.referenceNumber,
      {
        publicDescription: 'A nursery by the park.',
        openingHours: 'Monday to Friday, 8am to 6pm',
        website: 'https://nursery.example.org/',
        listedPublicly: true,
      },
      'test',
      NOW,
    );
  });
  after(() => server.close());

  async function get(url: string) {
    const response = await server.app.inject({ method: 'GET', url });
    return response;
  }

  /** Every page of a listing. */
  async function everyPage(path: string): Promise<{ bodies: string[]; contents: unknown[] }> {
    const bodies: string[] = [];
    const contents: unknown[] = [];
    for (let page = 1; ; page++) {
      const response = await get(`${path}${path.includes('?') ? '&' : '?'}per_page=37&page=${page}`);
      assert.equal(response.statusCode, 200, response.body);
      bodies.push(response.body);
      const body = response.json() as {
        contents: unknown[];
        last_page: boolean;
        page_number: number;
        size: number;
        total_items: number;
      };
      assert.equal(body.page_number, page);
      assert.equal(body.size, body.contents.length);
      contents.push(...body.contents);
      if (body.last_page) {
        assert.equal(contents.length, body.total_items);
        return { bodies, contents };
      }
      assert.ok(page < 1000);
    }
  }

  test('no withheld address, withheld personal detail or non-public provider appears in any response', async () => {
    const bodies: string[] = [];
    const services = await everyPage('/la/825/oruk/services');
    bodies.push(...services.bodies);
    for (const path of [
      '/la/825/oruk/service_at_locations',
      '/la/825/oruk/organizations',
      '/la/825/oruk/locations',
    ])
      bodies.push(...(await everyPage(path)).bodies);
    for (const s of services.contents as { id: string }[]) {
      const response = await get(`/la/825/oruk/services/${s.id}`);
      assert.equal(response.statusCode, 200);
      bodies.push(response.body);
    }
    bodies.push((await get('/la/825/oruk/')).body);
    const published = bodies.join('\n');

    // What may be shown, by the rules written out here (not by the code under test): a withheld
    // value may equal a value another provider publishes rightly.
    const allowed: string[] = [];
    const forbidden: { ref: string; why: string; value: string }[] = [];
    const address = (a: Registration['provider']['address']) =>
      [a.addressLine1, a.addressLine2, a.postcode].filter((v): v is string => Boolean(v));
    const domestic = (r: Registration) => ['CMR', 'HCR', 'CCD'].includes(r.provisionType);
    let withheldCount = 0;
    for (const r of registrations) {
      const listed =
        !hidden.has(r.referenceNumber) &&
        ['ACTV', 'SUSP'].includes(r.status) &&
        r.provisionType !== 'RPP' &&
        r.specialConsiderations !== 'WREF' &&
        r.specialConsiderations !== 'MOD';
      const consent = r.provider.consentWithheld !== 'Y';
      // The town is published (not an address): a place name may also be another's address line.
      if (listed && !r.specialConsiderations) allowed.push((r.setting ?? r.provider).address.town);
      if (listed && consent)
        allowed.push(r.provider.name, r.setting?.name ?? '', r.setting?.contact?.emailAddress ?? '');
      if (listed && consent && !r.specialConsiderations && !domestic(r) && r.setting)
        allowed.push(...address(r.setting.address));
      const forbid = (why: string, values: (string | undefined)[]) => {
        for (const value of values)
          if (value && value.trim().length >= 4)
            forbidden.push({ ref: r.referenceNumber, why, value: JSON.stringify(value).slice(1, -1) });
      };
      const everyAddress = [...address(r.provider.address), ...(r.setting ? address(r.setting.address) : [])];
      if (r.specialConsiderations) {
        withheldCount++;
        forbid('address withheld (special considerations)', everyAddress);
      }
      if (!listed) forbid('never published', [r.provider.name, r.setting?.name, ...everyAddress]);
      if (!consent) {
        withheldCount++;
        const c = r.provider.contact;
        forbid('personal details withheld', [
          r.provider.name,
          ...everyAddress,
          c?.telephoneNumber,
          c?.mobileNumber,
          c?.workTelephoneNumber,
          c?.emailAddress,
          r.setting?.contact?.emailAddress,
        ]);
      }
      if (domestic(r))
        forbid('a home address', [r.provider.address.addressLine1, r.setting?.address.addressLine1]);
    }
    assert.ok(withheldCount > 100, `the register withholds enough to mean something (${withheldCount})`);
    assert.ok(services.contents.length > 50, `enough is published (${services.contents.length})`);
    const allowedText = allowed.map((v) => JSON.stringify(v).slice(1, -1)).join('\n');
    const leaks = forbidden.filter((f) => !allowedText.includes(f.value) && published.includes(f.value));
    assert.deepEqual(leaks.slice(0, 5), []);
    // The check itself can see a leak: a withheld value is there to be found in the register.
    assert.ok(forbidden.some((f) => JSON.stringify(registrations).includes(f.value)));
  });

  test('a non-public or withheld service cannot be fetched by its id either', async () => {
    const ref = [...hidden][0]!;
    const r = registrations.find((x) => x.referenceNumber === ref)!;
    const service = orukService({
      laCode: '825',
      referenceNumber: ref,
      registration: r,
      inFeed: true,
      listedPublicly: true,
      publicDescription: null,
      openingHours: null,
      website: null,
      modifiedAt: NOW,
    });
    if (service) assert.equal((await get(`/la/825/oruk/services/${service.id}`)).statusCode, 404);
    const refuge = registrations.find(
      (x) => x.specialConsiderations === 'WREF' && !hidden.has(x.referenceNumber),
    )!;
    const { orukId } = await import('./oruk-view.ts');
    assert.equal(
      (await get(`/la/825/oruk/services/${orukId('825', refuge.referenceNumber, 'service')}`)).statusCode,
      404,
    );
  });

  test('responses are valid against the Open Referral UK 3.0 schemas, public, with CORS', async () => {
    const list = await get('/la/825/oruk/services?per_page=200');
    assert.equal(list.headers['access-control-allow-origin'], '*');
    const body = list.json() as { contents: Record<string, unknown>[] };
    const listSchema = schema('service_list.json');
    for (const item of body.contents) {
      assert.deepEqual(schemaProblems(listSchema, item), []);
      assert.match(String(item.id), UUID);
      assert.ok(!Number.isNaN(Date.parse(String(item.last_modified))));
    }
    const fullSchema = schema('service.json');
    const withLocal = body.contents.find((s) => s.url === 'https://nursery.example.org/');
    assert.ok(withLocal, 'local fields are published');
    for (const item of body.contents.slice(0, 40).concat([withLocal])) {
      const full = (await get(`/la/825/oruk/services/${String(item.id)}`)).json();
      assert.deepEqual(schemaProblems(fullSchema, full), []);
    }
    const full = (await get(`/la/825/oruk/services/${String(withLocal.id)}`)).json() as {
      schedules: { description: string }[];
      description: string;
    };
    assert.equal(full.description, 'A nursery by the park.');
    assert.equal(full.schedules[0]?.description, 'Monday to Friday, 8am to 6pm');
    const sal = (await get('/la/825/oruk/service_at_locations?per_page=200')).json() as {
      contents: unknown[];
    };
    const salSchema = schema('service_at_location_list.json');
    assert.ok(sal.contents.length > 0);
    for (const item of sal.contents) assert.deepEqual(schemaProblems(salSchema, item), []);
  });

  test('paging, postcode search and modified_after behave as the profile says; bad parameters are refused in the API’s format', async () => {
    const all = (await get('/la/825/oruk/services?per_page=10')).json() as {
      total_items: number;
      total_pages: number;
      first_page: boolean;
      last_page: boolean;
    };
    assert.equal(all.total_pages, Math.ceil(all.total_items / 10));
    assert.equal(all.first_page, true);
    const beyond = (await get(`/la/825/oruk/services?per_page=10&page=${all.total_pages + 1}`)).json() as {
      empty: boolean;
      size: number;
    };
    assert.deepEqual([beyond.empty, beyond.size], [true, 0]);
    assert.equal(
      (await get('/la/825/oruk/services?modified_after=2026-12-02T00:00:00Z')).json<{ total_items: number }>()
        .total_items,
      0,
    );
    assert.equal(
      (await get('/la/825/oruk/services?modified_after=2026-11-01T00:00:00Z')).json<{ total_items: number }>()
        .total_items,
      all.total_items,
    );

    const sal = (await get('/la/825/oruk/service_at_locations?per_page=200')).json() as {
      contents: { location: { addresses: { postal_code: string }[] } }[];
    };
    const postcode = sal.contents[0]!.location.addresses[0]!.postal_code;
    const near = (
      await get(`/la/825/oruk/service_at_locations?postcode=${encodeURIComponent(postcode)}`)
    ).json() as { contents: { location: { addresses: { postal_code: string }[] } }[] };
    assert.ok(near.contents.length >= 1);
    const district = postcode.replace(/\s+/g, '').slice(0, -3);
    for (const item of near.contents)
      assert.ok(item.location.addresses[0]!.postal_code.replace(/\s+/g, '').startsWith(district));

    for (const url of [
      '/la/825/oruk/services?per_page=0',
      '/la/825/oruk/services?page=x',
      '/la/825/oruk/services?modified_after=yesterday',
      '/la/825/oruk/service_at_locations?postcode=nope',
    ]) {
      const response = await get(url);
      assert.equal(response.statusCode, 400, url);
      assert.equal(response.json<{ error: string }>().error, 'Bad Request');
    }
    for (const url of [
      '/la/999/oruk/services',
      '/la/825/oruk/services/not-an-id',
      '/la/825/oruk/services/00000000-0000-5000-8000-000000000000',
    ]) {
      const response = await get(url);
      assert.equal(response.statusCode, 404, url);
      assert.match(response.headers['content-type'] as string, /json/);
    }
    assert.equal((await get('/la/826/oruk/services')).json<{ total_items: number }>().total_items, 0);

    const spec = (await get('/docs/json')).json<{ paths: Record<string, unknown> }>();
    for (const path of [
      '/',
      '/services',
      '/services/{id}',
      '/service_at_locations',
      '/organizations',
      '/locations',
    ])
      assert.ok(spec.paths[`/la/{code}/oruk${path}`], path);
  });
});
