/**
 * The shape of the whole database, one interface per PostgreSQL schema. Each role owns its
 * schema (and its migrations), so a role can later move to a database of its own.
 */
import type { PlatformTables } from '../auth/tables.ts';
import type { RegulatorTables } from '../../regulator/register/tables.ts';
import type { GatewayTables } from '../../regulator/gateway/tables.ts';
import type { DfeOAuthTables } from '../../dfe/oauth/tables.ts';
import type { DfeSchoolTables } from '../../dfe/schools/tables.ts';

export type EdgateDatabase = PlatformTables &
  RegulatorTables &
  GatewayTables &
  DfeOAuthTables &
  DfeSchoolTables;
