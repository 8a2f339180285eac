/**
 * The shape of the whole database, one interface per PostgreSQL schema. Each role owns its
 * schema (and its migrations), so a role can later move to a database of its own.
 */
import type { PlatformTables } from '../auth/tables.ts';
import type { RegulatorTables } from '../../childcare/register/tables.ts';
import type { GatewayTables } from '../../childcare/gateway/tables.ts';
import type { DfeOAuthTables } from '../../attendance/oauth/tables.ts';
import type { DfeSchoolTables } from '../../attendance/schools/tables.ts';

export type EdgateDatabase = PlatformTables &
  RegulatorTables &
  GatewayTables &
  DfeOAuthTables &
  DfeSchoolTables;
