/** A secret for a command: from `--NAME-file F` or `--NAME-env VAR`, never the command line itself. */
import { readFileSync } from 'node:fs';
import { UsageError } from '../platform/cli/command.ts';

export function secretOption(values: Record<string, unknown>, name: string): string | undefined {
  const file = values[`${name}-file`] as string | undefined;
  const env = values[`${name}-env`] as string | undefined;
  if (file && env) throw new UsageError(`Give --${name}-file or --${name}-env, not both.`);
  if (file) {
    try {
      return readFileSync(file, 'utf8').trim();
    } catch (error) {
      throw new UsageError(`${file}: ${(error as Error).message}`);
    }
  }
  if (env) {
    const value = process.env[env];
    if (!value) throw new UsageError(`The environment variable ${env} is not set.`);
    return value.trim();
  }
  return undefined;
}
