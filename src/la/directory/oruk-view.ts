/**
 * What the public sees of the directory, as Open Referral UK 3.0 (HSDS 3.0 UK profile) records
 * (pure). The rules, in order (decision 0024):
 * - Published only when in the feed, listed publicly, active or suspended, a provision (not a
 *   registered person's record) and not at a women's refuge or a military base (WREF, MOD: never
 *   published, DOMAIN.md).
 * - `SpecialConsiderations` (any value) withholds the address: no location, no town, no postcode.
 * - `ProviderConsentWithheld` = Y withholds the provider's personal details: no organisation, no
 *   provider or setting name, address, e-mail or telephone; the service is named by its type and
 *   town.
 * - Childcare on domestic premises (childminder, home childcarer, domestic) is someone's home: its
 *   street address is never published, only the town.
 * Only the fields built here are published: the response schemas serialise nothing else.
 */
import { createHash } from 'node:crypto';
import { PROVISION_TYPE_NAMES, type ProvisionType } from '../../contracts/childcare-extract/codes.ts';
import type { Address, Registration } from '../../contracts/childcare-extract/registration.ts';

/** What a directory record brings: the feed's fields as accepted and the LA's local ones. */
export interface PublishableRecord {
  laCode: string;
  referenceNumber: string;
  registration: Registration;
  inFeed: boolean;
  listedPublicly: boolean;
  publicDescription: string | null;
  openingHours: string | null;
  website: string | null;
  /** When the feed's or the local fields last changed. */
  modifiedAt: Date;
}

const PUBLISHED_STATUSES = new Set(['ACTV', 'SUSP']);
const NEVER_PUBLISHED_CONSIDERATIONS = new Set(['WREF', 'MOD']);
const DOMESTIC = new Set<ProvisionType>(['CMR', 'HCR', 'CCD']);

export interface OrukOrganization {
  id: string;
  name: string;
  description: string;
}

export interface OrukAddress {
  id: string;
  location_id: string;
  address_1: string;
  address_2?: string;
  city: string;
  state_province: string;
  postal_code: string;
  country: string;
  address_type: 'physical';
}

export interface OrukLocation {
  id: string;
  location_type: 'physical';
  name: string;
  addresses: OrukAddress[];
}

export interface OrukServiceAtLocation {
  id: string;
  service_id: string;
  location_id: string;
  location: OrukLocation;
}

export interface OrukSchedule {
  id: string;
  service_id: string;
  description: string;
}

export interface OrukService {
  id: string;
  organization_id?: string;
  name: string;
  description: string;
  url?: string;
  email?: string;
  status: 'active' | 'temporarily closed';
  minimum_age?: number;
  maximum_age?: number;
  last_modified: string;
  organization?: OrukOrganization;
  service_at_locations: OrukServiceAtLocation[];
  schedules: OrukSchedule[];
}

/** A stable UUID (version 5 layout) for one of a record's published entities. */
export function orukId(laCode: string, referenceNumber: string, entity: string): string {
  const hash = createHash('sha1').update(`edgate:oruk:${laCode}:${referenceNumber}:${entity}`).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export function isPublished(record: PublishableRecord): boolean {
  const r = record.registration;
  return (
    record.inFeed &&
    record.listedPublicly &&
    PUBLISHED_STATUSES.has(r.status) &&
    r.provisionType !== 'RPP' &&
    !(r.specialConsiderations && NEVER_PUBLISHED_CONSIDERATIONS.has(r.specialConsiderations))
  );
}

/** The address a family may see, or undefined when none may be shown. */
function publicAddress(r: Registration): Address | undefined {
  if (r.specialConsiderations) return undefined;
  if (DOMESTIC.has(r.provisionType)) return undefined;
  // Withheld consent: even a non-domestic setting's address may be where the provider lives.
  if (r.provider.consentWithheld === 'Y') return undefined;
  const address = r.setting?.address;
  if (!address?.postcode) return undefined;
  return address;
}

/** The town a family may see, or undefined. */
function publicTown(r: Registration): string | undefined {
  if (r.specialConsiderations) return undefined;
  return (r.setting?.address ?? r.provider.address).town;
}

const typeName = (r: Registration) => PROVISION_TYPE_NAMES[r.provisionType] ?? 'Childcare';

/** The published service for a record, or undefined when it is not published. */
export function orukService(record: PublishableRecord): OrukService | undefined {
  if (!isPublished(record)) return undefined;
  const r = record.registration;
  const { laCode, referenceNumber } = record;
  const id = orukId(laCode, referenceNumber, 'service');
  const withheld = r.provider.consentWithheld === 'Y';
  const town = publicTown(r);
  const name = withheld ? `${typeName(r)}${town ? ` in ${town}` : ''}` : (r.setting?.name ?? r.provider.name);
  const organization: OrukOrganization | undefined = withheld
    ? undefined
    : {
        id: orukId(laCode, referenceNumber, 'organization'),
        name: r.provider.name,
        description: `${typeName(r)} registered with Ofsted`,
      };
  const email = withheld ? undefined : r.setting?.contact?.emailAddress;
  const ages = r.ageBands;
  const address = publicAddress(r);
  const service: OrukService = {
    id,
    ...(organization ? { organization_id: organization.id } : {}),
    name,
    description:
      record.publicDescription ??
      `${typeName(r)} registered with Ofsted${town ? `, in ${town}` : ''}${r.status === 'SUSP' ? '. Registration suspended' : ''}.`,
    ...(record.website ? { url: record.website } : {}),
    ...(email && /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email) ? { email } : {}),
    status: r.status === 'SUSP' ? 'temporarily closed' : 'active',
    ...(ages.length ? { minimum_age: Math.min(...ages.map((a) => a.ageFrom)) } : {}),
    ...(ages.length ? { maximum_age: Math.max(...ages.map((a) => a.ageTo)) } : {}),
    last_modified: record.modifiedAt.toISOString(),
    ...(organization ? { organization } : {}),
    service_at_locations: [],
    schedules: record.openingHours
      ? [
          {
            id: orukId(laCode, referenceNumber, 'schedule'),
            service_id: id,
            description: record.openingHours,
          },
        ]
      : [],
  };
  if (address) {
    const locationId = orukId(laCode, referenceNumber, 'location');
    service.service_at_locations.push({
      id: orukId(laCode, referenceNumber, 'service_at_location'),
      service_id: id,
      location_id: locationId,
      location: {
        id: locationId,
        location_type: 'physical',
        name: r.setting?.name ?? name,
        addresses: [
          {
            id: orukId(laCode, referenceNumber, 'address'),
            location_id: locationId,
            address_1: address.addressLine1,
            ...(address.addressLine2 ? { address_2: address.addressLine2 } : {}),
            city: address.town,
            state_province: address.county ?? address.town,
            postal_code: address.postcode!,
            country: 'GB',
            address_type: 'physical',
          },
        ],
      },
    });
  }
  return service;
}

/** The compact service of a listing: one-to-one fields only (ORUK's service_list). */
export function serviceListItem(
  service: OrukService,
): Omit<OrukService, 'service_at_locations' | 'schedules'> {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { service_at_locations, schedules, ...rest } = service;
  return rest;
}
