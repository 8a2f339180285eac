/**
 * The directory's commands, spread into the LA module's `edgate la …`:
 *
 *   edgate la changes [--la CODE]                 pending changes
 *   edgate la accept ID… [--la CODE] --by NAME    accept (applied to the directory)
 *   edgate la reject ID… --reason TEXT --by NAME  reject with a reason
 *   edgate la take-in SNAPSHOT [--confirm|--discard] --by NAME
 *   edgate la auto-apply on|off --la CODE
 *
 * Each is a subcommand handler: `undefined` when the words are not its own, so the module's
 * `la` command can try the collection's handlers too.
 */
import { parseCommand, UsageError, operator } from '../../platform/cli/command.ts';
import type { CommandContext } from '../../platform/role.ts';
import { localAuthorityByCode } from '../../platform/reference.ts';
import { isCalendarDate } from '../../platform/calendar.ts';
import { describeChangeRow } from './change-words.ts';
import type { TakeInOutcome } from './take-in.ts';

export interface LaSubcommand {
  /** The word after `edgate la`. */
  name: string;
  usage: string;
  run(args: string[], context: CommandContext<unknown>): Promise<number>;
}

const idsOf = (positionals: string[]): number[] => {
  if (positionals.length === 0) throw new UsageError('Name at least one change by its number');
  return positionals.map((p) => {
    const id = Number(p);
    if (!Number.isSafeInteger(id) || id <= 0) throw new UsageError(`'${p}' is not a change number`);
    return id;
  });
};

const laOption = (value: string | undefined): string | undefined => {
  if (value === undefined) return undefined;
  if (!localAuthorityByCode(value))
    throw new UsageError(`--la ${value}: not the 3-digit code of a live local authority`);
  return value;
};

const byOf = (value: string | undefined): string => {
  const by = value?.trim();
  if (by !== undefined && (by.length === 0 || by.length > 200))
    throw new UsageError('--by must name a person (1 to 200 characters)');
  return by ? `${by} (edgate cli)` : operator();
};

export const DIRECTORY_SUBCOMMANDS: readonly LaSubcommand[] = [
  {
    name: 'changes',
    usage: `  edgate la changes [--la CODE]        changes waiting for review (all LAs, or one)
  edgate la changes --since YYYY-MM-DD [--format csv|json] [--la CODE] [--output FILE]
                                       every change found since a London date, with its
                                       fields, old and new values and decided state`,
    async run(args, context) {
      const { values } = parseCommand(args, {
        la: { type: 'string' },
        since: { type: 'string' },
        format: { type: 'string' },
        output: { type: 'string' },
      });
      const laCode = laOption(values.la);
      if (values.since !== undefined)
        return exportChanges(context, values.since, values.format ?? 'csv', laCode, values.output);
      if (values.format !== undefined) throw new UsageError('--format goes with --since YYYY-MM-DD');
      const { pendingAcross } = await import('./directory-store.ts');
      const changes = await context.withDatabase(({ db }) => pendingAcross(db, laCode));
      if (changes.length === 0)
        console.log(laCode ? `No change of LA ${laCode} is waiting.` : 'No change is waiting.');
      for (const c of changes) console.log(`${c.id}\tLA ${c.laCode}\t${c.kind}\t${describeChangeRow(c)}`);
      return 0;
    },
  },
  {
    name: 'accept',
    usage: `  edgate la accept ID… [--by NAME]     accept changes: each is applied to the directory`,
    async run(args, context) {
      return decide(args, context, 'accept');
    },
  },
  {
    name: 'reject',
    usage: `  edgate la reject ID… --reason TEXT [--by NAME]
                                       reject changes: the directory keeps what it had`,
    async run(args, context) {
      return decide(args, context, 'reject');
    },
  },
  {
    name: 'take-in',
    usage: `  edgate la take-in SNAPSHOT [--confirm | --discard] [--by NAME]
                                       take in a collected snapshot; --confirm takes in one
                                       held by the guard, --discard sets it aside for good`,
    async run(args, context) {
      const { values, positionals } = parseCommand(args, {
        confirm: { type: 'boolean' },
        discard: { type: 'boolean' },
        by: { type: 'string' },
      });
      const [id] = idsOf(positionals.slice(0, 1));
      if (positionals.length !== 1)
        throw new UsageError('Usage: edgate la take-in SNAPSHOT [--confirm | --discard]');
      if (values.confirm && values.discard) throw new UsageError('Choose --confirm or --discard, not both');
      const by = byOf(values.by);
      const { takeInSnapshot, discardSnapshot } = await import('./take-in.ts');
      return context.withDatabase(async ({ db }) => {
        const now = new Date();
        if (values.discard) {
          const outcome = await discardSnapshot(db, id!, { now, by });
          if (outcome !== 'discarded') {
            console.error(`Snapshot ${id} is not held: only a held snapshot can be discarded.`);
            return 1;
          }
          console.log(`Snapshot ${id} discarded: it is kept, and never taken in.`);
          return 0;
        }
        const outcome = await takeInSnapshot(db, id!, { now, by, confirmHeld: values.confirm });
        return reportTakeIn(outcome, Boolean(values.confirm));
      });
    },
  },
  {
    name: 'auto-apply',
    usage: `  edgate la auto-apply on|off --la CODE
                                       apply each snapshot's changes at once (still recorded)`,
    async run(args, context) {
      const { values, positionals } = parseCommand(args, { la: { type: 'string' }, by: { type: 'string' } });
      const [setting] = positionals;
      if ((setting !== 'on' && setting !== 'off') || positionals.length !== 1 || !values.la)
        throw new UsageError('Usage: edgate la auto-apply on|off --la CODE');
      const laCode = laOption(values.la)!;
      const { setLaSettings } = await import('./directory-store.ts');
      await context.withDatabase(({ db }) =>
        setLaSettings(db, laCode, { autoApply: setting === 'on' }, byOf(values.by), new Date()),
      );
      console.log(
        setting === 'on'
          ? `Auto-apply is on for LA ${laCode}: each snapshot's changes go into the directory at once, and are still recorded.`
          : `Auto-apply is off for LA ${laCode}: changes wait for a person to accept them.`,
      );
      return 0;
    },
  },
];

async function exportChanges(
  context: CommandContext<unknown>,
  since: string,
  format: string,
  laCode: string | undefined,
  output: string | undefined,
): Promise<number> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(since) || !isCalendarDate(since))
    throw new UsageError(`--since ${since}: give a date as YYYY-MM-DD, for example 2026-12-01`);
  if (format !== 'csv' && format !== 'json') throw new UsageError(`--format ${format}: choose csv or json`);
  const { changesSince } = await import('./directory-store.ts');
  const { changesCsv, changesJson, londonMidnight } = await import('./change-export.ts');
  const changes = await context.withDatabase(({ db }) =>
    changesSince(db, { since: londonMidnight(since), ...(laCode ? { laCode } : {}) }),
  );
  const text = format === 'csv' ? changesCsv(changes) : `${changesJson(changes, since)}\n`;
  if (output === undefined) {
    process.stdout.write(text);
    return 0;
  }
  const { writeFileSync } = await import('node:fs');
  try {
    writeFileSync(output, text, { mode: 0o600 });
  } catch (error) {
    console.error(`Could not write ${output}: ${(error as Error).message}`);
    return 1;
  }
  console.error(`${changes.length} change${changes.length === 1 ? '' : 's'} written to ${output}.`);
  return 0;
}

async function decide(
  args: string[],
  context: CommandContext<unknown>,
  decision: 'accept' | 'reject',
): Promise<number> {
  const { values, positionals } = parseCommand(args, {
    la: { type: 'string' },
    by: { type: 'string' },
    reason: { type: 'string' },
  });
  const ids = idsOf(positionals);
  const by = byOf(values.by);
  if (decision === 'reject' && !values.reason?.trim())
    throw new UsageError('edgate la reject needs --reason');
  const only = laOption(values.la);
  const store = await import('./directory-store.ts');
  return context.withDatabase(async ({ db }) => {
    let failed = 0;
    for (const id of ids) {
      const row = await db.selectFrom('la.change').select('la_code').where('id', '=', id).executeTakeFirst();
      const laCode = row?.la_code.trim();
      if (!laCode || (only && only !== laCode)) {
        console.error(`Change ${id}: there is no such change${only ? ` in LA ${only}` : ''}.`);
        failed++;
        continue;
      }
      const now = new Date();
      const outcome =
        decision === 'accept'
          ? await store.acceptChange(db, { laCode, id, by, now })
          : await store.rejectChange(db, { laCode, id, by, now, reason: values.reason! });
      if (outcome.kind === 'decided')
        console.log(
          `Change ${id} ${decision === 'accept' ? 'accepted: the directory shows it' : 'rejected'}.`,
        );
      else {
        failed++;
        console.error(
          outcome.kind === 'not-pending'
            ? `Change ${id} was already decided (${outcome.change.reviewState}); nothing done.`
            : `Change ${id}: there is no such change.`,
        );
      }
    }
    return failed === 0 ? 0 : 1;
  });
}

/** Says what a take-in did, in plain words; 0 when it was taken in. */
export function reportTakeIn(outcome: TakeInOutcome, confirming: boolean): number {
  switch (outcome.kind) {
    case 'taken-in': {
      const counts = Object.entries(outcome.counts).map(([k, n]) => `${n} ${k}`);
      console.log(
        `Snapshot ${outcome.snapshotId} of LA ${outcome.laCode} taken in: ${counts.length ? counts.join(', ') : 'no change'}` +
          (outcome.autoApplied ? ' (applied: auto-apply is on).' : '.'),
      );
      return 0;
    }
    case 'held':
      console.error(
        `Snapshot ${outcome.snapshotId} of LA ${outcome.laCode} is held for a person to confirm or discard:\n` +
          outcome.reasons.map((r) => `- ${r.message}`).join('\n') +
          `\nTake it in anyway with: edgate la take-in ${outcome.snapshotId} --confirm`,
      );
      return 1;
    case 'unchanged':
      console.error(
        `Snapshot ${outcome.snapshotId} is ${outcome.state}: nothing done` +
          (outcome.state === 'held' && !confirming ? ' (confirm it with --confirm, or --discard it).' : '.'),
      );
      return 1;
    case 'unreadable':
      console.error(`Snapshot ${outcome.snapshotId} was set aside as invalid: ${outcome.problem}`);
      return 1;
    case 'not-found':
      console.error(`There is no snapshot ${outcome.snapshotId}.`);
      return 1;
  }
}
