/** The school role's sync as a plugin: the submissions pages and the twice-daily schedule. */
import type { FastifyInstance } from 'fastify';
import type { RoleContext } from '../../platform/role.ts';
import { submissionsPages } from './sync-pages.ts';
import { runSchoolSync, scheduleSchoolSync, ReceiverNotSetUpError } from './sync-runner.ts';
import { describeResult } from './sync.ts';
import type { SchoolSyncSettings } from './sync-settings.ts';

export async function schoolSyncRole(
  app: FastifyInstance,
  context: RoleContext<SchoolSyncSettings>,
): Promise<void> {
  const now = context.now ?? (() => new Date());
  const { db } = context.handle;
  await submissionsPages(app, { db, secretBox: context.secretBox, settings: context.settings, now });
  if (!context.settings.syncSchedule) return;
  scheduleSchoolSync(app, context, async (at, slot) => {
    try {
      const results = await runSchoolSync(db, context.secretBox, context.settings, { now: at, slot });
      for (const result of results) app.log.info({ urn: result.urn, slot }, describeResult(result));
    } catch (error) {
      if (error instanceof ReceiverNotSetUpError) app.log.warn(error.message);
      else throw error;
    }
  });
}
