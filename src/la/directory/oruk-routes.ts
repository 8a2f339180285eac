/**
 * The LA's directory published as Open Referral UK 3.0: public GET, no key, CORS `*`, rate-limited
 * per client address, read-only, built from the directory's records as oruk-view.ts allows.
 *
 *   GET /la/{code}/oruk/                      about this API
 *   GET /la/{code}/oruk/services              services (one-to-one fields), paged
 *   GET /la/{code}/oruk/services/{id}         one service, fully nested
 *   GET /la/{code}/oruk/service_at_locations  services at their locations, paged, ?postcode=
 *   GET /la/{code}/oruk/organizations         the providers that may be named, paged
 *   GET /la/{code}/oruk/locations             the locations that may be shown, paged
 *
 * Paging as the profile's Page: `page` (from 1) and `per_page` (default 50, at most 200); the
 * envelope says total_items, total_pages, page_number, size, first_page, last_page, empty.
 * Errors are `{ error, message }` JSON with the HTTP status.
 */
import { Type, type TSchema } from 'typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../platform/db/database.ts';
import { localAuthorityByCode } from '../../platform/reference.ts';
import { useJsonApiSecurityHeaders } from '../../platform/http/server.ts';
import { postcodeDistrict } from './directory-store.ts';
import {
  orukId,
  orukService,
  serviceListItem,
  type OrukService,
  type PublishableRecord,
} from './oruk-view.ts';

const TAG = 'la-oruk';
const MAX_PER_PAGE = 200;
const DEFAULT_PER_PAGE = 50;

// --- schemas (what is serialised: nothing else leaves) ------------------------------------------

const Uuid = Type.String({ format: 'uuid' });
const Organization = Type.Object({ id: Uuid, name: Type.String(), description: Type.String() });
const Address = Type.Object({
  id: Uuid,
  location_id: Uuid,
  address_1: Type.String(),
  address_2: Type.Optional(Type.String()),
  city: Type.String(),
  state_province: Type.String(),
  postal_code: Type.String(),
  country: Type.String(),
  address_type: Type.Literal('physical'),
});
const Location = Type.Object({
  id: Uuid,
  location_type: Type.Literal('physical'),
  name: Type.String(),
  addresses: Type.Array(Address),
});
const serviceFields = {
  id: Uuid,
  organization_id: Type.Optional(Uuid),
  name: Type.String(),
  description: Type.String(),
  url: Type.Optional(Type.String({ format: 'uri' })),
  email: Type.Optional(Type.String()),
  status: Type.Union([Type.Literal('active'), Type.Literal('temporarily closed')]),
  minimum_age: Type.Optional(Type.Number()),
  maximum_age: Type.Optional(Type.Number()),
  last_modified: Type.String({ format: 'date-time' }),
  organization: Type.Optional(Organization),
};
const ServiceListItem = Type.Object(serviceFields);
const ServiceAtLocation = Type.Object({ id: Uuid, service_id: Uuid, location_id: Uuid, location: Location });
const Service = Type.Object({
  ...serviceFields,
  service_at_locations: Type.Array(ServiceAtLocation),
  schedules: Type.Array(Type.Object({ id: Uuid, service_id: Uuid, description: Type.String() })),
});
const ServiceAtLocationListItem = Type.Object({
  id: Uuid,
  service_id: Uuid,
  location_id: Uuid,
  location: Type.Object({ ...Location.properties, service: ServiceListItem }),
});
const page = (item: TSchema) =>
  Type.Object({
    total_items: Type.Integer(),
    total_pages: Type.Integer(),
    page_number: Type.Integer(),
    size: Type.Integer(),
    first_page: Type.Boolean(),
    last_page: Type.Boolean(),
    empty: Type.Boolean(),
    contents: Type.Array(item),
  });
const ApiError = Type.Object({ error: Type.String(), message: Type.String() });
const Params = Type.Object({
  code: Type.String({ description: "The LA's 3-digit DfE code", examples: ['825'] }),
});
const PageQuery = {
  page: Type.Optional(Type.String({ description: 'Page number, from 1' })),
  per_page: Type.Optional(
    Type.String({ description: `Results a page, 1 to ${MAX_PER_PAGE} (default ${DEFAULT_PER_PAGE})` }),
  ),
};
const ListQuery = Type.Object({
  ...PageQuery,
  search: Type.Optional(
    Type.String({ description: 'Words in the service’s name or description', maxLength: 200 }),
  ),
  modified_after: Type.Optional(
    Type.String({ description: 'Only services changed on or after this date-time (ISO 8601)' }),
  ),
});

// --- the API ---------------------------------------------------------------------------------------

class ApiRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface Query {
  page?: string;
  per_page?: string;
  search?: string;
  modified_after?: string;
  postcode?: string;
}

function paging(query: Query): { page: number; perPage: number } {
  const whole = (value: string | undefined, name: string, fallback: number, max: number) => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!/^\d{1,6}$/.test(value) || n < 1 || n > max)
      throw new ApiRefusal(400, `${name} must be a whole number from 1 to ${max}`);
    return n;
  };
  return {
    page: whole(query.page, 'page', 1, 100000),
    perPage: whole(query.per_page, 'per_page', DEFAULT_PER_PAGE, MAX_PER_PAGE),
  };
}

function pageOf<T>(items: readonly T[], query: Query) {
  const { page, perPage } = paging(query);
  const totalPages = Math.max(1, Math.ceil(items.length / perPage));
  const contents = items.slice((page - 1) * perPage, page * perPage);
  return {
    total_items: items.length,
    total_pages: totalPages,
    page_number: page,
    size: contents.length,
    first_page: page === 1,
    last_page: page >= totalPages,
    empty: contents.length === 0,
    contents,
  };
}

export interface OrukRouteOptions {
  db: Database;
  publicUrl: string;
  /** Requests a minute from one client address (default 300). */
  requestsPerMinute?: number;
}

export async function orukRoutes(app: FastifyInstance, options: OrukRouteOptions): Promise<void> {
  const { db } = options;

  await app.register(
    async (scope) => {
      useJsonApiSecurityHeaders(scope);
      scope.addHook('onSend', async (_request, reply) => {
        reply.header('access-control-allow-origin', '*');
        if (reply.statusCode < 400) reply.header('cache-control', 'public, max-age=300');
      });
      scope.setErrorHandler(
        async (error: Error & { statusCode?: number; validation?: unknown }, request, reply) => {
          if (error instanceof ApiRefusal)
            return reply
              .code(error.status)
              .send({ error: error.status === 404 ? 'Not Found' : 'Bad Request', message: error.message });
          if (error.validation || (error.statusCode && error.statusCode < 500))
            return reply.code(error.statusCode === 429 ? 429 : 400).send({
              error: error.statusCode === 429 ? 'Too Many Requests' : 'Bad Request',
              message: error.message,
            });
          request.log.error({ err: error }, 'ORUK request failed');
          return reply
            .code(500)
            .send({ error: 'Internal Server Error', message: `Internal error; reference ${request.id}` });
        },
      );
      scope.setNotFoundHandler(async (_request, reply) =>
        reply.code(404).send({ error: 'Not Found', message: 'No such resource in this API' }),
      );

      /** The LA's published services, in reference order (or only the one with `serviceId`). */
      const published = async (request: FastifyRequest, serviceId?: string): Promise<OrukService[]> => {
        const code = (request.params as { code: string }).code;
        if (!/^\d{3}$/.test(code) || !localAuthorityByCode(code))
          throw new ApiRefusal(404, 'No local authority has that code');
        let query = db
          .selectFrom('la.directory_record')
          .where('la_code', '=', code)
          .where('in_feed', '=', true)
          .where('listed_publicly', '=', true);
        if (serviceId !== undefined) {
          // Ids are hashes of the reference: find the one reference, then read only that record.
          const refs = await query.select('reference_number').execute();
          const ref = refs.find((r) => orukId(code, r.reference_number, 'service') === serviceId);
          if (!ref) return [];
          query = query.where('reference_number', '=', ref.reference_number);
        }
        const rows = await query.selectAll().orderBy('reference_number').execute();
        const services: OrukService[] = [];
        for (const row of rows) {
          const feed = new Date(row.feed_updated_at);
          const local = row.local_updated_at ? new Date(row.local_updated_at) : feed;
          const record: PublishableRecord = {
            laCode: code,
            referenceNumber: row.reference_number,
            registration:
              typeof row.registration === 'string' ? JSON.parse(row.registration) : row.registration,
            inFeed: row.in_feed,
            listedPublicly: row.listed_publicly,
            publicDescription: row.public_description,
            openingHours: row.opening_hours,
            website: row.website,
            modifiedAt: local > feed ? local : feed,
          };
          const service = orukService(record);
          if (service) services.push(service);
        }
        return services;
      };

      const filteredServices = async (request: FastifyRequest) => {
        const query = request.query as Query;
        let services = await published(request);
        if (query.modified_after !== undefined) {
          const after = Date.parse(query.modified_after);
          if (!/^\d{4}-\d{2}-\d{2}/.test(query.modified_after) || Number.isNaN(after))
            throw new ApiRefusal(400, 'modified_after must be a date-time such as 2026-12-01T00:00:00Z');
          services = services.filter((s) => Date.parse(s.last_modified) >= after);
        }
        const words = (query.search ?? '').toLowerCase().split(/\s+/).filter(Boolean);
        if (words.length > 0)
          services = services.filter((s) => {
            const text = `${s.name} ${s.description}`.toLowerCase();
            return words.every((w) => text.includes(w));
          });
        return services;
      };

      const route = {
        helmet: false as const,
        config: { rateLimit: { max: options.requestsPerMinute ?? 300, timeWindow: '1 minute' } },
      };
      const send = (reply: FastifyReply, body: unknown) =>
        reply.type('application/json; charset=utf-8').send(body);

      scope.get(
        '/',
        {
          ...route,
          schema: {
            tags: [TAG],
            summary: 'About this Open Referral UK API',
            params: Params,
            response: {
              200: Type.Object({
                version: Type.String(),
                profile: Type.String(),
                openapi_url: Type.String(),
              }),
              404: ApiError,
            },
          },
        },
        async (request, reply) => {
          const code = (request.params as { code: string }).code;
          if (!/^\d{3}$/.test(code) || !localAuthorityByCode(code))
            throw new ApiRefusal(404, 'No local authority has that code');
          return send(reply, {
            version: '3.0',
            profile: 'https://github.com/openreferraluk/uk-profile',
            openapi_url: `${options.publicUrl}/docs/json`,
          });
        },
      );

      scope.get(
        '/services',
        {
          ...route,
          schema: {
            tags: [TAG],
            summary: 'Services, paged (one-to-one fields)',
            params: Params,
            querystring: ListQuery,
            response: { 200: page(ServiceListItem), 400: ApiError, 404: ApiError, 429: ApiError },
          },
        },
        async (request, reply) =>
          send(reply, pageOf((await filteredServices(request)).map(serviceListItem), request.query as Query)),
      );

      scope.get(
        '/services/:id',
        {
          ...route,
          schema: {
            tags: [TAG],
            summary: 'One service, fully nested',
            params: Type.Object({ ...Params.properties, id: Type.String() }),
            response: { 200: Service, 404: ApiError, 429: ApiError },
          },
        },
        async (request, reply) => {
          const id = (request.params as { id: string }).id;
          const service = /^[0-9a-f-]{36}$/.test(id) ? (await published(request, id))[0] : undefined;
          if (!service) throw new ApiRefusal(404, 'No published service has that id');
          return send(reply, service);
        },
      );

      scope.get(
        '/service_at_locations',
        {
          ...route,
          schema: {
            tags: [TAG],
            summary: 'Services at their locations, paged; ?postcode= for the same postcode district',
            params: Params,
            querystring: Type.Object({
              ...ListQuery.properties,
              postcode: Type.Optional(
                Type.String({ maxLength: 10, description: 'A postcode: locations in its district' }),
              ),
            }),
            response: { 200: page(ServiceAtLocationListItem), 400: ApiError, 404: ApiError, 429: ApiError },
          },
        },
        async (request, reply) => {
          const query = request.query as Query;
          let district: string | null = null;
          if (query.postcode !== undefined) {
            district = postcodeDistrict(query.postcode);
            if (!district) throw new ApiRefusal(400, 'postcode must be a full UK postcode, such as HP19 8FF');
          }
          const items = (await filteredServices(request)).flatMap((s) =>
            s.service_at_locations
              .filter(
                (sal) =>
                  !district ||
                  sal.location.addresses.some((a) => postcodeDistrict(a.postal_code) === district),
              )
              .map((sal) => ({ ...sal, location: { ...sal.location, service: serviceListItem(s) } })),
          );
          return send(reply, pageOf(items, query));
        },
      );

      scope.get(
        '/organizations',
        {
          ...route,
          schema: {
            tags: [TAG],
            summary: 'Organisations providing the services (providers who may be named), paged',
            params: Params,
            querystring: Type.Object(PageQuery),
            response: { 200: page(Organization), 400: ApiError, 404: ApiError, 429: ApiError },
          },
        },
        async (request, reply) => {
          const organizations = (await published(request)).flatMap((s) =>
            s.organization ? [s.organization] : [],
          );
          return send(reply, pageOf(organizations, request.query as Query));
        },
      );

      scope.get(
        '/locations',
        {
          ...route,
          schema: {
            tags: [TAG],
            summary: 'Locations whose address may be shown, paged',
            params: Params,
            querystring: Type.Object(PageQuery),
            response: { 200: page(Location), 400: ApiError, 404: ApiError, 429: ApiError },
          },
        },
        async (request, reply) => {
          const locations = (await published(request)).flatMap((s) =>
            s.service_at_locations.map((sal) => sal.location),
          );
          return send(reply, pageOf(locations, request.query as Query));
        },
      );
    },
    { prefix: '/la/:code/oruk' },
  );
}
