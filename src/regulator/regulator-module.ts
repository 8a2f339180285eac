/** The regulator role as one module: the childcare register, its daily extracts and the gateway. */
import { defineRole } from '../platform/role.ts';
import { ADMIN_ROLE } from '../platform/auth/accounts.ts';
import { seedDemoAccounts } from '../platform/auth/demo-accounts.ts';
import { londonDateOf } from '../platform/calendar.ts';
import { regulatorMigrations } from './register/migrations.ts';
import { extractMigrations } from './extract/migrations.ts';
import { gatewayMigrations } from './gateway/migrations.ts';
import { loadGeneratedRegister } from './register/register-load.ts';
import { createGatewayAccount, GatewayAdminError } from './gateway/gateway-store.ts';
import { UnknownLocalAuthorityError } from './extract/extract-runs.ts';
import { regulatorRole } from './regulator-role.ts';
import { readRegulatorSettings } from './regulator-settings.ts';
import { REGULATOR_COMMANDS } from './regulator-cli.ts';
import { seedDemoExtracts, seedDemoGateway } from './regulator-demo.ts';

declare module '../platform/auth/accounts.ts' {
  interface AccountRoleNames {
    caseworker: true;
  }
}

const CASEWORKER = {
  name: 'caseworker',
  title: 'Caseworker',
  description: 'keeps the childcare register: registrations, status changes, extracts',
} as const;

export const regulatorModule = defineRole({
  name: 'regulator',
  title: 'Regulator: the childcare register, its daily extracts per local authority, the ISPP/FID gateway',
  schema: 'regulator',
  migrations: { ...regulatorMigrations, ...extractMigrations, ...gatewayMigrations },
  accountRoles: [CASEWORKER],
  settings: readRegulatorSettings,
  plugin: regulatorRole,
  commands: REGULATOR_COMMANDS,
  plainErrors: [GatewayAdminError, UnknownLocalAuthorityError],
  startPage: {
    summary:
      'The regulator’s caseworkers keep the childcare register; each morning at 05:30 an extract per local authority is built and served through the gateway.',
    pages: [
      { href: '/regulator/registrations', text: 'Childcare register' },
      { href: '/regulator/extracts', text: 'Daily extracts' },
      { href: '/regulator/gateway/audit', text: 'Gateway requests' },
    ],
    documents: [
      { href: '/ISPPGateway/ISPPGatewayServices.svc?wsdl', text: 'The ISPP gateway’s WSDL (SOAP 1.2)' },
      { href: '/ISPPGateway/ISPPGatewayServices.svc?xsd=xsd0', text: 'The gateway’s message schema (XSD)' },
      { href: '/schemas/childcare-register-extract.xsd', text: 'The extract document’s schema (XSD)' },
    ],
    demoAccounts: [
      { username: 'caseworker', what: 'a caseworker' },
      { username: 'admin', what: 'an administrator, also a caseworker' },
    ],
  },
  async seedDemo({ handle: { db }, secretBox, now, settings, say }) {
    const lines: string[] = [];
    const registrations = await db
      .selectFrom('regulator.registration')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    if (registrations.n === 0) {
      say?.('Seeding the synthetic childcare register…');
      const loaded = await loadGeneratedRegister(db, { scale: 'demo', seed: 1, today: londonDateOf(now) });
      lines.push(
        `Seeded a synthetic demo register: ${loaded.added} registrations over 153 local authorities.`,
      );
    }
    const credentials = await seedDemoAccounts(
      db,
      [
        { username: 'caseworker', displayName: 'Casey Worker (demo)', roles: ['caseworker'] },
        { username: 'admin', displayName: 'Ada Admin (demo)', roles: ['admin', 'caseworker'] },
      ],
      [ADMIN_ROLE, CASEWORKER],
    );
    const gatewayAccount = await db
      .selectFrom('regulator.gateway_account')
      .select('id')
      .where('username', '=', 'demo-ispp-825')
      .executeTakeFirst();
    if (!gatewayAccount) {
      // For trying the ISPP and FID services without a certificate.
      const gateway = await createGatewayAccount(db, secretBox, {
        username: 'demo-ispp-825',
        laCode: '825',
        requireCertificate: false,
        by: 'the demo world',
      });
      credentials.push(
        `${gateway.username}\t${gateway.password}\t(ISPP gateway account for LA 825, no certificate needed; FID APIKEY ${gateway.apiKey})`,
      );
    }
    const gateway = await seedDemoGateway(db, secretBox, now);
    if (gateway) credentials.push(...gateway.credentials);
    lines.push(...(await seedDemoExtracts(db, now, settings.extractTime, say)));
    return { lines, credentials, handover: gateway?.handover };
  },
});
