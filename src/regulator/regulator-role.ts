/**
 * The regulator role: the register (search, registrations, status changes, admin API), the
 * daily per-LA extracts (schedule, run pages, downloads, the published XSD) and the ISPP
 * gateway through which LAs and their agents collect them.
 */
import type { FastifyInstance } from 'fastify';
import type { RoleContext } from '../platform/role.ts';
import type { RegulatorSettings } from './regulator-settings.ts';
import { createJobScheduler } from '../platform/jobs/claimed-job.ts';
import { registerRoutes } from './register/register-routes.ts';
import { extractRoutes } from './extract/extract-routes.ts';
import { dailyExtractJob } from './extract/extract-schedule.ts';
import { INSTANCE_ID } from './extract/extract-runs.ts';
import { IsppGateway } from './gateway/gateway-service.ts';
import { GATEWAY_PATH, gatewayRoutes } from './gateway/gateway-routes.ts';
import { gatewayPages } from './gateway/gateway-pages.ts';
import { gatewayAdminPages } from './gateway/gateway-admin-pages.ts';
import { fidRoutes } from './gateway/fid-routes.ts';

export async function regulatorRole(
  app: FastifyInstance,
  context: RoleContext<RegulatorSettings>,
): Promise<void> {
  const now = context.now ?? (() => new Date());
  await registerRoutes(app, context.handle, now);
  await extractRoutes(app, context.handle, now);

  const endpointUrl = `${context.config.publicUrl}${GATEWAY_PATH}`;
  const gateway = new IsppGateway({
    db: context.handle.db,
    box: context.secretBox,
    now,
    endpointUrl,
    maintenance: context.settings.gatewayMaintenance,
    requestsPerMinute: context.settings.gatewayRequestsPerMinute,
    log: app.log,
  });
  await gatewayRoutes(app, { gateway, endpointUrl });
  await fidRoutes(app, {
    db: context.handle.db,
    now,
    maintenance: context.settings.gatewayMaintenance,
    requestsPerMinute: context.settings.gatewayRequestsPerMinute,
    log: app.log,
  });
  await gatewayPages(app, context.handle.db);
  await gatewayAdminPages(app, { db: context.handle.db, box: context.secretBox, now });

  if (context.settings.extractSchedule) {
    const jobs = createJobScheduler({
      db: context.handle.db,
      jobs: [
        dailyExtractJob(context.handle.db, {
          time: context.settings.extractTime,
          retentionDays: context.settings.extractRetentionDays,
          leaseSeconds: context.settings.extractLeaseSeconds,
        }),
      ],
      log: app.log,
      now,
      instanceId: INSTANCE_ID,
      leaseSeconds: context.settings.extractLeaseSeconds,
    });
    // Started once serving: an instance started after today's run time, with today's run not
    // succeeded (never run, failed, or its holder dead), runs it now; the claim keeps it once.
    app.addHook('onReady', async () => jobs.start());
    app.addHook('onClose', async () => jobs.stop());
  }
}
