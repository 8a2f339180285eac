/**
 * The attendance tests' common set-up: edgate's app with the DfE role, in-process, on a fresh
 * database with the given schools, and OAuth clients with real tokens from its token endpoint.
 */
import { createClient } from '../../src/dfe/oauth/clients.ts';
import { upsertSchools } from '../../src/dfe/schools/school-store.ts';
import type { School } from '../../src/dfe/schools/school.ts';
import { startTestApp, type TestApp, type TestAppOptions } from './test-app.ts';
import { tokenFor } from './api-client.ts';

/** The DfE role in-process, with `schools` in its register. */
export async function startAttendanceApp(
  options: TestAppOptions & { schools?: readonly School[] } = {},
): Promise<TestApp> {
  const { schools = [], ...appOptions } = options;
  const started = await startTestApp({ roles: ['dfe'], ...appOptions });
  if (schools.length > 0) await upsertSchools(started.handle.db, [...schools]);
  return started;
}

export interface TokenHolder {
  clientId: string;
  clientSecret: string;
  token: string;
}

/** A new OAuth client of the attendance API and an access token for `scope` (default: all it has). */
export async function clientWithToken(
  app: Pick<TestApp, 'handle' | 'call'>,
  client: Parameters<typeof createClient>[1],
  scope = client.scopes.join(' '),
): Promise<TokenHolder> {
  const created = await createClient(app.handle.db, client);
  return { ...created, token: await tokenFor(app.call, created, scope) };
}
