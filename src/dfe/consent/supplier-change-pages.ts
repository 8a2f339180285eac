/**
 * Pending changes of supplier, for a DfE administrator: a second supplier asked to serve a school
 * another supplier serves (consent/supplier-change.ts). The administrator checks with the school,
 * then confirms or rejects on a check-your-answers page; the decision names them (audit).
 *
 *   GET  /dfe/supplier-changes             the pending changes
 *   GET  /dfe/supplier-changes/:id?decision=confirm|reject   check your answers
 *   POST /dfe/supplier-changes/:id         the decision (CSRF-checked by the web shell)
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { Database } from '../../platform/db/database.ts';
import { formBody, pageFields, typed } from '../../platform/http/typed-routes.ts';
import { decideSupplierChange, pendingSupplierChanges, type SupplierChange } from './consent-store.ts';
import { formatLondonTime } from '../../platform/web/london-time.ts';

const VIEWS = 'dfe/consent/views';
export const SUPPLIER_CHANGE_PAGES = '/dfe/supplier-changes';

function changeView(change: SupplierChange) {
  return {
    ...change,
    school: change.schoolName ? `${change.schoolName} (URN ${change.urn})` : `URN ${change.urn}`,
    current: change.currentClientName ?? 'None (the consent was removed since)',
    givenAtText: formatLondonTime(change.givenAt),
    requestedAtText: formatLondonTime(change.requestedAt),
  };
}

const decisionOf = (value: unknown) => (value === 'confirm' || value === 'reject' ? value : undefined);

/** A change's address; an id that names none is answered with the page's 404. */
const ChangeParams = Type.Object({ id: Type.String() });

export async function supplierChangePages(
  app: FastifyInstance,
  options: { db: Database; now: () => Date },
): Promise<void> {
  const { db, now } = options;

  const notFound = (reply: FastifyReply) => {
    reply.code(404);
    return reply.view('message.njk', {
      pageTitle: 'This change of supplier is not pending',
      paragraphs: ['It was decided already, or it does not exist.'],
      link: { href: SUPPLIER_CHANGE_PAGES, text: 'Changes of supplier' },
    });
  };
  const changeId = (params: { id: string }) => {
    const id = Number(params.id);
    return Number.isSafeInteger(id) && id > 0 ? id : undefined;
  };

  await app.register(
    async (plain) => {
      const scope = typed(plain);
      const allowed = scope.requireRole('admin');

      const pending = { querystring: pageFields('decided', 'urn') };
      scope.get('/', { preHandler: allowed, schema: pending }, async (request, reply) => {
        const query = request.query;
        const changes = await pendingSupplierChanges(db);
        return reply.view(`${VIEWS}/supplier-changes.njk`, {
          pageTitle: 'Changes of supplier',
          changes: changes.map(changeView),
          decided: decisionOf(query.decided),
          decidedUrn: typeof query.urn === 'string' && /^\d{6}$/.test(query.urn) ? query.urn : undefined,
          base: SUPPLIER_CHANGE_PAGES,
        });
      });

      const check = { params: ChangeParams, querystring: pageFields('decision') };
      scope.get('/:id', { preHandler: allowed, schema: check }, async (request, reply) => {
        const id = changeId(request.params);
        const decision = decisionOf(request.query.decision);
        const change = id === undefined ? undefined : (await pendingSupplierChanges(db, { id }))[0];
        if (!change || !decision) return notFound(reply);
        return reply.view(`${VIEWS}/supplier-change-check.njk`, {
          pageTitle:
            decision === 'confirm' ? 'Confirm the change of supplier' : 'Reject the change of supplier',
          change: changeView(change),
          decision,
          base: SUPPLIER_CHANGE_PAGES,
        });
      });

      const decide = { params: ChangeParams, body: formBody('decision') };
      scope.post('/:id', { preHandler: allowed, schema: decide }, async (request, reply) => {
        const id = changeId(request.params);
        const decision = decisionOf(request.body?.decision);
        if (id === undefined || !decision) return notFound(reply);
        const account = request.session!.account;
        const outcome = await decideSupplierChange(db, {
          id,
          decision,
          decidedBy: `${account.displayName} (${account.username})`,
          now: now(),
        });
        if (outcome.kind !== 'decided') return notFound(reply);
        request.log.info({ urn: outcome.change.urn, id, decision }, 'change of supplier decided');
        return reply.redirect(`${SUPPLIER_CHANGE_PAGES}?decided=${decision}&urn=${outcome.change.urn}`, 303);
      });
    },
    { prefix: SUPPLIER_CHANGE_PAGES },
  );
  app.addNavigation({ href: SUPPLIER_CHANGE_PAGES, text: 'Changes of supplier', roles: ['admin'] });
}
