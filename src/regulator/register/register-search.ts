/**
 * Searching the register the way a caseworker asks: by URN, name, postcode, LA, status and
 * provision type, a page at a time. Each filter maps onto an index (see migrations.ts), so a
 * page comes back fast at national scale.
 */
import { sql } from 'kysely';
import type { Database } from '../../platform/db/database.ts';
import {
  PROVISION_TYPES,
  REGISTRATION_STATUSES,
  type ProvisionType,
  type RegistrationStatus,
} from '../../contracts/childcare-extract/registration.ts';

export interface RegisterQuery {
  /** A reference number, or its start. */
  urn?: string;
  /** Any part of the provider's or setting's name. */
  name?: string;
  /** A postcode or its start; spaces and case do not matter. */
  postcode?: string;
  laCode?: string;
  status?: RegistrationStatus;
  provisionType?: ProvisionType;
  page?: number;
  pageSize?: number;
}

export interface RegisterSearchRow {
  referenceNumber: string;
  laCode: string;
  provisionType: ProvisionType;
  status: RegistrationStatus;
  providerName: string;
  settingName: string | null;
  town: string;
  postcode: string;
  lastChangeDate: string;
  /** The day the registration took its current status. */
  statusChangedOn: string;
}

export interface RegisterSearchResult {
  rows: RegisterSearchRow[];
  total: number;
  page: number;
  pageSize: number;
  pages: number;
}

/** Reads a query from untrusted strings (a form or a URL), dropping what is empty or not a known value. */
export function registerQueryFrom(input: Record<string, unknown>): RegisterQuery {
  const text = (key: string) => {
    const value = input[key];
    return typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, 100) : undefined;
  };
  const status = text('status');
  const type = text('type') ?? text('provisionType');
  const la = text('la') ?? text('laCode');
  const page = Number(text('page') ?? '1');
  return {
    urn: text('urn')?.toUpperCase(),
    name: text('name'),
    postcode: text('postcode'),
    laCode: la && /^\d{3}$/.test(la) ? la : undefined,
    status: (REGISTRATION_STATUSES as readonly string[]).includes(status ?? '')
      ? (status as RegistrationStatus)
      : undefined,
    provisionType: (PROVISION_TYPES as readonly string[]).includes(type ?? '')
      ? (type as ProvisionType)
      : undefined,
    page: Number.isInteger(page) && page > 0 ? page : 1,
  };
}

const escapeLike = (value: string) => value.replace(/[\\%_]/g, (c) => `\\${c}`);

export async function searchRegister(db: Database, query: RegisterQuery): Promise<RegisterSearchResult> {
  const pageSize = Math.min(Math.max(query.pageSize ?? 25, 1), 200);
  let base = db.selectFrom('regulator.registration');
  if (query.urn) base = base.where('reference_number', 'like', `${escapeLike(query.urn)}%`);
  if (query.name) {
    base = base.where(
      sql<string>`lower(provider_name || ' ' || coalesce(setting_name, ''))`,
      'like',
      `%${escapeLike(query.name.toLowerCase())}%`,
    );
  }
  if (query.postcode) {
    base = base.where(
      sql<string>`upper(replace(coalesce(setting_postcode, provider_postcode), ' ', ''))`,
      'like',
      `${escapeLike(query.postcode.replace(/\s+/g, '').toUpperCase())}%`,
    );
  }
  if (query.laCode) base = base.where('la_code', '=', query.laCode);
  if (query.status) base = base.where('status', '=', query.status);
  if (query.provisionType) base = base.where('provision_type', '=', query.provisionType);

  const { total } = await base.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(query.page ?? 1, pages);
  const rows = await base
    .select([
      'reference_number',
      'la_code',
      'provision_type',
      'status',
      'provider_name',
      'setting_name',
      sql<string>`coalesce(setting_town, provider_town)`.as('town'),
      // Null when neither address has a postcode (optional in Ofsted's schema).
      sql<string | null>`coalesce(setting_postcode, provider_postcode)`.as('postcode'),
      'last_change_date',
      'status_changed_on',
    ])
    .orderBy('reference_number')
    .limit(pageSize)
    .offset((page - 1) * pageSize)
    .execute();
  return {
    rows: rows.map((r) => ({
      referenceNumber: r.reference_number,
      laCode: r.la_code,
      provisionType: r.provision_type as ProvisionType,
      status: r.status as RegistrationStatus,
      providerName: r.provider_name,
      settingName: r.setting_name,
      town: r.town,
      postcode: r.postcode ?? '',
      lastChangeDate: r.last_change_date,
      statusChangedOn: r.status_changed_on,
    })),
    total,
    page,
    pageSize,
    pages,
  };
}
