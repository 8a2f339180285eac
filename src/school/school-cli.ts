/**
 * `edgate school …`: load a school's data from its CSV files or the synthetic generator, and add
 * its staff. Each subcommand is one entry of SCHOOL_SUBCOMMANDS, so the sync's (`sync`,
 * `reconcile`) sit beside these under the one `school` command.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { dateOption, operator, parseCommand, UsageError } from '../platform/cli/command.ts';
import type { CommandContext, RoleCommand } from '../platform/role.ts';
import { localAuthorityByCode } from '../platform/reference.ts';
import type { SchoolDetails, SchoolPhase } from './pupils.ts';
import { formatCsvProblem, readSchoolCsvs, type SchoolFiles } from './school-csv.ts';
import { generateSchool } from './synthetic-school.ts';
import { addStaff, replaceSchoolData, schoolOf } from './school-data.ts';
import { SCHOOL_PERMISSIONS } from './tables.ts';
import { SCHOOL_USER } from './school-user.ts';

export interface SchoolSubcommand<S = unknown> {
  usage: string;
  run(args: string[], context: CommandContext<S>): Promise<number>;
}

const FILE_KINDS = ['pupils', 'enrolments', 'marks', 'calendar'] as const;
type FileKind = (typeof FILE_KINDS)[number];

/** The four files from a folder (pupils.csv …) or named one by one (each name says which it is). */
export function schoolFilesFrom(paths: readonly string[]): SchoolFiles {
  if (paths.length === 0)
    throw new UsageError('Give the folder holding the four CSV files, or the four files');
  let files: string[] = [...paths];
  if (paths.length === 1 && statSync(paths[0]!, { throwIfNoEntry: false })?.isDirectory()) {
    const dir = paths[0]!;
    files = readdirSync(dir)
      .filter((name) => name.toLowerCase().endsWith('.csv'))
      .map((name) => join(dir, name));
  }
  const found = new Map<FileKind, string>();
  for (const file of files) {
    const name = basename(file).toLowerCase();
    const kind = FILE_KINDS.find((k) => name.startsWith(k.slice(0, 5)));
    if (!kind) throw new UsageError(`${file}: not one of ${FILE_KINDS.map((k) => `${k}.csv`).join(', ')}`);
    if (found.has(kind)) throw new UsageError(`Two ${kind} files: ${found.get(kind)} and ${file}`);
    found.set(kind, file);
  }
  const missing = FILE_KINDS.filter((k) => !found.has(k));
  if (missing.length > 0)
    throw new UsageError(`Missing ${missing.map((k) => `${k}.csv`).join(', ')} (docs/school-csv.md)`);
  const read = (kind: FileKind) => {
    const file = found.get(kind)!;
    try {
      return { text: readFileSync(file, 'utf8'), file: basename(file) };
    } catch (error) {
      throw new UsageError(`Cannot read ${file}: ${(error as Error).message}`);
    }
  };
  return {
    pupils: read('pupils'),
    enrolments: read('enrolments'),
    marks: read('marks'),
    calendar: read('calendar'),
  };
}

function urnOption(value: string | undefined): number {
  if (value === undefined || !/^\d{6}$/.test(value))
    throw new UsageError(
      `--urn must be the school's 6-digit URN${value === undefined ? '' : `, not ${value}`}`,
    );
  return Number(value);
}

function phaseOption(value: string | undefined, allowed: readonly SchoolPhase[]): SchoolPhase {
  if (value === undefined || !(allowed as readonly string[]).includes(value))
    throw new UsageError(
      `--phase must be ${allowed.join(' or ')}${value === undefined ? '' : `, not ${value}`}`,
    );
  return value as SchoolPhase;
}

async function importCommand(args: string[], context: CommandContext): Promise<number> {
  const { values, positionals } = parseCommand(args, {
    urn: { type: 'string' },
    name: { type: 'string' },
    la: { type: 'string' },
    phase: { type: 'string' },
    establishment: { type: 'string' },
  });
  const urn = urnOption(values.urn);
  const files = schoolFilesFrom(positionals);
  const read = readSchoolCsvs(files);
  if (!read.ok) {
    console.error(`Nothing was imported: ${read.problems.length} problem(s) in the files.`);
    for (const problem of read.problems) console.error(formatCsvProblem(problem));
    return 2;
  }
  return context.withDatabase(async ({ db }) => {
    const known = await schoolOf(db, urn);
    const school: SchoolDetails = known ?? newSchool(urn, values);
    if (values.name) school.name = values.name;
    const saved = await replaceSchoolData(db, school, read.records);
    console.log(
      `Imported ${school.name} (URN ${urn}): ${saved.pupils} pupils, ${saved.enrolments} enrolment rows, ${saved.marks} marks with ${saved.changes} changes; the school's earlier pupils, marks and calendar were replaced.`,
    );
    return 0;
  });
}

function newSchool(
  urn: number,
  values: { name?: string; la?: string; phase?: string; establishment?: string },
): SchoolDetails {
  if (!values.name || !values.la || !values.phase)
    throw new UsageError(
      `No school with URN ${urn} yet: give --name "School name" --la CODE --phase primary|secondary|all-through`,
    );
  if (!localAuthorityByCode(values.la))
    throw new UsageError(`--la must be the 3-digit code of a live local authority, not ${values.la}`);
  const establishment = values.establishment ?? '2000';
  if (!/^\d{4}$/.test(establishment))
    throw new UsageError(
      `--establishment must be the 4-digit DfE establishment number, not ${establishment}`,
    );
  return {
    urn,
    name: values.name,
    laCode: values.la,
    establishmentNumber: establishment,
    phase: phaseOption(values.phase, ['primary', 'secondary', 'all-through']),
  };
}

async function generateCommand(args: string[], context: CommandContext): Promise<number> {
  const { values } = parseCommand(args, {
    urn: { type: 'string' },
    phase: { type: 'string' },
    pupils: { type: 'string' },
    seed: { type: 'string' },
    today: { type: 'string' },
    'marks-from': { type: 'string' },
  });
  const urn = urnOption(values.urn);
  const phase = phaseOption(values.phase, ['primary', 'secondary']) as 'primary' | 'secondary';
  const pupils = values.pupils === undefined ? undefined : Number(values.pupils);
  if (pupils !== undefined && !(Number.isInteger(pupils) && pupils >= 10 && pupils <= 5000))
    throw new UsageError(`--pupils must be a whole number from 10 to 5000, not ${values.pupils}`);
  const seed = values.seed === undefined ? urn : Number(values.seed);
  if (!Number.isInteger(seed)) throw new UsageError(`--seed must be a whole number, not ${values.seed}`);
  const today = dateOption(values.today);
  const marksFrom = values['marks-from'] === undefined ? undefined : dateOption(values['marks-from']);
  const options: Parameters<typeof generateSchool>[0] = { seed, phase, today, urn };
  if (pupils !== undefined) options.pupils = pupils;
  if (marksFrom !== undefined) options.marksFrom = marksFrom;
  const school = generateSchool(options);
  console.log(
    `Generated ${school.school.name} (URN ${urn}): ${school.pupils.length} pupils, ${school.marks.length} marks up to ${today}.`,
  );
  return context.withDatabase(async ({ db }) => {
    const saved = await replaceSchoolData(db, school.school, school, {
      progress: (message) => console.log(`  written: ${message}`),
    });
    console.log(`Loaded: ${saved.pupils} pupils, ${saved.marks} marks with ${saved.changes} changes.`);
    return 0;
  });
}

async function staffCommand(args: string[], context: CommandContext): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'add') throw new UsageError(`Usage:\n${SCHOOL_SUBCOMMANDS.staff!.usage}`);
  const { values } = parseCommand(rest, {
    username: { type: 'string' },
    urn: { type: 'string' },
    name: { type: 'string' },
    permission: { type: 'string', multiple: true },
  });
  if (!values.username) throw new UsageError('edgate school staff add needs --username');
  const urn = urnOption(values.urn);
  const given = process.env.EDGATE_PASSWORD;
  const input: Parameters<typeof addStaff>[1] = {
    username: values.username,
    urn,
    permissions: values.permission ?? [],
    addedBy: operator(),
    password: given ?? randomBytes(15).toString('base64url'),
  };
  if (values.name) input.displayName = values.name;
  const added = await context.withDatabase(({ db }) => addStaff(db, input, [SCHOOL_USER]));
  const permissions = added.member.permissions.map((p) => SCHOOL_PERMISSIONS[p]).join(', ') || 'none';
  console.log(
    `${added.member.username} is staff of ${added.member.schoolName} (URN ${urn}); permissions: ${permissions}.`,
  );
  if (added.password !== undefined && given === undefined)
    console.log(`Created the account; password (shown once): ${added.password}`);
  else if (added.linked) console.log('Linked the existing account (its password is unchanged).');
  return 0;
}

/** The subcommands of `edgate school`; the sync's are added beside these. */
export const SCHOOL_SUBCOMMANDS: Record<string, SchoolSubcommand> = {
  import: {
    usage: `  edgate school import --urn URN DIR|FILES… [--name "School" --la CODE --phase P [--establishment NNNN]]
                                       replace the school's calendar, pupils, enrolments and
                                       marks with the four CSV files (docs/school-csv.md); all
                                       or nothing; a new school needs its name, LA and phase`,
    run: importCommand,
  },
  generate: {
    usage: `  edgate school generate --urn URN --phase primary|secondary [--pupils N] [--seed N]
                        [--today YYYY-MM-DD] [--marks-from YYYY-MM-DD]
                                       load a deterministic synthetic school (replacing the
                                       school's data), its marks up to today`,
    run: generateCommand,
  },
  staff: {
    usage: `  edgate school staff add --username U --urn URN [--name "Full Name"] [--permission P…]
                                       make U staff of the school (creating a school-user
                                       account, password shown once, or linking one);
                                       permissions: ${Object.keys(SCHOOL_PERMISSIONS).join(', ')}`,
    run: staffCommand,
  },
};

export const SCHOOL_COMMANDS: RoleCommand[] = [
  {
    name: 'school',
    get usage() {
      return Object.values(SCHOOL_SUBCOMMANDS)
        .map((s) => s.usage)
        .join('\n');
    },
    run: (args, context) => {
      const [sub, ...rest] = args;
      const subcommand = sub === undefined ? undefined : SCHOOL_SUBCOMMANDS[sub];
      if (!subcommand)
        throw new UsageError(
          `Usage:\n${Object.values(SCHOOL_SUBCOMMANDS)
            .map((s) => s.usage)
            .join('\n')}`,
        );
      return subcommand.run(rest, context);
    },
  },
];
