/**
 * The school's own insight, for its staff: this year's attendance rate, persistent (≥ 10%) and
 * severe (≥ 50%) absence per year group, the 5% absence bands as a chart with a table beside it,
 * and the persistently absent pupils by name. Computed from pupil-level data that never leaves
 * (insight.ts); the school is always the signed-in member's own. Beside it, the attendance and
 * absence rates of the school's LA and of England over the same dates, from the DfE's statistics
 * (comparison-store.ts): as last fetched, with when and why, when the DfE cannot give them now.
 *
 *   GET /school/insight
 */
import type { FastifyInstance } from 'fastify';
import type { Database } from '../platform/db/database.ts';
import { londonDateOf } from '../platform/calendar.ts';
import { bandLabel, schoolInsight, BAND_COUNT } from './insight.ts';
import { compileCalendar, schoolYearStart } from './school-calendar.ts';
import { schoolDataOf, staffMember } from './school-data.ts';
import { yearGroupName } from './register-pages.ts';
import type { SecretBox } from '../platform/auth/secret-box.ts';
import { localAuthorityByCode } from '../platform/reference.ts';
import type { SchoolSyncSettings } from './sync/sync-settings.ts';
import { receiverFor } from './sync/sync-runner.ts';
import { areaComparison } from './comparison-store.ts';
import type { AreaComparison } from './comparison.ts';
import type { MarkSummary } from '../contracts/attendance/aggregation.ts';

export const INSIGHT_PAGE = '/school/insight';
/** A page waits this long for the DfE, once: past it, the last figures are shown. */
const DFE_TIMEOUT_MS = 5000;

const londonDateTime = new Intl.DateTimeFormat('en-GB', {
  dateStyle: 'medium',
  timeStyle: 'short',
  timeZone: 'Europe/London',
});

const percent = (rate: number | null) => (rate === null ? '–' : `${(rate * 100).toFixed(1)}%`);

/** Bars of pupils per band as SVG rectangles (no script, no inline style: the CSP allows it). */
export function bandBars(bands: readonly number[], width = 600, height = 200) {
  const most = Math.max(1, ...bands);
  const slot = width / BAND_COUNT;
  return bands.map((count, band) => {
    const h = Math.round((count / most) * (height - 20));
    return {
      x: Math.round(band * slot + 2),
      y: height - h,
      width: Math.round(slot - 4),
      height: h,
      count,
      label: bandLabel(band),
    };
  });
}

/** A row of the comparison table: an area's rates, or why there are none. */
function comparisonRow(name: string, comparison: AreaComparison) {
  if (comparison.state === 'none') return { name, missing: comparison.reason };
  return {
    name,
    ...rates(comparison.figures),
    stale:
      comparison.state === 'stale'
        ? {
            fetchedAt: londonDateTime.format(comparison.fetchedAt),
            reason: comparison.reason,
            to: comparison.to,
          }
        : undefined,
  };
}

/** Attendance and absence (authorised and unauthorised together) of some sessions; the bar out of 100. */
function rates(figures: Pick<MarkSummary, 'possible' | 'attendanceRate'>) {
  const rate = figures.attendanceRate;
  return {
    possible: figures.possible,
    rate: percent(rate),
    absence: percent(rate === null ? null : 1 - rate),
    bar: rate === null ? 0 : Math.round(rate * 1000) / 10,
  };
}

export async function insightPages(
  app: FastifyInstance,
  options: {
    db: Database;
    now: () => Date;
    secretBox: SecretBox;
    settings: Pick<SchoolSyncSettings, 'receiverCaFile'>;
  },
): Promise<void> {
  const { db, now } = options;
  await app.register(
    async (scope) => {
      scope.get('/', { preHandler: scope.requireRole('school-user') }, async (request, reply) => {
        const member = await staffMember(db, request.session!.account.username);
        if (!member) {
          reply.code(403);
          return reply.view('message.njk', {
            pageTitle: 'You cannot see a school’s insight',
            paragraphs: ['Your account is not staff of any school. Ask your school’s administrator.'],
          });
        }
        const today = londonDateOf(now());
        const data = await schoolDataOf(db, member.urn, {
          marksFrom: schoolYearStart(today),
          marksTo: today,
        });
        const insight = schoolInsight({
          calendar: compileCalendar(data.calendar),
          enrolments: data.enrolments,
          marks: data.marks,
          today,
        });
        const range = { from: insight.from, to: insight.to };
        const at = now();
        const receiver = await receiverFor(db, options.secretBox, options.settings, {
          maxAttempts: 1,
          timeoutMs: DFE_TIMEOUT_MS,
          now,
        });
        const [la, england] = await Promise.all([
          areaComparison(db, receiver, { kind: 'la', laCode: member.laCode }, range, at),
          areaComparison(db, receiver, { kind: 'england' }, range, at),
        ]);
        const comparison = [
          {
            name: member.schoolName,
            ...rates({ possible: insight.school.possible, attendanceRate: insight.school.rate }),
          },
          comparisonRow(localAuthorityByCode(member.laCode)?.name ?? `LA ${member.laCode}`, la),
          comparisonRow('England', england),
        ];
        const names = new Map(data.pupils.map((p) => [p.id, `${p.surname}, ${p.forename}`]));
        const row = (g: (typeof insight.byYearGroup)[number]) => ({
          name: g.ncYearGroup === 'all' ? 'Whole school' : yearGroupName(g.ncYearGroup),
          pupils: g.pupils,
          rate: percent(g.rate),
          persistent: g.persistentlyAbsent,
          severe: g.severelyAbsent,
        });
        return reply.view('school/views/insight.njk', {
          pageTitle: 'Attendance this year',
          school: member.schoolName,
          from: insight.from,
          to: insight.to,
          rows: [...insight.byYearGroup.map(row), row(insight.school)],
          comparison,
          bars: bandBars(insight.school.bands),
          bands: insight.school.bands.map((count, band) => ({ label: bandLabel(band), count })),
          persistent: insight.pupils
            .filter((p) => p.persistentlyAbsent)
            .sort((a, b) => (a.rate ?? 0) - (b.rate ?? 0))
            .map((p) => ({
              name: names.get(p.pupilId) ?? p.pupilId,
              group: yearGroupName(p.ncYearGroup),
              rate: percent(p.rate),
              severe: p.severelyAbsent,
            })),
        });
      });
    },
    { prefix: INSIGHT_PAGE },
  );
  app.addNavigation({ href: INSIGHT_PAGE, text: 'Attendance insight', roles: ['school-user'] });
}
