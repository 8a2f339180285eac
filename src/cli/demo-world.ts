/**
 * The demo world `npm start` creates in an empty database: each role seeds its own part (a
 * synthetic register, schools and their attendance, one account per role). Generated passwords
 * and keys are kept in <dataDir>/demo-accounts.txt (never in the repository) and printed at each
 * start.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { DatabaseHandle } from '../platform/db/database.ts';
import type { SecretBox } from '../platform/auth/secret-box.ts';
import type { AnyRoleModule, Settings } from '../edgate.ts';

export async function seedDemoWorld(
  handle: DatabaseHandle,
  settings: Settings,
  box: SecretBox,
  modules: readonly AnyRoleModule[],
  now: Date = new Date(),
): Promise<string[]> {
  const { config } = settings;
  const lines: string[] = [];
  const credentialsFile = path.join(config.dataDir, 'demo-accounts.txt');
  for (const module of modules) {
    if (!module.seedDemo) continue;
    const seeded = await module.seedDemo({
      handle,
      config,
      settings: settings.roles.get(module.name),
      secretBox: box,
      now,
    });
    lines.push(...seeded.lines);
    if (seeded.credentials.length > 0) {
      const header = existsSync(credentialsFile) ? '' : '# Demo sign-ins for this local instance only\n';
      appendFileSync(credentialsFile, `${header}${seeded.credentials.join('\n')}\n`, { mode: 0o600 });
    }
  }
  if (existsSync(credentialsFile)) {
    lines.push(`Demo sign-ins (from ${path.relative(process.cwd(), credentialsFile)}):`);
    for (const line of readFileSync(credentialsFile, 'utf8').split('\n')) {
      if (line && !line.startsWith('#')) lines.push(`  ${line.replace(/\t/g, '  ')}`);
    }
  }
  return lines;
}
