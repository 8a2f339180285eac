/**
 * The shape of the whole database, one interface per PostgreSQL schema. The platform declares
 * its own tables; each role adds its schema's by augmenting this interface beside its tables:
 *
 *   declare module '../platform/db/schema.ts' { interface EdgateDatabase extends RegulatorTables {} }
 *
 * so queries stay typed while the platform imports no role.
 */
import type { PlatformTables } from '../auth/tables.ts';

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- roles extend it
export interface EdgateDatabase extends PlatformTables {}
