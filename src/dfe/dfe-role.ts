/**
 * The DfE role: the OAuth 2.0 client-credentials token endpoint and the JWKS its access tokens
 * verify against, and the attendance API (submissions, consents, look-ups) behind them; the
 * statistics of what arrived, as an API for LAs and analysts and as pages for DfE analysts.
 */
import type { FastifyInstance } from 'fastify';
import type { RoleContext } from '../platform/role.ts';
import type { DfeSettings } from './dfe-settings.ts';
import { oauthRoutes } from './oauth/token-routes.ts';
import { SigningKeys } from './oauth/signing-keys.ts';
import { attendanceRoutes } from './collection/attendance-routes.ts';
import { AttendanceStatistics } from './statistics/attendance-statistics.ts';
import { statisticsRoutes } from './statistics/statistics-routes.ts';
import { statisticsPages } from './statistics/statistics-pages.ts';
import { supplierChangePages } from './consent/supplier-change-pages.ts';
import { clientPages } from './oauth/client-pages.ts';

/** The audience of access tokens for the attendance API. */
export const ATTENDANCE_AUDIENCE = 'edgate-attendance';

export async function dfeRole(app: FastifyInstance, context: RoleContext<DfeSettings>): Promise<void> {
  const lifetimeSeconds = context.settings.accessTokenLifetimeSeconds;
  const keys = new SigningKeys(context.handle.db, { lifetimeSeconds, box: context.secretBox });
  await app.register(oauthRoutes, {
    db: context.handle.db,
    issuer: context.config.publicUrl,
    audience: ATTENDANCE_AUDIENCE,
    lifetimeSeconds,
    keys,
    now: context.now,
  });
  const now = context.now ?? (() => new Date());
  const bearer = {
    db: context.handle.db,
    keys,
    issuer: context.config.publicUrl,
    audience: ATTENDANCE_AUDIENCE,
    now,
  };
  await app.register(attendanceRoutes, { db: context.handle.db, bearer, now });
  // A test's clock also ages the kept national answers; in service, the monotonic clock does.
  const statistics = new AttendanceStatistics(context.handle.db, {
    clock: context.now && (() => now().getTime()),
  });
  await app.register(statisticsRoutes, { statistics, bearer, now });
  await statisticsPages(app, { db: context.handle.db, statistics, now });
  await supplierChangePages(app, { db: context.handle.db, now });
  await clientPages(app, { db: context.handle.db, keys, lifetimeSeconds, now });
}
