/**
 * The sync as the server's schedule, the CLI and the pages run it: the receiver from the saved
 * settings, the schools' sends from the school tables.
 */
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../platform/db/database.ts';
import type { SecretBox } from '../../platform/auth/secret-box.ts';
import type { RoleContext } from '../../platform/role.ts';
import { createJobScheduler } from '../../platform/jobs/claimed-job.ts';
import { ReceiverClient, type ReceiverClientOptions } from './receiver-client.ts';
import { loadReceiverSettings } from './receiver-settings.ts';
import { databaseSource } from './attendance-source.ts';
import { syncSchools, type SchoolSyncResult, type SyncOptions } from './sync.ts';
import type { SchoolSyncSettings } from './sync-settings.ts';

export class ReceiverNotSetUpError extends Error {
  constructor() {
    super(
      'No receiver is set up: run `edgate school receiver set --base-url … --token-url … --client-id … --scope …` first.',
    );
  }
}

/** The receiver client of the saved settings; undefined when none are saved. */
export async function receiverFor(
  db: Database,
  box: SecretBox,
  settings: Pick<SchoolSyncSettings, 'receiverCaFile'>,
  options: ReceiverClientOptions = {},
): Promise<ReceiverClient | undefined> {
  const saved = await loadReceiverSettings(db, box);
  if (!saved) return undefined;
  const ca = settings.receiverCaFile ? readFileSync(settings.receiverCaFile, 'utf8') : undefined;
  return new ReceiverClient(saved, { sessionId: randomUUID(), ...(ca ? { ca } : {}), ...options });
}

/** One sync of every consenting school (or those of `urns`) with the saved receiver. */
export async function runSchoolSync(
  db: Database,
  box: SecretBox,
  settings: SchoolSyncSettings,
  options: Omit<SyncOptions, 'receiver' | 'source'> & { receiverOptions?: ReceiverClientOptions },
): Promise<SchoolSyncResult[]> {
  const receiver = await receiverFor(db, box, settings, options.receiverOptions);
  if (!receiver) throw new ReceiverNotSetUpError();
  return syncSchools(db, {
    leaseSeconds: settings.syncLeaseSeconds,
    ...options,
    receiver,
    source: databaseSource(db),
  });
}

/**
 * The twice-daily sync as one claimed job (src/platform/jobs/claimed-job.ts): each occurrence
 * ("2026-11-20 08:30") runs once across instances, and an instance started after a missed one
 * runs it on start. The slot also names the sends, so even a run taken over after a lease
 * expired stores one send per school per sync.
 */
export function scheduleSchoolSync(
  app: FastifyInstance,
  context: RoleContext<SchoolSyncSettings>,
  run: (now: Date, slot: string) => Promise<void>,
): void {
  const now = context.now ?? (() => new Date());
  const jobs = createJobScheduler({
    db: context.handle.db,
    jobs: [
      {
        name: SCHOOL_SYNC_JOB,
        times: context.settings.syncTimes,
        run: ({ occurrence }) => run(now(), `${occurrence.date} ${occurrence.time}`),
      },
    ],
    log: app.log,
    now,
    leaseSeconds: context.settings.syncLeaseSeconds,
  });
  app.addHook('onReady', async () => jobs.start());
  app.addHook('onClose', async () => jobs.stop());
}

export const SCHOOL_SYNC_JOB = 'school-sync';
