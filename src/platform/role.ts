/** What the composition root hands each role's plugin. */
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.ts';
import type { DatabaseHandle } from './db/database.ts';
import type { SecretBox } from './auth/secret-box.ts';

export interface RoleContext {
  handle: DatabaseHandle;
  /** Only the settings roles read; tests pass a partial configuration. */
  config: Pick<
    Config,
    | 'publicUrl'
    | 'extractTime'
    | 'extractRetentionDays'
    | 'extractSchedule'
    | 'extractLeaseSeconds'
    | 'gatewayMaintenance'
    | 'gatewayRequestsPerMinute'
    | 'accessTokenLifetimeSeconds'
  >;
  /** Seals and opens secrets the services must read back (gateway passwords). */
  secretBox: SecretBox;
  /** The clock, for tests; defaults to the real one. */
  now?: () => Date;
}

export type RolePlugin = (app: FastifyInstance, context: RoleContext) => Promise<void>;
