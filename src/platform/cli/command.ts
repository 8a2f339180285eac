/** What every `edgate` command shares: argument parsing and plain-words refusals. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { isCalendarDate, londonDateOf } from '../calendar.ts';

/** A refusal the operator can act on: printed as it is, exit code 2. */
export class UsageError extends Error {}

export function parseCommand<T extends ParseArgsConfig['options']>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** `--date YYYY-MM-DD`, today in London when not given. */
export function dateOption(value: string | undefined, now: Date = new Date()): string {
  const date = value ?? londonDateOf(now);
  if (!isCalendarDate(date)) throw new UsageError(`--date must be a date YYYY-MM-DD, not ${date}`);
  return date;
}

/** Who made a change, for the audit: the operator's login name. */
export const operator = (): string => `${process.env.USER ?? 'unknown'} (edgate cli)`;
