/**
 * What the dashboard's headline covers, in plain words. Most schools' suppliers send after the
 * afternoon register (about 16:00), so before then today's figures come from the few schools that
 * have sent so far (the demo's dozen, a school that sends each morning): the headline says so,
 * and names the last day most schools sent, rather than pass a handful off as the country. In
 * the school holidays (England's typical term dates) it says so, and that the figures are the last
 * term day's.
 */
import { formatLongDate } from '../../platform/calendar.ts';
import { isWorkingDay } from '../../platform/working-days.ts';
import { isTypicalTermDay, termDaysUpTo } from '../../contracts/attendance/term-dates.ts';
import type { DayFigures } from './statistics-store.ts';

export interface HeadlineCoverage {
  /** Today's figures from fewer schools than the day before: only some have sent so far. */
  partial: boolean;
  text: string;
}

const schools = (n: number) => `${n.toLocaleString('en-GB')} school${n === 1 ? '' : 's'}`;

export function headlineCoverage(
  latest: DayFigures,
  previous: DayFigures | undefined,
  today: string,
): HeadlineCoverage {
  if (latest.date === today && previous && latest.schools < previous.schools) {
    const sent = latest.schools === 1 ? 'has' : 'have';
    return {
      partial: true,
      text:
        `Today (${formatLongDate(today)}) ${schools(latest.schools)} ${sent} sent figures so far, and these headline figures cover only those. ` +
        `Most schools’ suppliers send after the afternoon register: ${schools(previous.schools)} sent for ${formatLongDate(previous.date)}.`,
    };
  }
  // A weekday out of term: not "today", and nothing more is coming until the next term.
  if (latest.date < today && isWorkingDay(today) && !isTypicalTermDay(today)) {
    const lastTermDay = termDaysUpTo(today, 1)[0] === latest.date ? ', the last term day,' : '';
    return {
      partial: false,
      text:
        `Most schools are on holiday today (${formatLongDate(today)}). ` +
        `The latest figures are for ${formatLongDate(latest.date)}${lastTermDay} from ${schools(latest.schools)}.`,
    };
  }
  return {
    partial: false,
    text:
      `${formatLongDate(latest.date)}: figures from ${schools(latest.schools)}, as received so far. ` +
      'They change as schools’ suppliers send and correct their marks, and are at most a few seconds behind.',
  };
}
