/**
 * Extract pages of the regulator role (today's run per LA, one extract's summary and download)
 * and the published XSD of the extract document at a stable public URL.
 */
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { DatabaseHandle } from '../../platform/db/database.ts';
import { isCalendarDate, londonDateOf } from '../../platform/calendar.ts';
import { pageFields, typed } from '../../platform/http/typed-routes.ts';
import {
  dateErrorLink,
  dateFieldNames,
  dateInputParams,
  readDateInput,
} from '../../platform/web/date-input.ts';
import { liveLocalAuthorities, localAuthorityByCode } from '../../platform/reference.ts';
import { EXTRACT_XSD_PATH } from '../../contracts/childcare-extract/extract-xsd.ts';
import { extractDates, extractsOfDate, extractSummary, readyExtract } from './extract-store.ts';

const VIEWS = 'regulator/extract/views';
export const EXTRACT_XSD_URL = '/schemas/childcare-register-extract.xsd';

/** An extract's address; a date that is not one is answered by the page, not refused. */
const ExtractParams = Type.Object({ date: Type.String(), la: Type.String() });

export async function extractRoutes(
  app: FastifyInstance,
  handle: DatabaseHandle,
  now: () => Date,
): Promise<void> {
  const { db } = handle;

  const xsd = { tags: ['ispp-gateway'], summary: 'The XML schema of the extract document' };
  app.get(EXTRACT_XSD_URL, { schema: xsd }, async (_request, reply) => {
    reply.type('application/xml; charset=utf-8').header('cache-control', 'public, max-age=3600');
    return reply.send(createReadStream(EXTRACT_XSD_PATH));
  });

  await app.register(
    async (plain) => {
      const scope = typed(plain);
      const allowed = scope.requireRole('caseworker', 'admin');

      const extractsOfDay = { querystring: pageFields(...dateFieldNames('date')) };
      scope.get('/extracts', { preHandler: allowed, schema: extractsOfDay }, async (request, reply) => {
        const today = londonDateOf(now());
        // Day, month and year from the form, or ?date=YYYY-MM-DD from a link.
        const asked = readDateInput(request.query, 'date', { label: 'Date', today, notAfterToday: true });
        const date = asked.date ?? today;
        if (asked.error) reply.code(400);
        const extracts = new Map((await extractsOfDate(db, date)).map((e) => [e.laCode, e]));
        const rows = liveLocalAuthorities().map((la) => ({ la, extract: extracts.get(la.code) }));
        const count = (status: string) =>
          rows.filter((r) => (r.extract?.status ?? 'not started') === status).length;
        const ready = rows.flatMap((r) => (r.extract?.status === 'ready' ? [r.extract] : []));
        return reply.view(`${VIEWS}/extracts.njk`, {
          pageTitle: `Extracts for ${date}`,
          date,
          isToday: date === today,
          rows,
          totals: {
            ready: count('ready'),
            building: count('building'),
            failed: count('failed'),
            notStarted: count('not started'),
            records: ready.reduce((sum, e) => sum + (e.recordCount ?? 0), 0),
            megabytes: ready.reduce((sum, e) => sum + (e.sizeBytes ?? 0), 0) / 1e6,
          },
          dates: await extractDates(db),
          dateInput: dateInputParams(
            'date',
            asked.error ? asked : readDateInput({ date }, 'date', { label: 'Date' }),
            { legend: 'Show the extracts of another date', hint: 'For example, 2 11 2026' },
          ),
          ...(asked.error ? { errorSummary: [dateErrorLink('date', asked.error)] } : {}),
        });
      });

      const oneExtract = { params: ExtractParams };
      scope.get(
        '/extracts/:date/:la',
        { preHandler: allowed, schema: oneExtract },
        async (request, reply) => {
          const { date, la } = request.params;
          const summary = isCalendarDate(date) ? await extractSummary(db, la, date) : undefined;
          if (!summary) {
            reply.code(404);
            return reply.view('message.njk', {
              pageTitle: 'Extract not found',
              paragraphs: [`There is no extract for local authority ${la} on ${date}.`],
              link: { href: '/regulator/extracts', text: 'Today’s extracts' },
            });
          }
          return reply.view(`${VIEWS}/extract.njk`, {
            pageTitle: `Extract ${la} ${date}`,
            extract: summary,
            la: localAuthorityByCode(la),
            statusWords: { ready: 'Ready', building: 'Building', failed: 'Failed' },
          });
        },
      );

      scope.get(
        '/extracts/:date/:la/download',
        { preHandler: allowed, schema: oneExtract },
        async (request, reply) => {
          const { date, la } = request.params;
          const stored = isCalendarDate(date) ? await readyExtract(db, la, date) : undefined;
          if (!stored)
            return reply.code(404).type('text/plain').send(`No ready extract for ${la} on ${date}`);
          reply
            .type('application/xml; charset=utf-8')
            .header('content-disposition', `attachment; filename="childcare-register-${la}-${date}.xml"`)
            .header('etag', `"${stored.sha256}"`)
            .header('vary', 'accept-encoding');
          if (/\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) {
            return reply.header('content-encoding', 'gzip').send(stored.content);
          }
          return reply.send(Readable.from([stored.content]).pipe(createGunzip()));
        },
      );
    },
    { prefix: '/regulator' },
  );
  app.addNavigation({ href: '/regulator/extracts', text: 'Daily extracts', roles: ['caseworker', 'admin'] });
}
