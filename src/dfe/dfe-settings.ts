/** The environment variables the DfE role reads. */
import type { SettingsReader } from '../platform/settings.ts';

export interface DfeSettings {
  /** Lifetime of the attendance API's access tokens. */
  accessTokenLifetimeSeconds: number;
}

export function readDfeSettings(read: SettingsReader): DfeSettings {
  return { accessTokenLifetimeSeconds: read.integer('ACCESS_TOKEN_LIFETIME_SECONDS', 3600, 60, 86400) };
}
