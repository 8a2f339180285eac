/**
 * Who collected what: the gateway's audit for the regulator (every request) and for an LA
 * officer (requests for their own LA's data, and the agents their LA has authorised).
 */
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../platform/db/database.ts';
import { liveLocalAuthorities, localAuthorityByCode } from '../../platform/reference.ts';
import { pageFields, typed } from '../../platform/http/typed-routes.ts';
import { pageItems } from '../register/register-routes.ts';
import { outcomeInWords } from './audit-words.ts';

const CHANNEL_NAMES: Record<string, string> = {
  soap: 'SOAP gateway',
  'fid-json': 'FID API (JSON)',
  'fid-xml': 'FID API (XML)',
};

const VIEWS = 'regulator/gateway/views';
const PAGE_SIZE = 50;

export async function gatewayPages(app: FastifyInstance, db: Database): Promise<void> {
  await app.register(
    async (scope) => {
      const allowed = scope.requireRole('caseworker', 'admin', 'la-officer');
      const audit = { querystring: pageFields('la', 'outcome', 'page') };
      typed(scope).get('/gateway/audit', { preHandler: allowed, schema: audit }, async (request, reply) => {
        const account = request.session!.account;
        const query = request.query;
        const officer = !account.roles.includes('caseworker') && !account.roles.includes('admin');
        // An LA officer sees their own LA only, whatever the address asks for.
        const laCode = officer
          ? (account.laCode ?? '')
          : typeof query.la === 'string' && /^\d{3}$/.test(query.la)
            ? query.la
            : undefined;
        const outcome =
          query.outcome === 'success' || query.outcome === 'refused' ? query.outcome : undefined;
        let base = db.selectFrom('regulator.gateway_audit');
        if (laCode !== undefined) base = base.where('la_code', '=', laCode);
        if (outcome === 'success') base = base.where('outcome', '=', 'Success');
        if (outcome === 'refused') base = base.where('outcome', '!=', 'Success');
        const { total } = await base
          .select((eb) => eb.fn.countAll<number>().as('total'))
          .executeTakeFirstOrThrow();
        const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
        const page = Math.min(Math.max(Number(query.page) || 1, 1), pages);
        const rows = await base
          .selectAll()
          .orderBy('id', 'desc')
          .limit(PAGE_SIZE)
          .offset((page - 1) * PAGE_SIZE)
          .execute();
        const authorisations = laCode
          ? await db
              .selectFrom('regulator.gateway_authorisation')
              .selectAll()
              .where('la_code', '=', laCode)
              .orderBy('id', 'desc')
              .execute()
          : [];
        const params = (n: number) =>
          `?${new URLSearchParams({ ...(laCode && !officer ? { la: laCode } : {}), ...(outcome ? { outcome } : {}), page: String(n) })}`;
        return reply.view(`${VIEWS}/audit.njk`, {
          pageTitle: officer ? 'Who collected our data' : 'Gateway requests',
          officer,
          la: laCode ? localAuthorityByCode(laCode) : undefined,
          laCode,
          outcome,
          rows,
          total,
          authorisations,
          laOptions: liveLocalAuthorities().map((la) => ({
            value: la.code,
            text: `${la.name} (${la.code})`,
            selected: la.code === laCode,
          })),
          pagination: {
            previous: page > 1 ? { href: params(page - 1) } : undefined,
            next: page < pages ? { href: params(page + 1) } : undefined,
            items: pageItems(page, pages).map((n) =>
              n === undefined ? { ellipsis: true } : { number: n, href: params(n), current: n === page },
            ),
          },
          pages,
          outcomeInWords,
          laName: (code: string) => localAuthorityByCode(code)?.name ?? code,
          channelName: (channel: string) => CHANNEL_NAMES[channel] ?? channel,
        });
      });
    },
    { prefix: '/regulator' },
  );
  app.addNavigation({
    href: '/regulator/gateway/audit',
    text: 'Gateway requests',
    roles: ['caseworker', 'admin', 'la-officer'],
  });
}
