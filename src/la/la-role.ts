/**
 * The LA role's plugin: the directory's pages (review queue, held snapshots, directory, settings)
 * and its Open Referral UK API; and `onSnapshot`, the hook the collection calls after storing a
 * new snapshot, which takes it in.
 */
import type { FastifyInstance } from 'fastify';
import type { RoleContext } from '../platform/role.ts';
import type { Database } from '../platform/db/database.ts';
import { directoryPages } from './directory/directory-pages.ts';
import { orukRoutes } from './directory/oruk-routes.ts';
import { takeInSnapshot, type TakeInOutcome } from './directory/take-in.ts';

export async function laRole(app: FastifyInstance, context: RoleContext<unknown>): Promise<void> {
  const now = context.now ?? (() => new Date());
  await directoryPages(app, { db: context.handle.db, now });
  const settings = (context.settings ?? {}) as { orukRequestsPerMinute?: number };
  await orukRoutes(app, {
    db: context.handle.db,
    publicUrl: context.config.publicUrl,
    requestsPerMinute: settings.orukRequestsPerMinute,
  });
}

/** What the collector calls after storing a new snapshot: it is taken in (or held) at once. */
export function onSnapshot(
  db: Database,
  now: () => Date = () => new Date(),
): (snapshotId: number) => Promise<TakeInOutcome> {
  return (snapshotId) => takeInSnapshot(db, snapshotId, { now: now(), by: 'collector' });
}
