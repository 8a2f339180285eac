/**
 * The demo world `npm start` creates in an empty database: a synthetic register at demo scale
 * and one account per role, whose generated passwords are kept in <dataDir>/demo-accounts.txt
 * (never in the repository) and printed at each start.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../platform/config.ts';
import type { DatabaseHandle } from '../platform/db/database.ts';
import { createAccount } from '../platform/auth/accounts.ts';
import type { SecretBox } from '../platform/auth/secret-box.ts';
import { createGatewayAccount } from '../regulator/gateway/gateway-store.ts';
import { londonDateOf } from '../platform/calendar.ts';
import { loadGeneratedRegister } from '../regulator/register/register-load.ts';
import { seedDemoAttendance } from '../dfe/demo-attendance.ts';

const DEMO_ACCOUNTS = [
  { username: 'caseworker', displayName: 'Casey Worker (demo)', roles: ['caseworker'] },
  { username: 'admin', displayName: 'Ada Admin (demo)', roles: ['admin', 'caseworker'] },
  { username: 'analyst', displayName: 'Ana Lyst (demo, DfE)', roles: ['dfe-analyst'] },
];

export async function seedDemoWorld(
  handle: DatabaseHandle,
  config: Config,
  box: SecretBox,
  now: Date = new Date(),
): Promise<string[]> {
  const { db } = handle;
  const lines: string[] = [];
  const credentialsFile = path.join(config.dataDir, 'demo-accounts.txt');

  const registrations = await db
    .selectFrom('regulator.registration')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  if (registrations.n === 0) {
    const today = londonDateOf(now);
    const loaded = await loadGeneratedRegister(db, { scale: 'demo', seed: 1, today });
    lines.push(`Seeded a synthetic demo register: ${loaded.added} registrations over 153 local authorities.`);
  }

  const schools = await db
    .withTables<{ 'dfe.school': { urn: number } }>()
    .selectFrom('dfe.school')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const attendanceClients = schools.n === 0 ? await seedDemoAttendance(db, now) : [];
  if (attendanceClients.length > 0)
    lines.push('Seeded the synthetic schools register and 20 working days of demo attendance.');

  const accounts = await db
    .selectFrom('platform.account')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  if (accounts.n === 0) {
    const written: string[] = [];
    for (const account of DEMO_ACCOUNTS) {
      const password = randomBytes(12).toString('base64url');
      await createAccount(db, { ...account, password });
      written.push(`${account.username}\t${password}\t(${account.roles.join(', ')})`);
    }
    // A gateway account for trying the ISPP and FID services without a certificate.
    const gateway = await createGatewayAccount(db, box, {
      username: 'demo-ispp-825',
      laCode: '825',
      requireCertificate: false,
    });
    written.push(
      `${gateway.username}\t${gateway.password}\t(ISPP gateway account for LA 825, no certificate needed; FID APIKEY ${gateway.apiKey})`,
    );
    const officer = randomBytes(12).toString('base64url');
    await createAccount(db, {
      username: 'la-officer-825',
      displayName: 'Lee Officer (demo, Buckinghamshire)',
      password: officer,
      roles: ['la-officer'],
      laCode: '825',
    });
    written.push(`la-officer-825\t${officer}\t(la-officer for Buckinghamshire, 825)`);
    writeFileSync(credentialsFile, `# Demo sign-ins for this local instance only\n${written.join('\n')}\n`, {
      mode: 0o600,
    });
  }
  // Client secrets are shown once: they go into the same local file.
  if (attendanceClients.length > 0)
    writeFileSync(credentialsFile, `${attendanceClients.join('\n')}\n`, { flag: 'a', mode: 0o600 });
  if (existsSync(credentialsFile)) {
    lines.push(`Demo sign-ins (from ${path.relative(process.cwd(), credentialsFile)}):`);
    for (const line of readFileSync(credentialsFile, 'utf8').split('\n')) {
      if (line && !line.startsWith('#')) lines.push(`  ${line.replace(/\t/g, '  ')}`);
    }
  }
  return lines;
}
