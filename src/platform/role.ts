/** What the composition root hands each role's plugin. */
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.ts';
import type { DatabaseHandle } from './db/database.ts';

export interface RoleContext {
  handle: DatabaseHandle;
  /** Only the settings roles read; tests pass a partial configuration. */
  config: Pick<Config, 'extractTime' | 'extractRetentionDays' | 'extractSchedule' | 'extractLeaseSeconds'>;
  /** The clock, for tests; defaults to the real one. */
  now?: () => Date;
}

export type RolePlugin = (app: FastifyInstance, context: RoleContext) => Promise<void>;
