/**
 * `edgate serve ROLE… --workers N`: N server processes on one port (node:cluster), so one machine's
 * cores all serve requests. The services are stateless — sessions, tokens' keys, nonces, claims and
 * runs live in PostgreSQL — so a worker is just another instance; the embedded database serves one
 * process only, hence PostgreSQL is required. The primary prepares what workers would otherwise race
 * to create (migrations, the self-signed certificate, the secret key file), then keeps N workers
 * running: one that dies is replaced, and SIGTERM stops them all gracefully.
 */
import cluster from 'node:cluster';
import type { Config } from '../platform/config.ts';
import { loadTls } from '../platform/http/tls.ts';
import { loadSecretBox } from '../platform/auth/secret-key.ts';
import { openConfiguredDatabase } from './database.ts';

export const MAX_WORKERS = 64;
/** V8 young-generation semi-space for server processes, in MB (V8's default is 16). */
export const SEMI_SPACE_MB = 64;

/** In the primary: prepares shared state and supervises the workers; never returns. */
export async function superviseWorkers(config: Config, workers: number, args: string[]): Promise<void> {
  const handle = await openConfiguredDatabase(config);
  await handle.close();
  await loadTls({ certFile: config.tlsCertFile, keyFile: config.tlsKeyFile, dataDir: config.dataDir });
  loadSecretBox({ key: config.secretKey, dataDir: config.dataDir });

  // A larger young generation: a submission is ~100 KB of short-lived JSON, and with V8's default
  // the scavenger ran often enough to cost a fifth of the ingest throughput (bench/attendance-ingest).
  const execArgv = process.execArgv.some((flag) => flag.startsWith('--max-semi-space-size'))
    ? process.execArgv
    : [...process.execArgv, `--max-semi-space-size=${SEMI_SPACE_MB}`];
  cluster.setupPrimary({ args, execArgv });
  let stopping = false;
  const fork = () => cluster.fork();
  for (let i = 0; i < workers; i++) fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    console.error(`edgate worker ${worker.process.pid} ended (${signal ?? code}); starting another`);
    fork();
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      stopping = true;
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
      setTimeout(() => process.exit(1), 20_000).unref();
    });
  }
  console.log(`edgate: ${workers} workers on one port (primary ${process.pid})`);
}

export function isWorker(): boolean {
  return cluster.isWorker;
}
