/**
 * Reading settings from environment variables, for the platform's own (config.ts) and each
 * role's (its module's `settings`). Every problem is collected, so one start names them all:
 * the variable, the value and what was expected, before anything is opened or written.
 */

export type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const LONDON_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

export class SettingsReader {
  readonly problems: string[] = [];

  constructor(private readonly env: Env) {}

  /** The trimmed value, or undefined when unset or blank. */
  text(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  problem(message: string): void {
    this.problems.push(message);
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.text(name);
    if (value === undefined) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this.problems.push(`${name}=${JSON.stringify(value)} is not one of: ${allowed.join(', ')}`);
    return fallback;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const value = this.text(name);
    if (value === undefined) return fallback;
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      this.problems.push(`${name}=${JSON.stringify(value)} must be a whole number from ${min} to ${max}`);
      return fallback;
    }
    return Number(value);
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.text(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(value)) return true;
    if (['0', 'false', 'no', 'off'].includes(value)) return false;
    this.problems.push(`${name}=${JSON.stringify(value)} must be true or false`);
    return fallback;
  }

  /** A London wall-clock time 'HH:MM'. */
  londonTime(name: string, fallback: string): string {
    const value = this.text(name) ?? fallback;
    if (!LONDON_TIME.test(value)) {
      this.problems.push(`${name}=${JSON.stringify(value)} must be a London time HH:MM, e.g. ${fallback}`);
      return fallback;
    }
    return value;
  }

  /** One or more London times 'HH:MM,HH:MM', in order of the day, none repeated. */
  londonTimes(name: string, fallback: readonly string[]): string[] {
    const value = this.text(name);
    if (value === undefined) return [...fallback];
    const times = value.split(',').map((t) => t.trim());
    if (times.some((t) => !LONDON_TIME.test(t)) || new Set(times).size !== times.length) {
      this.problems.push(
        `${name}=${JSON.stringify(value)} must be London times HH:MM separated by commas, e.g. ${fallback.join(',')}`,
      );
      return [...fallback];
    }
    return times.sort();
  }

  /** A daily London time window 'HH:MM-HH:MM'. */
  londonWindow(name: string, example: string): { from: string; to: string } | undefined {
    const value = this.text(name);
    if (value === undefined) return undefined;
    const match = /^(([01]\d|2[0-3]):[0-5]\d)-(([01]\d|2[0-3]):[0-5]\d)$/.exec(value);
    if (!match) {
      this.problems.push(
        `${name}=${JSON.stringify(value)} must be a London time window HH:MM-HH:MM, e.g. ${example}`,
      );
      return undefined;
    }
    return { from: match[1]!, to: match[3]! };
  }
}
