/**
 * edgate's DfE role over real HTTPS on a free port, as the school role's receiver: the schools
 * register holds the given schools and a supplier's OAuth client is registered. The school side
 * talks to it over HTTPS only, as a real MIS would.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { createHttpServer } from '../../src/platform/http/server.ts';
import { loadTls } from '../../src/platform/http/tls.ts';
import { SecretBox } from '../../src/platform/auth/secret-box.ts';
import type { Database } from '../../src/platform/db/database.ts';
import type { DatabaseHandle } from '../../src/platform/db/database.ts';
import { dfeRole } from '../../src/dfe/dfe-role.ts';
import { createClient } from '../../src/dfe/oauth/clients.ts';
import { upsertSchools } from '../../src/dfe/schools/school-store.ts';
import type { School } from '../../src/dfe/schools/school.ts';
import type { ReceiverSettings } from '../../src/school/sync/receiver-client.ts';
import { TEST_ROLE_CONFIG, roleContextOf } from './test-server.ts';
import { freePort } from './postgres-cluster.ts';

export interface DfeReceiver {
  app: FastifyInstance;
  db: Database;
  baseUrl: string;
  ca: string;
  supplierClientId: string;
  /** The receiver settings a school-role instance uses to reach it. */
  settings: ReceiverSettings;
  close(): Promise<void>;
}

/** An open primary school of LA 825 as the DfE's schools register holds it. */
export function dfeSchool(urn: number, name: string, laCode = '825'): School {
  return {
    urn,
    name,
    laCode,
    typeOfEstablishment: 'Community school',
    phaseOfEducation: 'Primary',
    status: 'Open',
    street: null,
    town: 'Exampleton',
    postcode: 'ZZ1 1ZZ',
  };
}

export async function startDfeReceiver(options: {
  handle: DatabaseHandle;
  urns: readonly number[];
  now?: () => Date;
  /** Hooks to add before the server listens (a test's injected trouble). */
  beforeListen?: (app: FastifyInstance) => void;
  logLevel?: string;
  /** The LA of a school in the register, by URN: default 825. */
  laCodes?: Record<number, string>;
  /** The supplier's scopes: default the send's only. */
  supplierScopes?: string[];
}): Promise<DfeReceiver> {
  const dir = mkdtempSync(path.join(tmpdir(), 'edgate-dfe-'));
  const tls = await loadTls({ dataDir: dir });
  const port = await freePort();
  const baseUrl = `https://127.0.0.1:${port}`;
  const app = await createHttpServer({ db: options.handle.db, tls, logLevel: options.logLevel ?? 'silent' });
  options.beforeListen?.(app);
  await dfeRole(app, {
    handle: options.handle,
    ...roleContextOf({ ...TEST_ROLE_CONFIG, publicUrl: baseUrl, accessTokenLifetimeSeconds: 3600 }),
    secretBox: new SecretBox(randomBytes(32)),
    ...(options.now ? { now: options.now } : {}),
  });
  await app.listen({ host: '127.0.0.1', port });
  await upsertSchools(
    options.handle.db,
    options.urns.map((urn, i) => dfeSchool(urn, `Synthetic School ${i + 1}`, options.laCodes?.[urn])),
  );
  const supplier = await createClient(options.handle.db, {
    name: 'School MIS',
    scopes: options.supplierScopes ?? ['attendance.submit'],
  });
  return {
    app,
    db: options.handle.db,
    baseUrl,
    ca: tls.cert,
    supplierClientId: supplier.clientId,
    settings: {
      baseUrl,
      tokenUrl: `${baseUrl}/oauth2/token`,
      clientId: supplier.clientId,
      clientSecret: supplier.clientSecret,
      scope: 'attendance.submit',
      extraHeaders: {},
      appId: 'edgate-school',
    },
    close: async () => {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
