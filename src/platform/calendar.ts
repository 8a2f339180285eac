/** Calendar dates in England: everything the services decide by date is decided in Europe/London. */

const londonDate = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The Europe/London calendar date of an instant, as 'YYYY-MM-DD'. */
export function londonDateOf(instant: Date): string {
  return londonDate.format(instant);
}
