/**
 * The demo world's cross-role wiring, done here in the composition root because a role never
 * imports another: each role talks to the others as real deployments do, over HTTPS to this very
 * instance. Before the server listens, each LA's directory is filled as it stood (the earlier
 * extract, uploaded and accepted whole) and the school role's receiver is pointed at this
 * instance's DfE role with the supplier's OAuth client the DfE seeding made. Once listening, the
 * LA sources are pointed at this instance's gateway — an agent's SOAP source with the
 * certificate the regulator's seeding registered, and an LA's own FID source — and collected, so
 * the latest extract's changes wait for review; and the schools are synced through the real sync.
 * The LA's attendance source is the DfE role's statistics API, with the LA client the DfE made.
 */
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { rootCertificates } from 'node:tls';
import type { DatabaseHandle } from '../platform/db/database.ts';
import type { SecretBox } from '../platform/auth/secret-box.ts';
import type { TlsMaterial } from '../platform/http/tls.ts';
import { londonDateOf } from '../platform/calendar.ts';
import { termDaysUpTo } from '../contracts/attendance/term-dates.ts';
import { latestOccurrence } from '../platform/jobs/occurrences.ts';
import { claimOccurrence, completeOccurrence, type Claim } from '../platform/jobs/claimed-job.ts';
import type { Settings } from '../edgate.ts';
import type { RegulatorDemoHandover } from '../regulator/regulator-demo.ts';
import type { RegulatorSettings } from '../regulator/regulator-settings.ts';
import { readyExtract } from '../regulator/extract/extract-store.ts';
import { GATEWAY_PATH } from '../regulator/gateway/gateway-routes.ts';
import { FID_JSON_PATH } from '../regulator/gateway/fid-routes.ts';
import type { LaSettings } from '../la/la-settings.ts';
import { addSource } from '../la/collection/sources.ts';
import { collectAll, takeUpload } from '../la/collection/collect-all.ts';
import { httpsTransport } from '../la/collection/transport.ts';
import { takeInBaseline } from '../la/directory/demo-directory.ts';
import { takeInSnapshot } from '../la/directory/take-in.ts';
import { pendingCounts } from '../la/directory/directory-store.ts';
import { setAttendanceSource } from '../la/attendance/attendance-source.ts';
import type { SchoolSyncSettings } from '../school/sync/sync-settings.ts';
import { saveReceiverSettings } from '../school/sync/receiver-settings.ts';
import { runSchoolSync, SCHOOL_SYNC_JOB } from '../school/sync/sync-runner.ts';
import type { DfeDemoHandover } from '../dfe/demo-attendance.ts';
import { TOKEN_PATH } from '../dfe/oauth/token-routes.ts';
import { dailyFigures } from '../dfe/statistics/statistics-store.ts';

/** What the roles' demo seeding handed over on this start (only on the start that seeded them). */
export interface DemoHandovers {
  regulator?: RegulatorDemoHandover;
  dfe?: DfeDemoHandover;
  /** The school sync's latest occurrence, claimed before listening so the schedule leaves it to the wiring. */
  schoolSync?: Claim;
}

const BY = 'demo world';
const SOAP_SOURCE = 'Demo agent (SOAP)';

/**
 * An instance on its own self-signed certificate trusts it when its LA role collects from its
 * regulator role, and its school role sends to its DfE role — unless told otherwise.
 */
export function trustOwnCertificate(settings: Settings, tls: TlsMaterial, dataDir: string): void {
  if (!tls.selfSigned) return;
  const la = settings.roles.get('la') as LaSettings | undefined;
  if (la && !la.gatewayCa) la.gatewayCa = [...rootCertificates, tls.cert];
  const school = settings.roles.get('school') as SchoolSyncSettings | undefined;
  if (school && !school.receiverCaFile) school.receiverCaFile = path.join(dataDir, 'tls', 'server.crt');
}

/** The demo's two extract days: the latest run's, and the one before. */
function extractDays(settings: Settings, now: Date) {
  const time = (settings.roles.get('regulator') as RegulatorSettings | undefined)?.extractTime ?? '05:30';
  const latest = latestOccurrence([time], now);
  return { latest, previous: latestOccurrence([time], new Date(latest.dueAt.getTime() - 1)) };
}

async function extractDocument(handle: DatabaseHandle, laCode: string, date: string): Promise<Buffer> {
  const stored = await readyExtract(handle.db, laCode, date);
  if (!stored) throw new Error(`The demo extract of ${laCode} for ${date} is missing`);
  return gunzipSync(stored.content);
}

/** Before listening: the directories as they stood, and the school role's receiver. */
export async function wireDemoBeforeListening(
  handle: DatabaseHandle,
  box: SecretBox,
  settings: Settings,
  handovers: DemoHandovers,
  tls: TlsMaterial,
  now: Date,
): Promise<string[]> {
  const lines: string[] = [];
  const { regulator, dfe } = handovers;
  if (regulator) {
    const { previous } = extractDays(settings, now);
    for (const laCode of [...regulator.agent.laCodes, regulator.fid.laCode]) {
      const providers = await takeInBaseline(handle.db, {
        laCode,
        document: await extractDocument(handle, laCode, previous.date),
        collectedAt: new Date(previous.dueAt.getTime() + 3600_000),
        acceptedAt: new Date(previous.dueAt.getTime() + 3.5 * 3600_000),
        by: BY,
      });
      if (providers !== undefined)
        lines.push(`LA ${laCode}: its directory as it stood on ${previous.date}, ${providers} providers.`);
    }
  }
  if (dfe) {
    const publicUrl = settings.config.publicUrl;
    await saveReceiverSettings(
      handle.db,
      box,
      {
        baseUrl: publicUrl,
        tokenUrl: `${publicUrl}${TOKEN_PATH}`,
        clientId: dfe.supplier.clientId,
        clientSecret: dfe.supplier.clientSecret,
        scope: 'attendance.submit',
        extraHeaders: {},
        appId: 'edgate demo MIS',
      },
      BY,
    );
    lines.push(`The school role sends to this instance's DfE role (${publicUrl}) as the Demo MIS.`);
    // The LA reads its schools' attendance from the DfE role's statistics API with its own client.
    await setAttendanceSource(
      handle.db,
      box,
      {
        laCode: dfe.la.laCode,
        baseUrl: `${publicUrl}/`,
        tokenUrl: `${publicUrl}${TOKEN_PATH}`,
        clientId: dfe.la.clientId,
        clientSecret: dfe.la.clientSecret,
        ...(tls.selfSigned ? { caPem: tls.cert } : {}),
      },
      BY,
    );
    lines.push(
      `LA ${dfe.la.laCode} reads its schools' attendance from this instance's DfE role with its own client.`,
    );
    // The schedule would catch this occurrence up on start, racing the wiring's own sync: the
    // wiring claims it first, runs it once listening, and records it done.
    const school = settings.roles.get('school') as SchoolSyncSettings;
    const claimed = await claimOccurrence(
      handle.db,
      SCHOOL_SYNC_JOB,
      latestOccurrence(school.syncTimes, now),
      {
        instanceId: BY,
        now,
        leaseSeconds: school.syncLeaseSeconds,
        retryFailed: true,
      },
    );
    if (claimed.claimed) handovers.schoolSync = claimed.claim;
  }
  return lines;
}

export interface ListeningInstance {
  /** Where this instance answers (the port it really listens on). */
  url: string;
  tls: TlsMaterial;
  now: Date;
  say: (line: string) => void;
}

/** Once listening: the LA collection over this instance's gateway, and the schools' sync. */
export async function wireDemoAfterListening(
  handle: DatabaseHandle,
  box: SecretBox,
  settings: Settings,
  handovers: DemoHandovers,
  instance: ListeningInstance,
): Promise<void> {
  const { regulator, dfe } = handovers;
  const { say, now } = instance;
  const ca = instance.tls.selfSigned ? [...rootCertificates, instance.tls.cert] : undefined;
  const db = handle.db;
  if (regulator) {
    const { latest } = extractDays(settings, now);
    const laCodes = [...regulator.agent.laCodes, regulator.fid.laCode];
    await addSource(db, box, {
      name: SOAP_SOURCE,
      kind: 'soap',
      endpointUrl: `${instance.url}${GATEWAY_PATH}`,
      username: regulator.agent.username,
      password: regulator.agent.password,
      certificate: {
        format: 'pem',
        certificatePem: regulator.agent.certificatePem,
        keyPem: regulator.agent.keyPem,
      },
      signatureAlgorithm: 'rsa-sha256',
      laCodes: regulator.agent.laCodes,
      by: BY,
    });
    const fidSource = `LA ${regulator.fid.laCode} (FID)`;
    await addSource(db, box, {
      name: fidSource,
      kind: 'fid',
      endpointUrl: `${instance.url}${FID_JSON_PATH}`,
      fidApiKey: regulator.fid.apiKey,
      fidServiceKey: 'demo-service-key',
      laCodes: [regulator.fid.laCode],
      by: BY,
    });
    const takeIn = (snapshotId: number) => takeInSnapshot(db, snapshotId, { now, by: 'collector' });
    if (latest.date === londonDateOf(now)) {
      say(
        `Collecting today's extracts over this instance's gateway (SOAP for ${regulator.agent.laCodes.join(', ')}, FID for ${regulator.fid.laCode})…`,
      );
      const results = await collectAll(db, {
        now,
        secretBox: box,
        sources: [SOAP_SOURCE, fidSource],
        transport: httpsTransport(ca ? { ca } : {}),
        retry: { attempts: 2, baseDelayMs: 1000 },
        onSnapshot: async (id) => void (await takeIn(id)),
      });
      for (const r of results)
        say(`  LA ${r.laCode} from ${r.sourceName}: ${r.outcome}${r.error ? ` (${r.error})` : ''}`);
    } else {
      // Before today's run the gateway has nothing new: the latest extract is handed over as a file.
      say(
        `Today's extracts are built at ${latest.time}; the LAs took in ${latest.date}'s as uploaded files.`,
      );
      for (const laCode of laCodes) {
        const uploaded = await takeUpload(db, {
          laCode,
          bytes: await extractDocument(handle, laCode, latest.date),
          by: BY,
          now,
        });
        if (uploaded.snapshotId !== undefined) await takeIn(uploaded.snapshotId);
      }
    }
    for (const laCode of laCodes) {
      const pending = (await pendingCounts(db, laCode)).total;
      say(`  LA ${laCode}: ${pending} change${pending === 1 ? '' : 's'} waiting for review.`);
    }
  }
  if (dfe) {
    const school = settings.roles.get('school') as SchoolSyncSettings;
    say('Syncing the demo schools to the DfE role (OAuth 2.0 client credentials, then POST /attendances)…');
    const claim = handovers.schoolSync;
    const results = await runSchoolSync(db, box, school, {
      now,
      ...(claim ? { slot: `${claim.occurrence.date} ${claim.occurrence.time}` } : {}),
      receiverOptions: ca ? { ca: ca.join('\n') } : {},
    });
    if (claim) await completeOccurrence(db, claim, { status: 'succeeded' }, now);
    const sent = results.filter((r) => r.sends.some((s) => s.state.startsWith('accepted'))).length;
    say(`  ${sent} of ${results.length} schools' sends accepted by the DfE role.`);
    const today = londonDateOf(now);
    // The last two term days: in the holidays, the end of the term before.
    const days = await dailyFigures(db, { kind: 'national' }, termDaysUpTo(today, 2)[0] ?? today, today);
    // Today's is the morning's registers of the demo schools alone; the day before, every school.
    for (const day of days.slice(-2))
      if (day.attendanceRate !== null && day.unauthorisedRate !== null)
        say(
          `  The DfE dashboard, ${day.date}: attendance ${(day.attendanceRate * 100).toFixed(1)}%, unauthorised absence ${(day.unauthorisedRate * 100).toFixed(1)}%, over ${day.schools} schools.`,
        );
  }
}
