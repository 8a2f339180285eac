/**
 * The LA role's command: `edgate la …`. Sources (secrets are read from a file or an environment
 * variable, never from the command line, and never printed), collecting now, and the snapshots
 * kept. Subcommands are a table so part 2 (directory, review) adds its own beside these.
 */
import { readFileSync, statSync } from 'node:fs';
import { localAuthorityByCode } from '../platform/reference.ts';
import { MAX_DOCUMENT_BYTES } from './collection/extract-document.ts';
import { operator, parseCommand, UsageError } from '../platform/cli/command.ts';
import type { CommandContext, RoleCommand } from '../platform/role.ts';
import type { LaSettings } from './la-settings.ts';
import type { SignatureAlgorithm, SourceKind } from './tables.ts';
import { addSource, findSource, listSources, setSourceEnabled, SourceError } from './collection/sources.ts';
import { collectAll, takeUpload } from './collection/collect-all.ts';
import { httpsTransport } from './collection/transport.ts';
import { latestSnapshots } from './collection/snapshot-store.ts';
import { OUTCOME_WORDS } from './collection/outcome-words.ts';
import { DIRECTORY_SUBCOMMANDS } from './directory/directory-cli.ts';
import { ATTENDANCE_USAGE, attendanceSourceCommand } from './attendance/attendance-cli.ts';

type LaCommandContext = CommandContext<LaSettings>;
export type LaSubcommand = (args: string[], context: LaCommandContext) => Promise<number>;

const USAGE = `  edgate la source add --name NAME --kind soap|fid --endpoint URL --la CODE [--la CODE…]
                         [--username U --password-file F|--password-env VAR]
                         [--certificate CERT.pem --key KEY.pem | --pfx FILE --pfx-password-file F|--pfx-password-env VAR]
                         [--algorithm rsa-sha1|rsa-sha256] [--api-key-file F|--api-key-env VAR]
                         [--service-key KEY] [--time HH:MM]
                                       where this LA (or agent, for several LAs) collects the
                                       extract; secrets are read from files or variables
  edgate la source list                every source, without its secrets
  edgate la source disable|enable --name NAME
                                       stop (or resume) collecting from a source
  edgate la collect [--source NAME…] [--la CODE…] [--again]
                                       collect now (what is already collected today is left
                                       alone unless --again)
  edgate la upload --la CODE FILE      take in an extract file by hand (stored like a collected one)
  edgate la snapshots [--la CODE]      the documents collected, newest first`;

function secret(values: Record<string, unknown>, name: string): string | undefined {
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

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`${file}: ${(error as Error).message}`);
  }
}

async function sourceCommand(args: string[], context: LaCommandContext): Promise<number> {
  const [sub, ...rest] = args;
  const { values } = parseCommand(rest, {
    name: { type: 'string' },
    kind: { type: 'string' },
    endpoint: { type: 'string' },
    la: { type: 'string', multiple: true },
    username: { type: 'string' },
    'password-file': { type: 'string' },
    'password-env': { type: 'string' },
    certificate: { type: 'string' },
    key: { type: 'string' },
    pfx: { type: 'string' },
    'pfx-password-file': { type: 'string' },
    'pfx-password-env': { type: 'string' },
    algorithm: { type: 'string' },
    'api-key-file': { type: 'string' },
    'api-key-env': { type: 'string' },
    'service-key': { type: 'string' },
    time: { type: 'string' },
  });
  switch (sub) {
    case 'add': {
      if (!values.name) throw new UsageError('edgate la source add needs --name');
      const kind = values.kind as SourceKind | undefined;
      if (kind !== 'soap' && kind !== 'fid') throw new UsageError('--kind must be soap or fid');
      if (values.algorithm && values.algorithm !== 'rsa-sha1' && values.algorithm !== 'rsa-sha256')
        throw new UsageError('--algorithm must be rsa-sha1 or rsa-sha256');
      if ((values.certificate === undefined) !== (values.key === undefined))
        throw new UsageError('Give both --certificate and --key (PEM), or --pfx.');
      if (values.pfx && values.certificate)
        throw new UsageError('Give --certificate and --key, or --pfx, not both.');
      const certificate = values.pfx
        ? {
            format: 'pfx' as const,
            pfxBase64: (() => {
              try {
                return readFileSync(values.pfx!).toString('base64');
              } catch (error) {
                throw new UsageError(`${values.pfx}: ${(error as Error).message}`);
              }
            })(),
            password: secret(values, 'pfx-password') ?? '',
          }
        : values.certificate
          ? {
              format: 'pem' as const,
              certificatePem: readText(values.certificate),
              keyPem: readText(values.key!),
            }
          : undefined;
      const password = secret(values, 'password');
      const fidApiKey = secret(values, 'api-key');
      const box = context.secretBox();
      const id = await context.withDatabase(({ db }) =>
        addSource(db, box, {
          name: values.name!,
          kind,
          ...(values.endpoint ? { endpointUrl: values.endpoint } : {}),
          ...(values.username ? { username: values.username } : {}),
          ...(password ? { password } : {}),
          ...(fidApiKey ? { fidApiKey } : {}),
          ...(values['service-key'] ? { fidServiceKey: values['service-key'] } : {}),
          ...(certificate ? { certificate } : {}),
          ...(values.algorithm ? { signatureAlgorithm: values.algorithm as SignatureAlgorithm } : {}),
          laCodes: values.la ?? [],
          ...(values.time ? { collectTime: values.time } : {}),
          by: operator(),
        }),
      );
      console.log(
        `Added source ${values.name} (${id}): ${kind.toUpperCase()} for ${(values.la ?? []).join(', ')}, collected daily at ${values.time ?? '06:30'} London time.`,
      );
      return 0;
    }
    case 'list': {
      const sources = await context.withDatabase(({ db }) => listSources(db));
      if (sources.length === 0) console.log('No sources yet: add one with edgate la source add.');
      for (const s of sources) {
        console.log(
          [
            s.name,
            s.kind,
            s.enabled ? 'enabled' : 'disabled',
            s.endpointUrl ?? '-',
            s.laCodes.join(' '),
            s.collectTime,
            s.hasCertificate ? `certificate, ${s.signatureAlgorithm}` : 'no certificate',
          ].join('\t'),
        );
      }
      return 0;
    }
    case 'disable':
    case 'enable': {
      if (!values.name) throw new UsageError(`edgate la source ${sub} needs --name`);
      const done = await context.withDatabase(async ({ db }) => {
        const source = await findSource(db, values.name!);
        return source ? setSourceEnabled(db, source.id, sub === 'enable', operator()) : false;
      });
      if (!done) throw new UsageError(`There is no source called ${values.name}.`);
      console.log(`Source ${values.name} ${sub === 'enable' ? 'enabled' : 'disabled'}.`);
      return 0;
    }
    default:
      throw new UsageError('Usage: edgate la source add|list|disable|enable');
  }
}

async function collectCommand(args: string[], context: LaCommandContext): Promise<number> {
  const { values } = parseCommand(args, {
    source: { type: 'string', multiple: true },
    la: { type: 'string', multiple: true },
    again: { type: 'boolean' },
  });
  const box = context.secretBox();
  const results = await context.withDatabase(({ db }) =>
    collectAll(db, {
      now: new Date(),
      secretBox: box,
      ...(values.source ? { sources: values.source } : {}),
      ...(values.la ? { laCodes: values.la } : {}),
      again: values.again === true,
      leaseSeconds: context.settings.collectLeaseSeconds,
      retry: context.settings.collectRetry,
      transport: httpsTransport(context.settings.gatewayCa ? { ca: context.settings.gatewayCa } : {}),
      onProgress: (r, done, total) =>
        console.log(
          `[${done}/${total}] ${r.sourceName} ${r.laCode}: ${OUTCOME_WORDS[r.outcome]}` +
            `${r.attempts > 1 ? ` after ${r.attempts} tries` : ''}${r.error ? ` — ${r.error}` : ''}`,
        ),
    }),
  );
  if (results.length === 0) console.log('Nothing to collect: no enabled source matches.');
  const failed = results.filter(
    (r) => !['collected', 'same-as-before', 'claimed-elsewhere'].includes(r.outcome),
  );
  return failed.length > 0 ? 1 : 0;
}

async function snapshotsCommand(args: string[], context: LaCommandContext): Promise<number> {
  const { values } = parseCommand(args, { la: { type: 'string' } });
  const snapshots = await context.withDatabase(({ db }) => latestSnapshots(db, values.la));
  if (snapshots.length === 0) console.log('No snapshots yet.');
  for (const s of snapshots) {
    console.log(
      [
        s.id,
        s.laCode,
        s.collectedAt.toISOString(),
        s.extractDateTime ?? '-',
        s.state,
        s.recordCount === null ? '-' : `${s.recordCount} registrations`,
        `${s.sizeBytes} bytes`,
        s.problem ?? '',
      ].join('\t'),
    );
  }
  return 0;
}

async function uploadCommand(args: string[], context: LaCommandContext): Promise<number> {
  const { values, positionals } = parseCommand(args, { la: { type: 'string' } });
  if (!values.la || positionals.length !== 1) throw new UsageError('Usage: edgate la upload --la CODE FILE');
  if (!localAuthorityByCode(values.la))
    throw new UsageError(`${values.la} is not the 3-digit code of a local authority.`);
  let bytes: Buffer;
  try {
    bytes =
      statSync(positionals[0]!).size > MAX_DOCUMENT_BYTES ? Buffer.alloc(0) : readFileSync(positionals[0]!);
  } catch (error) {
    throw new UsageError(`${positionals[0]}: ${(error as Error).message}`);
  }
  if (bytes.length === 0)
    throw new UsageError(`${positionals[0]} is empty or larger than ${MAX_DOCUMENT_BYTES / 1024 / 1024} MB.`);
  const result = await context.withDatabase(({ db }) =>
    takeUpload(db, { laCode: values.la!, bytes, by: operator(), now: new Date() }),
  );
  console.log(
    `Snapshot ${result.snapshotId}: ${OUTCOME_WORDS[result.outcome]}${result.error ? ` — ${result.error}` : ''}`,
  );
  return result.outcome === 'invalid-document' ? 1 : 0;
}

/** `edgate la WORD …`: part 2 adds its words here. */
export const LA_SUBCOMMANDS: Record<string, LaSubcommand> = {
  source: sourceCommand,
  collect: collectCommand,
  snapshots: snapshotsCommand,
  upload: uploadCommand,
  // The directory's: changes, accept, reject, take-in, auto-apply (directory/directory-cli.ts).
  ...Object.fromEntries(DIRECTORY_SUBCOMMANDS.map((c) => [c.name, c.run])),
  'attendance-source': attendanceSourceCommand,
};

export const LA_COMMANDS: RoleCommand<LaSettings>[] = [
  {
    name: 'la',
    usage: [USAGE, ...DIRECTORY_SUBCOMMANDS.map((c) => c.usage), ATTENDANCE_USAGE].join('\n'),
    run: async (args, context) => {
      const [word, ...rest] = args;
      const run = word ? LA_SUBCOMMANDS[word] : undefined;
      if (!run) throw new UsageError(`Usage: edgate la ${Object.keys(LA_SUBCOMMANDS).join('|')} …`);
      try {
        return await run(rest, context);
      } catch (error) {
        if (error instanceof SourceError) throw new UsageError(error.message);
        throw error;
      }
    },
  },
];
