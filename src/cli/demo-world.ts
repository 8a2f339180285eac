/**
 * The demo world `npm start` creates in an empty database: each role seeds its own part (a
 * synthetic register and its extracts, schools and their attendance, one account per role), then
 * demo-wiring.ts connects the roles as real deployments are connected. Generated passwords and
 * keys are kept in <dataDir>/demo-accounts.txt (never in the repository) and printed at each start.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { DatabaseHandle } from '../platform/db/database.ts';
import type { SecretBox } from '../platform/auth/secret-box.ts';
import type { AnyRoleModule, Settings } from '../edgate.ts';
import type { DemoHandovers } from './demo-wiring.ts';

export const DEMO_CREDENTIALS_FILE = 'demo-accounts.txt';

export interface SeededWorld {
  /** The sign-ins, to print once the address is. */
  signIns: string[];
  /** What the roles' seeding handed over for the wiring: only on the start that seeded them. */
  handovers: DemoHandovers;
}

export async function seedDemoWorld(
  handle: DatabaseHandle,
  settings: Settings,
  box: SecretBox,
  modules: readonly AnyRoleModule[],
  now: Date = new Date(),
  say: (line: string) => void = () => undefined,
): Promise<SeededWorld> {
  const { config } = settings;
  const credentialsFile = path.join(config.dataDir, DEMO_CREDENTIALS_FILE);
  const handovers: Record<string, unknown> = {};
  for (const module of modules) {
    if (!module.seedDemo) continue;
    const started = performance.now();
    const seeded = await module.seedDemo({
      handle,
      config,
      settings: settings.roles.get(module.name),
      secretBox: box,
      now,
      say: (line) => say(`  ${line}`),
    });
    if (seeded.handover !== undefined) handovers[module.name] = seeded.handover;
    for (const line of seeded.lines) say(`  ${line}`);
    if (seeded.lines.length > 0)
      say(`  (${module.title.split(':')[0]}: ${((performance.now() - started) / 1000).toFixed(1)} s)`);
    if (seeded.credentials.length > 0) {
      const header = existsSync(credentialsFile) ? '' : '# Demo sign-ins for this local instance only\n';
      appendFileSync(credentialsFile, `${header}${seeded.credentials.join('\n')}\n`, { mode: 0o600 });
    }
  }
  const signIns: string[] = [];
  if (existsSync(credentialsFile)) {
    signIns.push(
      `Demo sign-ins (passwords and keys, also in ${path.relative(process.cwd(), credentialsFile)}):`,
    );
    for (const line of readFileSync(credentialsFile, 'utf8').split('\n')) {
      if (line && !line.startsWith('#')) signIns.push(`  ${line.replace(/\t/g, '  ')}`);
    }
  }
  return { signIns, handovers: handovers as DemoHandovers };
}
