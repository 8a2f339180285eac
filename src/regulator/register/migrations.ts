import type { Migration } from 'kysely';
import { runStatements } from '../../platform/db/statements.ts';

const child = (name: string, columns: string) => [
  `create table regulator.${name} (
    reference_number text collate "C" not null references regulator.registration(reference_number) on delete cascade,
    seq smallint not null,
    ${columns},
    primary key (reference_number, seq)
  )`,
];

export const regulatorMigrations: Record<string, Migration> = {
  '0001_register': {
    up: (db) =>
      runStatements(db, [
        `create extension if not exists pg_trgm`,
        `create table regulator.registration (
          reference_number text collate "C" primary key,
          la_code char(3) not null,
          provision_type text not null check (provision_type in ('CMR','CCN','CCD','HCR','RPP')),
          secondary_provision_type text check (secondary_provision_type in ('CMR','CCN','CCD','HCR','RPP')),
          rp_reference_number text,
          provider_name text not null,
          provider_address_line1 text not null,
          provider_address_line2 text,
          provider_town text not null,
          provider_county text,
          provider_postcode text not null,
          provider_telephone text,
          provider_mobile text,
          provider_work_telephone text,
          provider_fax text,
          provider_email text,
          setting_name text,
          setting_address_line1 text,
          setting_address_line2 text,
          setting_town text,
          setting_county text,
          setting_postcode text,
          setting_telephone text,
          setting_fax text,
          setting_email text,
          special_considerations text check (special_considerations in ('WREF','MOD','ANON')),
          status text not null check (status in ('PROP','ACTV','SUSP','RESG','CANC','INAC','REFU')),
          status_changed_on date not null,
          registration_date date,
          last_change_date date not null,
          childcare_periods text[] not null default '{}',
          version integer not null default 1,
          updated_at timestamptz not null default now()
        )`,
        // The extract reads one LA in reference order; search filters by LA and status.
        `create index registration_la on regulator.registration (la_code, reference_number)`,
        `create index registration_status on regulator.registration (status, la_code)`,
        `create index registration_name_trgm on regulator.registration
           using gin ((lower(provider_name || ' ' || coalesce(setting_name, ''))) gin_trgm_ops)`,
        `create index registration_postcode on regulator.registration
           ((upper(replace(coalesce(setting_postcode, provider_postcode), ' ', ''))) text_pattern_ops)`,
        ...child('status_history', `status text not null, change_date date not null`),
        ...child(
          'child_services_register',
          `register text not null check (register in ('EYR','CCR','VCR')), status text not null,
           start_date date not null, end_date date`,
        ),
        ...child(
          'childcare_age',
          `age_from smallint not null, age_to smallint not null, maximum_number integer not null,
           register text not null check (register in ('EYR','CCR','VCR'))`,
        ),
        ...child(
          'inspection',
          `inspection_type text not null, inspection_date date not null, overall_judgement text not null`,
        ),
        ...child(
          'notice',
          `type text not null check (type in ('NOI','NOD')), sub_type text not null, status text not null, notice_date date`,
        ),
        ...child(
          'suspension',
          `grounds text not null, start_date date not null, end_date date not null,
           investigation_cannot_finish_sooner boolean not null default false`,
        ),
        `create table regulator.status_change (
          id bigserial primary key,
          reference_number text collate "C" not null references regulator.registration(reference_number),
          kind text not null,
          from_status text not null,
          to_status text not null,
          change_date date not null,
          reason text not null,
          correction boolean not null,
          details jsonb not null default '{}',
          changed_by text not null,
          changed_at timestamptz not null default now()
        )`,
        `create index status_change_registration on regulator.status_change (reference_number, id)`,
      ]),
  },
  // Ofsted's schema v1.1–v1.3 (src/contracts/childcare-extract/fields.ts): UPRNs, consent withheld, the
  // childminder agency type and the exempt status, certificate conditions, welfare notices and
  // linked registrations. Code lists are frozen here as they were at this migration.
  '0006_feed_v1_3': {
    up: (db) =>
      runStatements(db, [
        `alter table regulator.registration
           drop constraint registration_provision_type_check,
           add constraint registration_provision_type_check
             check (provision_type in ('CMR','CCN','CCD','HCR','RPP','CA')),
           drop constraint registration_secondary_provision_type_check,
           add constraint registration_secondary_provision_type_check
             check (secondary_provision_type in ('CMR','CCN','CCD','HCR','RPP','CA')),
           drop constraint registration_status_check,
           add constraint registration_status_check
             check (status in ('PROP','ACTV','SUSP','RESG','CANC','INAC','REFU','EXEM')),
           add column provider_uprn text,
           add column setting_uprn text,
           add column provider_consent_withheld text check (provider_consent_withheld in ('Y','N'))`,
        ...child(
          'certificate_condition',
          `condition text not null, register text check (register in ('EYR','CCR','VCR'))`,
        ),
        ...child('welfare_notice', `category text not null, start_date date not null, end_date date`),
        ...child('linked_registration', `linked_reference_number text not null, reason text not null`),
      ]),
  },
  // The last places edgate was stricter than Ofsted's v1.3 schema: a setting's mobile and work
  // telephone, an address without a postcode, and an age band without a register. (Ages 0–20
  // need no change here: the columns never limited them.)
  '0007_feed_v1_3_gaps': {
    up: (db) =>
      runStatements(db, [
        `alter table regulator.registration
           alter column provider_postcode drop not null,
           add column setting_mobile text,
           add column setting_work_telephone text`,
        `alter table regulator.childcare_age alter column register drop not null`,
      ]),
  },
};
