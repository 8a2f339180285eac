/** The account role of school staff: what they may do there is their permissions (school.staff). */
import type { AccountRoleDefinition } from '../platform/auth/accounts.ts';

declare module '../platform/auth/accounts.ts' {
  interface AccountRoleNames {
    'school-user': true;
  }
}

export const SCHOOL_USER = {
  name: 'school-user',
  title: 'School staff',
  description: "works in a school: its pages show that school's data, as its permissions allow",
} as const satisfies AccountRoleDefinition;
