/**
 * edgate's app (test-app.ts: the same assembly as `edgate serve`) over real HTTPS on a free port,
 * with a fresh test database, and a client that trusts exactly its self-signed certificate (TLS
 * is verified, not switched off) and keeps cookies like a browser. For tests where the transport
 * is the point; route behaviour runs in-process with `startTestApp`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadTls } from '../../src/platform/http/tls.ts';
import type { SecretBox } from '../../src/platform/auth/secret-box.ts';
import type { TestDatabase } from './test-database.ts';
import { freePort } from './postgres-cluster.ts';
import { httpsCall, type ApiCall } from './api-client.ts';
import { buildTestApp, cookieClient, type TestAppOptions, type TestClient } from './test-app.ts';

export {
  csrfTokenIn,
  roleContextOf,
  TEST_PASSWORD,
  TEST_ROLE_CONFIG,
  type TestClient,
  type TestResponse,
} from './test-app.ts';

export interface TestServer {
  app: FastifyInstance;
  secretBox: SecretBox;
  handle: TestDatabase;
  baseUrl: string;
  ca: string;
  /** One request over HTTPS. */
  call: ApiCall;
  client(): TestClient;
  close(): Promise<void>;
}

export async function startTestServer(options: Omit<TestAppOptions, 'tls'> = {}): Promise<TestServer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'edgate-tls-'));
  const tls = await loadTls({ dataDir: dir });
  // The gateway checks the signed wsa:To against the public address, which includes the port:
  // take a free port first so the address is known before the routes are built.
  const port = await freePort();
  const baseUrl = `https://127.0.0.1:${port}`;
  // The school role sends to the DfE role of this same server: it trusts this server's certificate.
  const receiverCaFile = path.join(dir, 'tls', 'server.crt');
  const built = await buildTestApp({
    ...options,
    tls,
    config: { receiverCaFile, ...options.config, publicUrl: baseUrl },
  });
  await built.app.listen({ host: '127.0.0.1', port });
  const call = httpsCall(baseUrl, tls.cert);
  return {
    ...built,
    ca: tls.cert,
    call,
    client: () => cookieClient(call),
    close: async () => {
      await built.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A client of an edgate server at `baseUrl` that trusts exactly `ca` and keeps cookies like a browser. */
export function testClient(baseUrl: string, ca: string): TestClient {
  return cookieClient(httpsCall(baseUrl, ca));
}
