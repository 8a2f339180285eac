/**
 * The LA role's web side and schedule: the collection pages, the staleness gauge, and the daily
 * collection of each source at its time. Part 2 (directory, review, ORUK) registers beside these
 * and passes `onSnapshot` to take each new snapshot in.
 */
import type { FastifyInstance } from 'fastify';
import { Gauge } from 'prom-client';
import type { RoleContext } from '../platform/role.ts';
import { ATTENDANCE_DEFAULTS, type LaSettings } from './la-settings.ts';
import { collectionPages } from './collection/collection-pages.ts';
import { collectAll } from './collection/collect-all.ts';
import { scheduleCollection } from './collection/collection-schedule.ts';
import { collectionStaleness } from './collection/staleness.ts';
import { httpsTransport } from './collection/transport.ts';
import type { Database } from '../platform/db/database.ts';
import { directoryPages } from './directory/directory-pages.ts';
import { orukRoutes } from './directory/oruk-routes.ts';
import { takeInSnapshot, type TakeInOutcome } from './directory/take-in.ts';
import { attendancePages } from './attendance/attendance-pages.ts';

export interface LaRoleHooks {
  /** Called after each new readable snapshot is stored; default: take it in (directory/take-in.ts). */
  onSnapshot?: (snapshotId: number) => Promise<void> | void;
}

export async function laRole(
  app: FastifyInstance,
  context: RoleContext<LaSettings>,
  hooks: LaRoleHooks = {},
): Promise<void> {
  const now = context.now ?? (() => new Date());
  const db = context.handle.db;
  await collectionPages(app, { db, box: context.secretBox, now });
  await directoryPages(app, { db, now });
  await attendancePages(app, {
    db,
    box: context.secretBox,
    now,
    freshForMs: (context.settings.attendanceFreshMinutes ?? ATTENDANCE_DEFAULTS.freshMinutes) * 60_000,
    retryAfterMs: (context.settings.attendanceRetrySeconds ?? ATTENDANCE_DEFAULTS.retrySeconds) * 1000,
    timeoutMs: (context.settings.attendanceTimeoutSeconds ?? ATTENDANCE_DEFAULTS.timeoutSeconds) * 1000,
  });
  await orukRoutes(app, {
    db,
    publicUrl: context.config.publicUrl,
    requestsPerMinute: context.settings.orukRequestsPerMinute,
  });
  const takeIn = onSnapshot(db, now);
  const afterSnapshot =
    hooks.onSnapshot ??
    (async (snapshotId: number) => {
      const outcome = await takeIn(snapshotId);
      if (outcome.kind === 'held')
        app.log.warn(
          { snapshot: snapshotId, la: outcome.laCode },
          'snapshot held for a person to confirm or discard',
        );
    });

  new Gauge({
    name: 'edgate_la_extract_stale',
    help: '1 when a collected LA has had no new extract for more than one working day',
    labelNames: ['la_code'],
    registers: [app.metrics],
    async collect() {
      this.reset();
      for (const s of await collectionStaleness(db, now())) this.labels(s.laCode).set(s.stale ? 1 : 0);
    },
  });

  if (context.settings.collectSchedule) {
    const transport = httpsTransport(context.settings.gatewayCa ? { ca: context.settings.gatewayCa } : {});
    scheduleCollection(app, db, now, async (sources) => {
      const results = await collectAll(db, {
        now: now(),
        secretBox: context.secretBox,
        sources,
        transport,
        leaseSeconds: context.settings.collectLeaseSeconds,
        retry: context.settings.collectRetry,
        onSnapshot: afterSnapshot,
      });
      for (const r of results.filter((x) => x.outcome !== 'claimed-elsewhere')) {
        app.log.info(
          { source: r.sourceName, la: r.laCode, outcome: r.outcome, attempts: r.attempts },
          r.error ?? 'collected',
        );
      }
    });
  }
}

/** What the collector calls after storing a new snapshot: it is taken in (or held) at once. */
export function onSnapshot(
  db: Database,
  now: () => Date = () => new Date(),
): (snapshotId: number) => Promise<TakeInOutcome> {
  return (snapshotId) => takeInSnapshot(db, snapshotId, { now: now(), by: 'collector' });
}
