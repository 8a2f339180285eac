/**
 * `edgate la attendance-source set|show|remove`: where an LA reads its schools' attendance from
 * the DfE. The client secret is read from a file or an environment variable, never from the
 * command line, and never printed.
 */
import { readFileSync } from 'node:fs';
import { operator, parseCommand, UsageError } from '../../platform/cli/command.ts';
import type { CommandContext } from '../../platform/role.ts';
import type { LaSettings } from '../la-settings.ts';
import {
  AttendanceSourceError,
  attendanceSourceProblems,
  listAttendanceSources,
  removeAttendanceSource,
  setAttendanceSource,
} from './attendance-source.ts';

export const ATTENDANCE_USAGE = `  edgate la attendance-source set --la CODE --base-url URL --token-url URL --client-id ID
                         (--secret-file F | --secret-env VAR) [--ca-file CERT.pem]
                                       where the LA reads its schools' attendance: the DfE's
                                       statistics API and the client the DfE registered for the
                                       LA (scope attendance.read.la); the secret is sealed
  edgate la attendance-source show [--la CODE]
                                       the LAs' sources, without their secrets
  edgate la attendance-source remove --la CODE
                                       stop reading it (the figures kept go too)`;

function readFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`${file}: ${(error as Error).message}`);
  }
}

function clientSecret(values: { 'secret-file'?: string; 'secret-env'?: string }): string {
  const file = values['secret-file'];
  const env = values['secret-env'];
  if (file && env) throw new UsageError('Give --secret-file or --secret-env, not both.');
  if (file) return readFile(file).trim();
  if (env) {
    const value = process.env[env];
    if (!value) throw new UsageError(`The environment variable ${env} is not set.`);
    return value.trim();
  }
  throw new UsageError('Give the client secret with --secret-file FILE or --secret-env VARIABLE.');
}

export async function attendanceSourceCommand(
  args: string[],
  context: CommandContext<LaSettings>,
): Promise<number> {
  const [sub, ...rest] = args;
  const { values } = parseCommand(rest, {
    la: { type: 'string' },
    'base-url': { type: 'string' },
    'token-url': { type: 'string' },
    'client-id': { type: 'string' },
    'secret-file': { type: 'string' },
    'secret-env': { type: 'string' },
    'ca-file': { type: 'string' },
  });
  try {
    switch (sub) {
      case 'set': {
        const missing = (['la', 'base-url', 'token-url', 'client-id'] as const).filter(
          (name) => !values[name],
        );
        if (missing.length > 0)
          throw new UsageError(
            `edgate la attendance-source set needs ${missing.map((m) => `--${m}`).join(', ')}`,
          );
        const source = {
          laCode: values.la!,
          baseUrl: values['base-url']!,
          tokenUrl: values['token-url']!,
          clientId: values['client-id']!,
          clientSecret: clientSecret(values),
          ...(values['ca-file'] ? { caPem: readFile(values['ca-file']) } : {}),
        };
        // Refused before the database is opened: every problem at once, in plain words.
        const problems = attendanceSourceProblems(source);
        if (problems.length > 0) throw new UsageError(problems.join(' '));
        const box = context.secretBox();
        await context.withDatabase(({ db }) => setAttendanceSource(db, box, source, operator()));
        console.log(
          `LA ${values.la} reads its schools' attendance from ${values['base-url']} as client ${values['client-id']}; the secret is sealed.`,
        );
        return 0;
      }
      case 'show': {
        const sources = (await context.withDatabase(({ db }) => listAttendanceSources(db))).filter(
          (s) => !values.la || s.laCode === values.la,
        );
        if (sources.length === 0) console.log('No LA reads its attendance from the DfE yet.');
        for (const s of sources)
          console.log(
            [
              s.laCode,
              s.baseUrl,
              `token ${s.tokenUrl}`,
              `client ${s.clientId}`,
              s.hasOwnCertificate ? 'own certificate trusted' : 'public certificates',
              `set by ${s.updatedBy} at ${s.updatedAt.toISOString()}`,
            ].join('\t'),
          );
        return 0;
      }
      case 'remove': {
        if (!values.la) throw new UsageError('edgate la attendance-source remove needs --la');
        const removed = await context.withDatabase(({ db }) => removeAttendanceSource(db, values.la!));
        if (!removed) throw new UsageError(`LA ${values.la} has no attendance source.`);
        console.log(
          `LA ${values.la} no longer reads its attendance from the DfE; the figures kept are removed.`,
        );
        return 0;
      }
      default:
        throw new UsageError('Usage: edgate la attendance-source set|show|remove');
    }
  } catch (error) {
    if (error instanceof AttendanceSourceError) throw new UsageError(error.message);
    throw error;
  }
}
