/**
 * The regulator's side of bench/la-collect-national, in a process of its own so that its CPU,
 * its extract cache and its RSS are not counted as the collector's: edgate's HTTPS server with
 * the regulator role, as production composes it.
 *
 *   node --import tsx bench/support/la-collect-server.ts <databaseUrl> <port> <tlsDataDir> <secretKeyBase64>
 *
 * Sends `{ type: 'ready' }` over IPC once listening; on `{ type: 'stop' }` closes and answers
 * `{ type: 'stopped', cpuS, peakRssMb }` (this process's CPU seconds and peak RSS since start).
 */
import { createHttpServer } from '../../src/platform/http/server.ts';
import { loadTls } from '../../src/platform/http/tls.ts';
import { openDatabase } from '../../src/platform/db/database.ts';
import { SecretBox } from '../../src/platform/auth/secret-box.ts';
import { regulatorRole } from '../../src/regulator/regulator-role.ts';

export type ServerMessage = { type: 'ready' } | { type: 'stopped'; cpuS: number; peakRssMb: number };

const [databaseUrl, portText, tlsDir, secretKey] = process.argv.slice(2);
if (!databaseUrl || !portText || !tlsDir || !secretKey || !process.send) {
  console.error(
    'usage (with an IPC channel): la-collect-server.ts <databaseUrl> <port> <tlsDataDir> <secretKeyBase64>',
  );
  process.exit(2);
}
const port = Number(portText);
const handle = await openDatabase({ databaseUrl });
const tls = await loadTls({ dataDir: tlsDir });
const app = await createHttpServer({ db: handle.db, tls, logLevel: 'error' });
await regulatorRole(app, {
  handle,
  config: { publicUrl: `https://127.0.0.1:${port}` },
  settings: {
    extractTime: '05:30',
    extractRetentionDays: 30,
    extractLeaseSeconds: 600,
    extractSchedule: false,
    gatewayMaintenance: undefined,
    gatewayRequestsPerMinute: 100_000,
  },
  secretBox: SecretBox.fromBase64(secretKey),
});
await app.listen({ host: '127.0.0.1', port });

process.on('message', (message: { type: string }) => {
  if (message.type !== 'stop') return;
  void (async () => {
    await app.close();
    await handle.close();
    const cpu = process.cpuUsage();
    const reply: ServerMessage = {
      type: 'stopped',
      cpuS: (cpu.user + cpu.system) / 1e6,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
    };
    process.send!(reply, () => process.disconnect());
  })();
});
process.send({ type: 'ready' } satisfies ServerMessage);
