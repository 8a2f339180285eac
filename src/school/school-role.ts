/** The school role's pages: the register; the sync's pages register beside them. */
import type { FastifyInstance } from 'fastify';
import type { RoleContext } from '../platform/role.ts';
import { registerPages } from './register-pages.ts';
import { insightPages } from './insight-pages.ts';
import type { SchoolSyncSettings } from './sync/sync-settings.ts';

export async function schoolRole(
  app: FastifyInstance,
  context: RoleContext<SchoolSyncSettings>,
): Promise<void> {
  const now = context.now ?? (() => new Date());
  await registerPages(app, { db: context.handle.db, now });
  await insightPages(app, {
    db: context.handle.db,
    now,
    secretBox: context.secretBox,
    settings: context.settings,
  });
}
