/**
 * The regulator's side of the demo world beyond the register: the gateway accounts LAs collect
 * with (an agent with a certificate, authorised by two LAs; a third LA's own FID account), and
 * the two latest days' extracts, with a few caseworker status changes between them so the
 * later extract has news for the LAs. All synthetic; made once, on first start.
 */
import { generate } from 'selfsigned';
import { sql } from 'kysely';
import type { Database } from '../platform/db/database.ts';
import type { SecretBox } from '../platform/auth/secret-box.ts';
import { addDays } from '../platform/calendar.ts';
import { latestOccurrence } from '../platform/jobs/occurrences.ts';
import { localAuthorityByCode } from '../platform/reference.ts';
import { addCertificate, authorise, createGatewayAccount } from './gateway/gateway-store.ts';
import { recordStatusChange } from './register/record-status-change.ts';
import type { StatusChangeRequest } from './register/status-change.ts';
import { runExtracts } from './extract/extract-runs.ts';

/** The LAs an agent collects for, and one that collects its own through FID. */
export const DEMO_AGENT_LAS = ['825', '826'] as const;
export const DEMO_FID_LA = '830';
const AGENT = { username: 'demo-agent', organisation: 'Northgate Childcare Data Services (demo agent)' };

/** What the composition root needs to point the LA role at this gateway: secrets made once. */
export interface RegulatorDemoHandover {
  agent: {
    username: string;
    password: string;
    certificatePem: string;
    keyPem: string;
    laCodes: string[];
  };
  fid: { username: string; apiKey: string; laCode: string };
}

/** The agent's account, certificate and authorisations, and the FID LA's account; undefined when there already. */
export async function seedDemoGateway(
  db: Database,
  box: SecretBox,
  now: Date,
): Promise<{ handover: RegulatorDemoHandover; credentials: string[] } | undefined> {
  const existing = await db
    .selectFrom('regulator.gateway_account')
    .select('id')
    .where('username', '=', AGENT.username)
    .executeTakeFirst();
  if (existing) return undefined;
  const agent = await createGatewayAccount(db, box, { username: AGENT.username, agent: AGENT.organisation });
  // The agent's own key pair and certificate, as it would make them and send the regulator the certificate.
  const certificate = await generate([{ name: 'commonName', value: `${AGENT.organisation}` }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 30 * 86_400_000),
    notAfterDate: new Date(now.getTime() + 365 * 86_400_000),
  });
  const added = await addCertificate(db, agent.username, certificate.cert);
  const validFrom = addDays(now.toISOString().slice(0, 10), -30);
  for (const laCode of DEMO_AGENT_LAS)
    await authorise(db, { organisation: AGENT.organisation, laCode, validFrom, by: 'demo world' });
  const fid = await createGatewayAccount(db, box, {
    username: `demo-fid-${DEMO_FID_LA}`,
    laCode: DEMO_FID_LA,
    requireCertificate: false,
  });
  return {
    handover: {
      agent: {
        username: agent.username,
        password: agent.password,
        certificatePem: certificate.cert,
        keyPem: certificate.private,
        laCodes: [...DEMO_AGENT_LAS],
      },
      fid: { username: fid.username, apiKey: fid.apiKey, laCode: DEMO_FID_LA },
    },
    credentials: [
      `${agent.username}\t${agent.password}\t(ISPP gateway agent for ${DEMO_AGENT_LAS.join(' and ')}, certificate ${added.thumbprintSha1}; the LA role's source "Demo agent (SOAP)" holds both)`,
      `${fid.username}\t${fid.password}\t(gateway account of LA ${DEMO_FID_LA}; FID APIKEY ${fid.apiKey})`,
    ],
  };
}

/** What the caseworkers did the day before the latest extract: news for each demo LA. */
const DEMO_STATUS_CHANGES: readonly { laCode: string; request: StatusChangeRequest }[] = [
  {
    laCode: '825',
    request: { kind: 'resign', reason: 'The provider told us they have stopped offering childcare.' },
  },
  {
    laCode: '825',
    request: {
      kind: 'suspend',
      grounds: 'Children may be at risk of harm',
      endDate: '',
      reason: 'Suspended while a complaint is investigated (demo).',
    },
  },
  { laCode: '826', request: { kind: 'resign', reason: 'The provider has retired.' } },
  {
    laCode: '830',
    request: { kind: 'cancel', ground: 'fee-not-paid', reason: 'The annual fee was not paid (demo).' },
  },
];

/**
 * The extracts of the latest run day and the one before (so a start before 05:30 is not empty),
 * with the caseworkers' changes between them; nothing when any extract is already there.
 */
export async function seedDemoExtracts(
  db: Database,
  now: Date,
  extractTime: string,
  say: (line: string) => void = () => undefined,
): Promise<string[]> {
  const any = await db.selectFrom('regulator.extract').select('la_code').limit(1).executeTakeFirst();
  if (any) return [];
  const latest = latestOccurrence([extractTime], now);
  const previous = latestOccurrence([extractTime], new Date(latest.dueAt.getTime() - 1));
  const lines: string[] = [];
  const build = async (at: { date: string; dueAt: Date }) => {
    say(`Building the extracts of ${at.date}…`);
    const started = performance.now();
    const summary = await runExtracts(db, { extractDate: at.date, now: () => at.dueAt });
    // The run stamps the database's clock; the demo's runs happened at their 05:30, not at this start.
    await sql`
      update regulator.extract set claimed_at = ${at.dueAt}, lease_until = ${at.dueAt},
        built_at = ${at.dueAt}::timestamptz + make_interval(secs => coalesce(build_ms, 0) / 1000.0)
      where extract_date = ${at.date}::date`.execute(db);
    await sql`update regulator.extract_fragment set written_at = ${at.dueAt} where written_at > ${at.dueAt}`.execute(
      db,
    );
    lines.push(
      `Built the extracts of ${at.date} for ${summary.built} local authorities in ${Math.round(performance.now() - started)} ms.`,
    );
  };
  await build(previous);
  // The changes are made the afternoon after the earlier extract: the later one carries them.
  const changedOn = previous.date;
  const changedAt = new Date(previous.dueAt.getTime() + 9 * 3600_000);
  let changes = 0;
  const taken = new Map<string, number>();
  for (const change of DEMO_STATUS_CHANGES) {
    const offset = taken.get(change.laCode) ?? 0;
    taken.set(change.laCode, offset + 1);
    const candidates = await db
      .selectFrom('regulator.registration')
      .select('reference_number')
      .where('la_code', '=', change.laCode)
      .where('status', '=', 'ACTV')
      .orderBy('reference_number')
      .limit(1)
      .offset(offset)
      .execute();
    const reference = candidates[0]?.reference_number;
    if (!reference) continue;
    const request =
      change.request.kind === 'suspend'
        ? { ...change.request, endDate: addDays(changedOn, 28) }
        : change.request;
    const outcome = await recordStatusChange(db, {
      referenceNumber: reference,
      request,
      actor: 'caseworker',
      today: changedOn,
    });
    if (outcome.outcome !== 'changed')
      throw new Error(`demo status change refused: ${JSON.stringify(outcome)}`);
    // Made that afternoon (the database stamped this start): before the later extract that carries it.
    await sql`update regulator.status_change set changed_at = ${changedAt} where reference_number = ${reference}`.execute(
      db,
    );
    await sql`update regulator.registration set updated_at = ${changedAt} where reference_number = ${reference}`.execute(
      db,
    );
    changes++;
  }
  lines.push(
    `Caseworkers made ${changes} status changes in ${[...new Set(DEMO_STATUS_CHANGES.map((c) => localAuthorityByCode(c.laCode)?.name ?? c.laCode))].join(', ')} on ${changedOn}.`,
  );
  await build(latest);
  return lines;
}
