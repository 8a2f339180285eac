/**
 * The DfE role. So far: the OAuth 2.0 client-credentials token endpoint and the JWKS its
 * access tokens verify against; the attendance API is built on them next.
 */
import type { FastifyInstance } from 'fastify';
import type { RoleContext } from '../platform/role.ts';
import { oauthRoutes } from './oauth/token-routes.ts';
import { SigningKeys } from './oauth/signing-keys.ts';

/** The audience of access tokens for the attendance API. */
export const ATTENDANCE_AUDIENCE = 'edgate-attendance';

export async function dfeRole(app: FastifyInstance, context: RoleContext): Promise<void> {
  const lifetimeSeconds = context.config.accessTokenLifetimeSeconds;
  const keys = new SigningKeys(context.handle.db, { lifetimeSeconds });
  await app.register(oauthRoutes, {
    db: context.handle.db,
    issuer: context.config.publicUrl,
    audience: ATTENDANCE_AUDIENCE,
    lifetimeSeconds,
    keys,
    now: context.now,
  });
}
