/**
 * The regulator's commands: `edgate register …` (load the register), `edgate extract …` (build
 * and read the daily extracts) and `edgate gateway …` (accounts, certificates and authorisations
 * of the ISPP/FID gateway).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { dateOption, operator, parseCommand, UsageError } from '../platform/cli/command.ts';
import type { CommandContext, RoleCommand } from '../platform/role.ts';
import { isCalendarDate, londonDateOf } from '../platform/calendar.ts';
import { localAuthorityByCode } from '../platform/reference.ts';
import { plannedRegisterSize } from '../contracts/childcare-extract/synthetic-register.ts';
import { importRegisterFile, loadGeneratedRegister, type ImportFormat } from './register/register-load.ts';
import { runExtracts } from './extract/extract-runs.ts';
import { extractsOfDate, extractSummary, readyExtract } from './extract/extract-store.ts';
import {
  addCertificate,
  authorise,
  createGatewayAccount,
  GatewayAdminError,
  revoke,
} from './gateway/gateway-store.ts';
import {
  listCertificates,
  listGatewayAccounts,
  removeCertificate,
  rotateGatewayApiKey,
  rotateGatewayPassword,
  setGatewayAccountDisabled,
} from './gateway/gateway-access.ts';
import type { RegulatorSettings } from './regulator-settings.ts';

type RegulatorCommandContext = CommandContext<RegulatorSettings>;

export const REGULATOR_COMMANDS: RoleCommand<RegulatorSettings>[] = [
  {
    name: 'register',
    usage: `  edgate register import FILE [--format xml|csv]
                                       load registrations from an extract document or the
                                       register CSV (docs/register-csv.md); all or nothing
  edgate register generate --scale demo|national [--seed N] [--today YYYY-MM-DD]
                                       load a deterministic synthetic register`,
    run: (args, context) => registerCommand(context, args),
  },
  {
    name: 'extract',
    usage: `  edgate extract run [--date YYYY-MM-DD] [--la CODE…]
                                       build the day's extracts now (default today, every
                                       LA); what is already built or being built elsewhere
                                       is left alone
  edgate extract list [--date YYYY-MM-DD]
                                       the extracts of a date, one line per LA
  edgate extract show LA [--date YYYY-MM-DD]
                                       one extract's details
  edgate extract export LA [--date YYYY-MM-DD] [--out FILE]
                                       write one extract's XML to FILE (default stdout)`,
    run: (args, context) => extractCommand(context, args),
  },
  {
    name: 'gateway',
    usage: `  edgate gateway account add --username U (--la CODE | --agent "Organisation") [--no-certificate]
                                       an ISPP/FID account for an LA or an authorised agent;
                                       prints its password and FID API key once
  edgate gateway account list          every gateway account, active or disabled
  edgate gateway account disable|enable --username U
                                       refuse (or allow again) the account's SOAP and FID requests
  edgate gateway account rotate-password|rotate-api-key --username U
                                       a new password (or FID API key), printed once; the old
                                       one stops working at once
  edgate gateway certificate add --username U --file CERT.pem
                                       register the X.509 certificate the account signs with
  edgate gateway certificate list [--username U]
                                       registered certificates and their SHA-1 thumbprints
  edgate gateway certificate remove --username U [--thumbprint T]
                                       signatures made with it are refused at once (without
                                       --thumbprint: the account's only certificate)
  edgate gateway authorise --agent "Organisation" --la CODE [--from D] [--until D]
                                       an LA authorises an agent to collect its extract
  edgate gateway revoke --agent "Organisation" --la CODE
                                       end that authorisation now`,
    run: (args, context) => gatewayCommand(context, args),
  },
];

async function registerCommand(context: RegulatorCommandContext, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'import') {
    const { values, positionals } = parseCommand(rest, { format: { type: 'string' } });
    if (positionals.length !== 1)
      throw new UsageError('Usage: edgate register import FILE [--format xml|csv]');
    if (values.format && values.format !== 'xml' && values.format !== 'csv') {
      throw new UsageError(`--format must be xml or csv, not ${values.format}`);
    }
    const result = await context.withDatabase(({ db }) =>
      importRegisterFile(db, positionals[0]!, values.format as ImportFormat | undefined),
    );
    console.log(
      `${result.file}: ${result.records} registrations imported (${result.added} new, ${result.replaced} replaced).`,
    );
    return 0;
  }
  if (sub === 'generate') {
    const { values } = parseCommand(rest, {
      scale: { type: 'string' },
      seed: { type: 'string' },
      today: { type: 'string' },
    });
    const scale = values.scale ?? 'demo';
    if (scale !== 'demo' && scale !== 'national') throw new UsageError('--scale must be demo or national');
    const seed = Number(values.seed ?? '1');
    if (!Number.isInteger(seed) || seed < 0) throw new UsageError('--seed must be a whole number');
    const today = values.today ?? londonDateOf(new Date());
    if (!isCalendarDate(today)) throw new UsageError('--today must be a date YYYY-MM-DD');
    const options = { scale, seed, today } as const;
    const { total } = plannedRegisterSize(options);
    const started = performance.now();
    const counts = await context.withDatabase(({ db }) =>
      loadGeneratedRegister(db, options, (written) => {
        if (process.stderr.isTTY)
          process.stderr.write(`\r${written.toLocaleString('en-GB')} / ${total.toLocaleString('en-GB')}`);
      }),
    );
    if (process.stderr.isTTY) process.stderr.write('\n');
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `Generated ${scale} register (seed ${seed}, as of ${today}): ${counts.added} new, ${counts.replaced} replaced in ${seconds.toFixed(1)} s.`,
    );
    return 0;
  }
  throw new UsageError('Usage: edgate register import FILE | edgate register generate --scale demo|national');
}

async function gatewayCommand(context: RegulatorCommandContext, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const words = sub === 'account' || sub === 'certificate' ? [sub, rest.shift()].join(' ') : sub;
  if (words && GATEWAY_ACCESS_SUBCOMMANDS.includes(words)) return gatewayAccessCommand(context, words, rest);
  const { values } = parseCommand(rest, {
    username: { type: 'string' },
    la: { type: 'string' },
    agent: { type: 'string' },
    'no-certificate': { type: 'boolean' },
    file: { type: 'string' },
    from: { type: 'string' },
    until: { type: 'string' },
  });
  const by = operator();
  switch (words) {
    case 'account add': {
      if (!values.username) throw new UsageError('edgate gateway account add needs --username');
      const box = context.secretBox();
      const created = await context.withDatabase(({ db }) =>
        createGatewayAccount(db, box, {
          username: values.username!,
          laCode: values.la,
          agent: values.agent,
          requireCertificate: !values['no-certificate'],
          by,
        }),
      );
      console.log(
        `Created gateway account ${created.username} for ${created.kind === 'la' ? `local authority ${created.laCode}` : `agent ${created.organisation}`}.`,
      );
      console.log(`Password (shown once): ${created.password}`);
      console.log(`FID API key (shown once): ${created.apiKey}`);
      return 0;
    }
    case 'certificate add': {
      if (!values.username || !values.file)
        throw new UsageError('edgate gateway certificate add needs --username and --file');
      let pem: string;
      try {
        pem = readFileSync(values.file, 'utf8');
      } catch (error) {
        throw new UsageError(`${values.file}: ${(error as Error).message}`);
      }
      const added = await context.withDatabase(({ db }) => addCertificate(db, values.username!, pem, by));
      console.log(
        `Registered certificate ${added.subject} (SHA-1 ${added.thumbprintSha1}, valid to ${added.notAfter.toISOString().slice(0, 10)}).`,
      );
      return 0;
    }
    case 'authorise': {
      if (!values.agent || !values.la)
        throw new UsageError('edgate gateway authorise needs --agent and --la');
      const validFrom = dateOption(values.from);
      const id = await context.withDatabase(({ db }) =>
        authorise(db, {
          organisation: values.agent!,
          laCode: values.la!,
          validFrom,
          validUntil: values.until,
          by,
        }),
      );
      console.log(
        `Authorisation ${id}: ${values.agent} may collect local authority ${values.la}'s extract from ${validFrom}${values.until ? ` to ${values.until}` : ' until revoked'}.`,
      );
      return 0;
    }
    case 'revoke': {
      if (!values.agent || !values.la) throw new UsageError('edgate gateway revoke needs --agent and --la');
      const count = await context.withDatabase(({ db }) =>
        revoke(db, { organisation: values.agent!, laCode: values.la!, by }),
      );
      console.log(
        count > 0
          ? `Revoked ${count} authorisation(s).`
          : `No current authorisation of ${values.agent} by ${values.la}.`,
      );
      return count > 0 ? 0 : 1;
    }
    default:
      throw new UsageError(
        'Usage: edgate gateway account add|list|disable|enable|rotate-password|rotate-api-key | certificate add|list|remove | authorise | revoke',
      );
  }
}

async function extractCommand(context: RegulatorCommandContext, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseCommand(rest, {
    date: { type: 'string' },
    la: { type: 'string', multiple: true },
    out: { type: 'string' },
  });
  const date = dateOption(values.date);
  switch (sub) {
    case 'run': {
      const started = performance.now();
      const summary = await context.withDatabase(({ db }) =>
        runExtracts(db, {
          extractDate: date,
          laCodes: values.la,
          leaseSeconds: context.settings.extractLeaseSeconds,
          onProgress: (outcome, done, total) => {
            if (process.stderr.isTTY) {
              const width = 30;
              const filled = Math.round((done / total) * width);
              process.stderr.write(
                `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${outcome.laCode}`,
              );
            } else if (outcome.outcome === 'failed') {
              console.error(`${outcome.laCode}: failed: ${outcome.error}`);
            }
          },
        }),
      );
      if (process.stderr.isTTY) process.stderr.write('\n');
      const records = summary.outcomes.reduce(
        (sum, o) => sum + (o.outcome === 'built' ? o.recordCount : 0),
        0,
      );
      const bytes = summary.outcomes.reduce((sum, o) => sum + (o.outcome === 'built' ? o.sizeBytes : 0), 0);
      console.log(
        `Extracts for ${date}: ${summary.built} built (${records} registrations, ${(bytes / 1e6).toFixed(1)} MB), ` +
          `${summary.skipped} already done or in hand elsewhere, ${summary.failed} failed, in ${((performance.now() - started) / 1000).toFixed(1)} s.`,
      );
      for (const o of summary.outcomes)
        if (o.outcome === 'failed') console.error(`  ${o.laCode}: ${o.error}`);
      return summary.failed > 0 ? 1 : 0;
    }
    case 'list': {
      const extracts = await context.withDatabase(({ db }) => extractsOfDate(db, date));
      if (extracts.length === 0) console.log(`No extracts for ${date}.`);
      for (const e of extracts) {
        const la = localAuthorityByCode(e.laCode)?.name ?? '';
        const detail =
          e.status === 'ready'
            ? `${e.recordCount} registrations, ${e.sizeBytes} bytes, ${e.buildMs} ms`
            : (e.error ?? e.claimedBy);
        console.log(`${e.laCode}  ${e.status.padEnd(8)}  ${la.padEnd(32)}  ${detail}`);
      }
      return 0;
    }
    case 'show':
    case 'export': {
      const la = positionals[0];
      if (!la || !/^\d{3}$/.test(la))
        throw new UsageError(`Usage: edgate extract ${sub} LA [--date YYYY-MM-DD]`);
      if (sub === 'show') {
        const summary = await context.withDatabase(({ db }) => extractSummary(db, la, date));
        if (!summary) {
          console.error(`No extract for ${la} on ${date}.`);
          return 1;
        }
        for (const [key, value] of Object.entries(summary))
          console.log(`${key.padEnd(16)} ${value instanceof Date ? value.toISOString() : String(value)}`);
        return 0;
      }
      const stored = await context.withDatabase(({ db }) => readyExtract(db, la, date));
      if (!stored) {
        console.error(`No ready extract for ${la} on ${date}.`);
        return 1;
      }
      const xml = gunzipSync(stored.content);
      if (values.out) {
        writeFileSync(values.out, xml);
        console.log(`Wrote ${xml.length} bytes (${stored.recordCount} registrations) to ${values.out}.`);
      } else {
        process.stdout.write(xml);
      }
      return 0;
    }
    default:
      throw new UsageError('Usage: edgate extract run|list|show|export');
  }
}

function usernameOption(
  args: string[],
  fail: (message: string) => Error,
  usage: string,
  extra: { thumbprint?: boolean } = {},
): { username?: string; thumbprint?: string } {
  try {
    const { values, positionals } = parseArgs({
      args,
      options: {
        username: { type: 'string' },
        ...(extra.thumbprint ? { thumbprint: { type: 'string' } } : {}),
      },
      strict: true,
      allowPositionals: true,
    });
    if (positionals.length > 0) throw new Error(`Unexpected argument "${positionals[0]}"`);
    return values as { username?: string; thumbprint?: string };
  } catch (error) {
    throw fail(`${(error as Error).message}. Usage: ${usage}`);
  }
}

const GATEWAY_ACCESS_SUBCOMMANDS = [
  'account list',
  'account disable',
  'account enable',
  'account rotate-password',
  'account rotate-api-key',
  'certificate list',
  'certificate remove',
];

/** `edgate gateway account …` and `edgate gateway certificate …` (other than `add`). */
async function gatewayAccessCommand(
  context: RegulatorCommandContext,
  words: string,
  args: string[],
): Promise<number> {
  const fail = (message: string) => new GatewayAdminError(message);
  const by = operator();
  switch (words) {
    case 'account list': {
      usernameOption(args, fail, 'edgate gateway account list');
      const accounts = await context.withDatabase(({ db }) => listGatewayAccounts(db));
      if (accounts.length === 0) console.log('No gateway accounts.');
      for (const a of accounts) {
        const state = a.disabledAt ? `disabled ${day(a.disabledAt)}` : 'active';
        const who = a.kind === 'la' ? `LA ${a.laCode} ${a.organisation}` : `agent ${a.organisation}`;
        const certificates = `${a.certificates} certificate(s)${a.requireCertificate ? '' : ', signature optional'}`;
        console.log(`${a.username.padEnd(24)} ${state.padEnd(25)} ${certificates.padEnd(38)} ${who}`);
      }
      return 0;
    }
    case 'certificate list': {
      const { username } = usernameOption(args, fail, 'edgate gateway certificate list [--username U]');
      const certificates = await context.withDatabase(({ db }) => listCertificates(db, username));
      if (certificates.length === 0) console.log('No certificates registered.');
      for (const c of certificates)
        console.log(
          `${c.username.padEnd(24)} ${c.thumbprintSha1}  valid to ${c.notAfter.toISOString().slice(0, 10)}  ${c.subject.replace(/\n/g, ', ')}`,
        );
      return 0;
    }
    case 'certificate remove': {
      const usage = 'edgate gateway certificate remove --username U [--thumbprint T]';
      const { username, thumbprint } = usernameOption(args, fail, usage, { thumbprint: true });
      if (!username) throw fail(`edgate gateway certificate remove needs --username. Usage: ${usage}`);
      const removed = await context.withDatabase(({ db }) =>
        removeCertificate(db, { username, thumbprint, by }),
      );
      console.log(
        `Removed certificate ${removed.thumbprintSha1} (${removed.subject.replace(/\n/g, ', ')}) from ${username}: signatures made with it are refused from now on.`,
      );
      return 0;
    }
  }
  const verb = words.split(' ')[1] ?? '';
  const usage = `edgate gateway account ${verb} --username U`;
  const { username } = usernameOption(args, fail, usage);
  if (!username) throw fail(`edgate gateway account ${verb} needs --username. Usage: ${usage}`);
  switch (words) {
    case 'account disable':
    case 'account enable': {
      const disabled = verb === 'disable';
      const changed = await context.withDatabase(({ db }) =>
        setGatewayAccountDisabled(db, { username, disabled, by }),
      );
      console.log(
        !changed
          ? `Gateway account ${username} is already ${disabled ? 'disabled' : 'enabled'}; nothing changed.`
          : disabled
            ? `Disabled gateway account ${username}: its SOAP and FID requests are refused from now on.`
            : `Enabled gateway account ${username}: it can collect again with its current password, key and certificates.`,
      );
      return 0;
    }
    case 'account rotate-password': {
      const box = context.secretBox();
      const password = await context.withDatabase(({ db }) =>
        rotateGatewayPassword(db, box, { username, by }),
      );
      console.log(`New password for gateway account ${username}; the old one no longer works.`);
      console.log(`Password (shown once): ${password}`);
      return 0;
    }
    case 'account rotate-api-key': {
      const apiKey = await context.withDatabase(({ db }) => rotateGatewayApiKey(db, { username, by }));
      console.log(`New FID API key for gateway account ${username}; the old one no longer works.`);
      console.log(`FID API key (shown once): ${apiKey}`);
      return 0;
    }
    default:
      throw fail(`Unknown command "edgate gateway ${words}"`);
  }
}

const day = (date: Date) => date.toISOString().slice(0, 16).replace('T', ' ');
