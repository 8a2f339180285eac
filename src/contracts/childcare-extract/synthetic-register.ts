/**
 * A deterministic, synthetic childcare register: the shape and statistics of the real
 * extract (DOMAIN.md, feed 1) with none of its people. Names come from small built-in word
 * lists, phone numbers from Ofcom's drama ranges, e-mail addresses from example.org/.com,
 * postcodes are well-formed but random. Used for demos, load tests and fixtures.
 *
 * Determinism: every LA draws from its own PRNG streams seeded from (seed, scale, laCode), and
 * reference numbers come from the LA's index among the live LAs plus a sequence, so
 * restricting `laCodes` reproduces exactly the records a full run gives for those LAs, and
 * references are unique across the country without any global state.
 *
 * Streaming: records are yielded one at a time; only one LA's small plan (types, statuses,
 * RP links: at most a few thousand entries) is held at once.
 */
import { liveLocalAuthorities } from '../../platform/reference.ts';
import type { LocalAuthority } from '../../platform/reference.ts';
import type {
  Address,
  ChildcareAge,
  ChildcarePeriod,
  ChildServicesRegister,
  Inspection,
  Notice,
  NoticeStatus,
  ProviderContact,
  ProvisionType,
  Register,
  Registration,
  RegistrationStatus,
  SettingContact,
  SpecialConsideration,
  StatusHistoryEntry,
} from './registration.ts';

export type RegisterScale = 'demo' | 'national';

export interface GenerateOptions {
  scale: RegisterScale;
  seed: number;
  /** YYYY-MM-DD: the register's "now". Nothing here reads the clock. */
  today: string;
  /** Restrict to these LAs (3-digit codes). Records for an LA are the same as in a full run. */
  laCodes?: string[];
}

// ---------------------------------------------------------------------------------------------
// PRNG: xmur3 string hash → sfc32. Small, fast, and good enough for test data; Math.random is
// neither seedable nor reproducible.

function xmur3(text: string): () => number {
  let h = 1779033703 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 3432918353);
    h = (h << 13) | (h >>> 19);
  }
  return () => {
    h = Math.imul(h ^ (h >>> 16), 2246822507);
    h = Math.imul(h ^ (h >>> 13), 3266489909);
    return (h ^= h >>> 16) >>> 0;
  };
}

interface Weighted<T> {
  values: readonly T[];
  cumulative: readonly number[];
  total: number;
}

function weighted<T>(entries: readonly (readonly [T, number])[]): Weighted<T> {
  const values: T[] = [];
  const cumulative: number[] = [];
  let total = 0;
  for (const [value, weight] of entries) {
    total += weight;
    values.push(value);
    cumulative.push(total);
  }
  return { values, cumulative, total };
}

class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(key: string) {
    const hash = xmur3(key);
    this.a = hash();
    this.b = hash();
    this.c = hash();
    this.d = hash();
    // sfc32 needs a few rounds before similar keys give unrelated outputs.
    for (let i = 0; i < 12; i++) this.next();
  }

  /** Uniform in [0, 1). */
  next(): number {
    const t0 = (this.a + this.b) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.d = (this.d + 1) | 0;
    const t = (t0 + this.d) | 0;
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** Integer in [lo, hi]; lo when the range is empty. */
  int(lo: number, hi: number): number {
    return hi <= lo ? lo : lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(values: readonly T[]): T {
    return values[Math.floor(this.next() * values.length)]!;
  }

  choose<T>(table: Weighted<T>): T {
    const x = this.next() * table.total;
    const { cumulative, values } = table;
    for (let i = 0; i < cumulative.length; i++) if (x < cumulative[i]!) return values[i]!;
    return values[values.length - 1]!;
  }
}

// ---------------------------------------------------------------------------------------------
// Dates as day numbers (days since 1970-01-01): integer arithmetic in the hot loop, formatted
// with the civil-calendar algorithms (H. Hinnant), so no Date object and no time zone.

function dayFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function formatDay(day: number): string {
  const z = day + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${y}-${m < 10 ? '0' : ''}${m}-${d < 10 ? '0' : ''}${d}`;
}

function parseDay(date: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const day = match ? dayFromCivil(Number(match[1]), Number(match[2]), Number(match[3])) : NaN;
  if (Number.isNaN(day) || formatDay(day) !== date) {
    throw new RangeError(`today must be a calendar date (YYYY-MM-DD): ${JSON.stringify(date)}`);
  }
  return day;
}

/** Ofsted took over childcare registration in Sept 2001; EYFS and the Childcare Register began Sept 2008. */
const OFSTED_START = dayFromCivil(2001, 9, 1);
const EYFS_START = dayFromCivil(2008, 9, 1);
const EY_URN_START = dayFromCivil(2005, 1, 1);
/** Inspection grades changed from Satisfactory to Requires Improvement in Sept 2012. */
const RI_START = dayFromCivil(2012, 9, 1);

// ---------------------------------------------------------------------------------------------
// Local authorities: approximate population (thousands), postcode areas and county, used to
// size each LA and to make addresses look local. Sizes grow faster than population
// (exponent 1.3) and shire counties hold proportionally more, so the largest counties reach
// the 4,000–5,000 records the real feed shows while London boroughs hold a few hundred.

const LA_TABLE = `
201 8.6 EC London
202 210 NW,WC,N London
203 289 SE London/Kent
204 259 E,N London
205 183 W,SW London
206 217 N,EC London
207 144 SW,W London
208 317 SE,SW London
209 300 SE London/Kent
210 307 SE London
211 310 E London
212 328 SW London
213 205 W,SW,WC London
301 219 IG,RM Essex/London
302 389 N,NW,EN London/Middlesex/Hertfordshire
303 246 DA Kent/London
304 339 NW,HA London/Middlesex
305 330 BR Kent/London
306 390 CR,SE Surrey/London
307 367 W,UB London/Middlesex
308 330 EN,N Middlesex/London
309 264 N London
310 261 HA Middlesex/London
311 262 RM Essex/London
312 305 UB,HA Middlesex/London
313 288 TW Middlesex/London
314 168 KT Surrey/London
315 215 SW,CR,SM London/Surrey
316 351 E London
317 310 IG Essex/London
318 195 TW Surrey/London/Middlesex
319 209 SM Surrey/London
320 278 E London
330 1145 B West Midlands
331 345 CV West Midlands/Warwickshire
332 323 DY West Midlands
333 341 B,WS West Midlands
334 216 B West Midlands/Warwickshire
335 284 WS West Midlands/Staffordshire
336 264 WV West Midlands
340 154 L Merseyside
341 486 L Merseyside
342 183 WA Merseyside/Lancashire
343 279 L,PR Merseyside
344 320 CH Merseyside/Wirral
350 296 BL Greater Manchester/Lancashire
351 193 BL Greater Manchester/Lancashire
352 552 M Greater Manchester
353 242 OL Greater Manchester/Lancashire
354 223 OL Greater Manchester/Lancashire
355 270 M Greater Manchester
356 294 SK Greater Manchester/Cheshire
357 231 SK,OL Greater Manchester/Cheshire
358 235 M,WA Greater Manchester/Cheshire
359 330 WN Greater Manchester/Lancashire
370 244 S South Yorkshire
371 308 DN South Yorkshire
372 265 S South Yorkshire
373 556 S South Yorkshire
380 546 BD West Yorkshire
381 206 HX West Yorkshire
382 433 HD,WF West Yorkshire
383 812 LS West Yorkshire
384 353 WF West Yorkshire
390 196 NE Tyne and Wear
391 300 NE Tyne and Wear
392 209 NE Tyne and Wear
393 148 NE Tyne and Wear
394 274 SR Tyne and Wear
420 2.1 TR Isles of Scilly/Cornwall
800 193 BA Somerset/Avon
801 472 BS Bristol/Avon
802 216 BS North Somerset/Somerset/Avon
803 290 BS South Gloucestershire/Gloucestershire/Avon
805 92 TS Cleveland/County Durham
806 143 TS Cleveland/North Yorkshire
807 136 TS Cleveland/North Yorkshire
808 197 TS Cleveland/County Durham
810 267 HU East Yorkshire/East Riding of Yorkshire
811 342 HU,YO East Riding of Yorkshire/East Yorkshire
812 157 DN North East Lincolnshire/Lincolnshire
813 169 DN North Lincolnshire/Lincolnshire
815 615 YO,HG,DL North Yorkshire
816 202 YO North Yorkshire/York
821 225 LU Bedfordshire
822 185 MK Bedfordshire
823 295 LU,SG,MK Bedfordshire
825 553 HP,SL,MK Buckinghamshire
826 287 MK Buckinghamshire
830 795 DE,S,SK Derbyshire
831 261 DE Derbyshire
838 379 DT,BH Dorset
839 400 BH Dorset
840 522 DH,DL County Durham/Durham
841 108 DL County Durham/Durham
845 545 BN,TN East Sussex
846 277 BN East Sussex
850 1400 SO,GU,RG,PO Hampshire
851 208 PO Hampshire
852 249 SO Hampshire
855 712 LE Leicestershire
856 368 LE Leicestershire
857 41 LE Rutland/Leicestershire
860 876 ST,WS,DE Staffordshire
861 258 ST Staffordshire
865 510 SN,SP,BA Wiltshire
866 233 SN Wiltshire
867 125 RG Berkshire
868 153 SL Berkshire
869 161 RG Berkshire
870 174 RG Berkshire
871 158 SL Berkshire
872 177 RG Berkshire
873 678 CB,PE Cambridgeshire
874 215 PE Cambridgeshire
876 128 WA Cheshire
877 210 WA Cheshire
878 811 EX,TQ,PL Devon
879 264 PL Devon
880 139 TQ Devon
881 1503 CM,CO,SS Essex
882 180 SS Essex
883 176 RM,SS Essex
884 187 HR Herefordshire
885 603 WR,DY,B Worcestershire
886 1576 ME,CT,TN,DA Kent
887 279 ME Kent
888 1235 PR,LA,BB,FY Lancashire
889 154 BB Lancashire
890 141 FY Lancashire
891 824 NG Nottinghamshire
892 323 NG Nottinghamshire
893 323 SY,TF Shropshire
894 185 TF Shropshire
895 398 CW,SK Cheshire
896 357 CH,CW Cheshire
908 570 TR,PL Cornwall
916 645 GL Gloucestershire
919 1198 AL,SG,WD,HP Hertfordshire
921 140 PO Isle of Wight
925 768 LN,PE Lincolnshire
926 916 NR,PE Norfolk
929 320 NE,TD Northumberland
931 725 OX Oxfordshire
933 571 TA,BA Somerset
935 761 IP,CB Suffolk
936 1203 GU,KT,RH Surrey
937 597 CV,B Warwickshire
938 882 RH,BN,PO West Sussex
940 359 NN Northamptonshire
941 425 NN Northamptonshire
942 273 CA Cumbria
943 225 LA,CA Cumbria
`;

interface LaProfile {
  population: number;
  areas: readonly string[];
  counties: readonly string[];
}

const LA_PROFILES: ReadonlyMap<string, LaProfile> = new Map(
  LA_TABLE.trim()
    .split('\n')
    .map((line): [string, LaProfile] => {
      const [code = '', population = '', areas = '', ...county] = line.split(' ');
      return [
        code,
        { population: Number(population), areas: areas.split(','), counties: county.join(' ').split('/') },
      ];
    }),
);

/** Fallback for an LA added to the reference list after this table was written. */
function profileFor(la: LocalAuthority): LaProfile {
  return (
    LA_PROFILES.get(la.code) ?? {
      population: 250,
      areas: [
        la.name
          .replace(/[^A-Za-z]/g, '')
          .slice(0, 2)
          .toUpperCase() || 'ZZ',
      ],
      counties: [la.name],
    }
  );
}

const NATIONAL_TOTAL = 90_000;
const SIZE_EXPONENT = 1.3;
/** The two tiny authorities are special cases in the real register too: tens of records. */
const NATIONAL_OVERRIDES: ReadonlyMap<string, number> = new Map([
  ['201', 28],
  ['420', 14],
]);
/** Reference numbers are allocated in per-LA blocks; no LA may outgrow its block. */
const REFERENCE_BLOCK = 5800;
const REFERENCE_STRIDE = 3001; // prime, coprime with the block: a bijection that scatters numbers

function sizeWeight(la: LocalAuthority): number {
  const factor = la.onsCode.startsWith('E10') ? 1.5 : la.onsCode.startsWith('E09') ? 0.9 : 1;
  return Math.pow(profileFor(la).population, SIZE_EXPONENT) * factor;
}

let nationalBase: Map<string, number> | undefined;

function nationalBaseSizes(): Map<string, number> {
  if (nationalBase) return nationalBase;
  const las = liveLocalAuthorities();
  const total = las.reduce((sum, la) => sum + sizeWeight(la), 0);
  nationalBase = new Map(
    las.map((la) => [
      la.code,
      NATIONAL_OVERRIDES.get(la.code) ?? Math.max(12, (NATIONAL_TOTAL * sizeWeight(la)) / total),
    ]),
  );
  return nationalBase;
}

function laSize(la: LocalAuthority, scale: RegisterScale, seed: number): number {
  const base = nationalBaseSizes().get(la.code) ?? 100;
  // ±2% per seed so totals are not suspiciously round; small enough to keep the bounds.
  const national = Math.round(base * (0.98 + 0.04 * new Rng(`${seed}:${la.code}:size`).next()));
  const size = scale === 'national' ? national : Math.max(3, Math.round(national / 30));
  if (size > REFERENCE_BLOCK) throw new Error(`LA ${la.code} would outgrow its reference block`);
  return size;
}

function selectLas(laCodes: readonly string[] | undefined): { la: LocalAuthority; index: number }[] {
  const all = liveLocalAuthorities().map((la, index) => ({ la, index }));
  if (!laCodes) return all;
  const wanted = new Set(laCodes);
  for (const code of wanted) {
    if (!all.some(({ la }) => la.code === code))
      throw new RangeError(`Unknown local authority code: ${code}`);
  }
  return all.filter(({ la }) => wanted.has(la.code));
}

export function plannedRegisterSize(options: Omit<GenerateOptions, 'today'> & { today?: string }): {
  total: number;
  perLa: Map<string, number>;
} {
  const perLa = new Map<string, number>();
  let total = 0;
  for (const { la } of selectLas(options.laCodes)) {
    const size = laSize(la, options.scale, options.seed);
    perLa.set(la.code, size);
    total += size;
  }
  return { total, perLa };
}

// ---------------------------------------------------------------------------------------------
// Distributions (DOMAIN.md, "Shape of real data").

const PROVISION_WEIGHTS = weighted<ProvisionType>([
  ['CMR', 36],
  ['CCN', 24],
  ['HCR', 21],
  ['RPP', 18.5],
  ['CCD', 0.5],
]);

const STATUS_WEIGHTS = weighted<RegistrationStatus>([
  ['ACTV', 88.3],
  ['RESG', 4],
  ['CANC', 3],
  ['PROP', 2],
  ['INAC', 2],
  ['SUSP', 0.5],
  ['REFU', 0.2],
]);

const REGISTERED: ReadonlySet<RegistrationStatus> = new Set(['ACTV', 'SUSP', 'RESG', 'CANC']);

/** Comma-separated word lists keep the tables readable (one line per entry would be ~300 lines). */
function words(text: string): string[] {
  return text
    .split(',')
    .map((word) => word.trim())
    .filter(Boolean);
}

const FIRST_NAMES = words(`
  Amelia, Aisha, Bethany, Carys, Chloe, Daniel, Deborah, Eleanor, Fatima, Gemma, Hannah,
  Imogen, Jasmine, Joanne, Karen, Kirsty, Laura, Leanne, Lucy, Mandy, Megan, Michelle, Nadia,
  Natalie, Olivia, Priya, Rachel, Rebecca, Samantha, Sarah, Shabana, Sophie, Tracey,
  Victoria, Wendy, Yasmin, Zoe, Mark, Paul, Tomasz
`);
const SURNAMES = words(`
  Ashdown, Bramley, Carrow, Dalby, Eversley, Fenwick, Garside, Hartwell, Ingram, Jessop,
  Kellaway, Lockhart, Marlow, Netherton, Oakes, Pendle, Quarry, Radford, Stainton, Thorley,
  Underhill, Vane, Whitlock, Yardley, Ahmed, Begum, Chowdhury, Hussain, Khan, Kowalska,
  Nowak, Okafor, Osei, Patel, Shah, Singh, Adeyemi, Murphy, Byrne, Evans
`);
const NATURE_WORDS = words(`
  Acorn, Apple Tree, Bluebell, Buttercup, Cherry Tree, Clover, Daisy Chain, Dandelion,
  Hedgehog, Honeypot, Kingfisher, Ladybird, Meadow, Orchard, Owl, Puddle Duck, Rainbow,
  Robin, Snapdragon, Squirrel, Starfish, Sunflower, Teddy Bear, Treetops, Willow, Woodland
`);
const NURSERY_KINDS = words(
  'Day Nursery, Nursery, Pre-School, Preschool, Playgroup, Montessori, Nursery School',
);
const CLUB_KINDS = words(`
  Kids Club, Out of School Club, Breakfast Club, After School Club, Holiday Club,
  Wraparound Care
`);
const ORG_SUFFIXES = words(`
  Ltd, Limited, Childcare Ltd, Nurseries Limited, Early Years CIC,
  Community Interest Company
`);
const STREET_WORDS = words(`
  Ash, Beech, Birch, Bramble, Cedar, Chestnut, Church, Elm, Fern, Hawthorn, Hazel, Holly,
  Laurel, Linden, Maple, Meadow, Mill, Oak, Orchard, Poplar, Rowan, Station, Sycamore,
  Victoria, Water, Well, Windmill, Yew
`);
const STREET_TYPES = words(
  'Road, Street, Lane, Close, Avenue, Drive, Way, Gardens, Crescent, Grove, Place, Walk, Mews',
);
const TOWN_STEMS = words(`
  Ash, Bar, Brad, Bram, Brook, Cal, Chal, Crom, Dun, Elm, Fen, Gal, Hal, Hart, Kel, Kings,
  Lang, Lark, Mar, Mill, Nor, Oak, Pen, Red, Ross, Sal, Stan, Thorn, Wel, Wick
`);
const TOWN_ENDINGS = words(
  'ford, ley, ton, bury, field, ham, wood, by, combe, stead, well, thorpe, bridge, worth',
);
const TOWN_PREFIXES = words('Great, Little, Upper, Market, Lower, North, South');
/** Highest district number where an area has few (central London) or many (big cities). */
const POSTCODE_DISTRICTS: Readonly<Record<string, number>> = {
  EC: 4,
  WC: 2,
  W: 14,
  NW: 11,
  SE: 28,
  N: 22,
  B: 98,
  M: 90,
  L: 40,
  S: 81,
};
/** Letters a postcode's unit may use (no C, I, K, M, O, V). */
const POSTCODE_UNIT_LETTERS = [...'ABDEFGHJLNPQRSTUWXYZ'];
const COUNTY_ABBREVIATIONS: Readonly<Record<string, string>> = {
  'Greater Manchester': 'Gtr Manchester',
  'West Yorkshire': 'W Yorks',
  'South Yorkshire': 'S Yorks',
  'County Durham': 'Co. Durham',
  Hertfordshire: 'Herts',
  Hampshire: 'Hants',
  Lancashire: 'Lancs',
  Nottinghamshire: 'Notts',
  Leicestershire: 'Leics',
  Buckinghamshire: 'Bucks',
  Bedfordshire: 'Beds',
  Berkshire: 'Berks',
  Cambridgeshire: 'Cambs',
  Gloucestershire: 'Glos',
  Lincolnshire: 'Lincs',
  Northamptonshire: 'Northants',
  Oxfordshire: 'Oxon',
  Staffordshire: 'Staffs',
  Wiltshire: 'Wilts',
  Worcestershire: 'Worcs',
  Middlesex: 'Middx',
};
/** Borough names that are not a town anyone writes on an envelope. */
const NOT_A_TOWN =
  /Knowsley|Sefton|Wirral|Kirklees|Calderdale|Tameside|Trafford|Sandwell|Halton|Medway|Thurrock|Torbay|Rutland|Dorset|Wiltshire|Cornwall|Shropshire|Somerset|shire|Cumberland|Northumberland|Scilly|Durham|Furness|Forest|Darwen|Isle of|^(North|South|East|West|Central) | and /;

/** Ofcom's drama ranges: 1,000 numbers each, never allocated to a real line. */
function dramaLandlinePrefix(code: string): string {
  const n = Number(code);
  if (n >= 201 && n <= 320) return '020 7946 0';
  if (n >= 330 && n <= 336) return '0121 496 0';
  if (n >= 340 && n <= 344) return '0151 496 0';
  if (n >= 350 && n <= 359) return '0161 496 0';
  if (n >= 370 && n <= 373) return '0114 496 0';
  if (n >= 380 && n <= 384) return '0113 496 0';
  if (n >= 390 && n <= 394) return '0191 498 0';
  if (n >= 801 && n <= 803) return '0117 496 0';
  if (n === 891 || n === 892) return '0115 496 0';
  if (n === 855 || n === 856) return '0116 496 0';
  if (n === 869 || n === 870 || n === 872) return '0118 496 0';
  return '01632 960';
}

// ---------------------------------------------------------------------------------------------
// Per-LA context and plan.

interface LaContext {
  la: LocalAuthority;
  index: number;
  key: string;
  profile: LaProfile;
  towns: string[];
  landline: string;
  refOffset: number;
  today: number;
}

function inventedTown(rng: Rng): string {
  const stem = rng.pick(TOWN_STEMS) + rng.pick(TOWN_ENDINGS);
  return rng.chance(0.2) ? `${rng.pick(TOWN_PREFIXES)} ${stem}` : stem;
}

function townsFor(la: LocalAuthority, rng: Rng): string[] {
  if (la.onsCode.startsWith('E09')) {
    // Inner boroughs write "London"; outer ones often their own town names too.
    return la.code.startsWith('2') ? ['London'] : ['London', 'London', ...la.name.split(' and ')];
  }
  const towns: string[] = [];
  const main = la.name.replace(/, (City|County) of$/, '');
  if (!la.onsCode.startsWith('E10') && !NOT_A_TOWN.test(main)) towns.push(main, main, main);
  const invented = towns.length ? rng.int(2, 4) : rng.int(5, 9);
  for (let i = 0; i < invented; i++) towns.push(inventedTown(rng));
  return towns;
}

interface LaPlan {
  types: ProvisionType[];
  statuses: RegistrationStatus[];
  legacy: boolean[];
  /** For CCN/CCD: index of the RPP record (same LA) that runs the setting. */
  rpLink: (number | undefined)[];
}

function planLa(ctx: LaContext, size: number): LaPlan {
  const rng = new Rng(`${ctx.key}:plan`);
  const types: ProvisionType[] = [];
  const statuses: RegistrationStatus[] = [];
  const legacy: boolean[] = [];
  for (let i = 0; i < size; i++) {
    const type = rng.choose(PROVISION_WEIGHTS);
    const status = rng.choose(STATUS_WEIGHTS);
    types.push(type);
    statuses.push(status);
    // Pre-2008 URNs survive only on long-standing registered settings.
    legacy.push(type !== 'RPP' && type !== 'HCR' && REGISTERED.has(status) && rng.chance(0.09));
  }
  // Settings need a registered person; tiny LAs may have drawn none.
  if (!types.includes('RPP')) {
    const first = types.findIndex((t) => t === 'CCN' || t === 'CCD');
    if (first >= 0) {
      types[first] = 'RPP';
      legacy[first] = false;
    }
  }
  const allRps: number[] = [];
  const liveRps: number[] = [];
  types.forEach((type, i) => {
    if (type !== 'RPP') return;
    allRps.push(i);
    if (statuses[i] === 'ACTV' || statuses[i] === 'SUSP') liveRps.push(i);
  });
  const rpLink = types.map((type, i) => {
    if (type !== 'CCN' && type !== 'CCD') return undefined;
    const live = statuses[i] === 'ACTV' || statuses[i] === 'SUSP' || statuses[i] === 'PROP';
    const pool = live && liveRps.length ? liveRps : allRps;
    // Squaring skews towards the first RPs: a few chains run many settings, most run one.
    const u = rng.next();
    return pool[Math.floor(pool.length * u * u)];
  });
  return { types, statuses, legacy, rpLink };
}

function referenceNumber(ctx: LaContext, plan: LaPlan, i: number): string {
  const n = 100000 + ctx.index * REFERENCE_BLOCK + ((i * REFERENCE_STRIDE + ctx.refOffset) % REFERENCE_BLOCK);
  // Prefix or length differs between forms, so uniqueness of n gives uniqueness of the URN.
  if (plan.types[i] === 'RPP') return n % 7 === 0 ? `RP9${n}` : `RP${n}`;
  if (plan.legacy[i]) return n % 3 === 0 ? `5${n}` : `${n}`;
  return `EY${n}`;
}

// ---------------------------------------------------------------------------------------------
// Addresses, names and contacts.

function typo(rng: Rng, text: string): string {
  if (text.length < 4) return text;
  const i = rng.int(1, text.length - 2);
  switch (rng.int(0, 2)) {
    case 0:
      return text.slice(0, i) + text.charAt(i + 1) + text.charAt(i) + text.slice(i + 2);
    case 1:
      return text.slice(0, i) + text.slice(i + 1);
    default:
      return text.slice(0, i) + text.charAt(i) + text.slice(i);
  }
}

/** The real feed is free text typed by applicants: keep a little of that mess. */
function messyTown(rng: Rng, town: string): string {
  const r = rng.next();
  if (r < 0.03) return typo(rng, town);
  if (r < 0.06) return town.toUpperCase();
  if (r < 0.08) return town.toLowerCase();
  if (r < 0.1) return `${town} `;
  return town;
}

function messyCounty(rng: Rng, ctx: LaContext, postcode: string): string | undefined {
  const county = rng.chance(0.75) ? ctx.profile.counties[0]! : rng.pick(ctx.profile.counties);
  const r = rng.next();
  if (r < 0.08) return undefined;
  if (r < 0.1) return postcode;
  if (r < 0.115) return 'Please Select Region...';
  if (r < 0.13) return county.toUpperCase();
  if (r < 0.15) return `${county} `;
  if (r < 0.18) return COUNTY_ABBREVIATIONS[county] ?? county;
  if (r < 0.19) return typo(rng, county);
  return county;
}

function postcode(rng: Rng, ctx: LaContext): string {
  const area = rng.pick(ctx.profile.areas);
  const district = rng.int(1, POSTCODE_DISTRICTS[area] ?? (area.length === 1 ? 20 : 30));
  const unit = String(rng.int(1, 9)) + rng.pick(POSTCODE_UNIT_LETTERS) + rng.pick(POSTCODE_UNIT_LETTERS);
  const r = rng.next();
  if (r < 0.01) return `${area}${district}${unit}`;
  if (r < 0.02) return `${area}${district} ${unit}`.toLowerCase();
  return `${area}${district} ${unit}`;
}

function street(rng: Rng): string {
  return `${rng.pick(STREET_WORDS)} ${rng.pick(STREET_TYPES)}`;
}

function finishAddress(rng: Rng, ctx: LaContext, line1: string, line2: string | undefined): Address {
  const addressLine1 = rng.chance(0.02) ? `${line1} ` : line1;
  const town = messyTown(rng, rng.pick(ctx.towns));
  const code = postcode(rng, ctx);
  const county = messyCounty(rng, ctx, code);
  return {
    addressLine1,
    ...(line2 !== undefined ? { addressLine2: line2 } : {}),
    town,
    ...(county !== undefined ? { county } : {}),
    postcode: code,
  };
}

function homeAddress(rng: Rng, ctx: LaContext): Address {
  const r = rng.next();
  if (r < 0.12) return finishAddress(rng, ctx, `Flat ${rng.int(1, 24)}`, `${rng.int(1, 120)} ${street(rng)}`);
  if (r < 0.45) return finishAddress(rng, ctx, `${rng.int(1, 240)} ${street(rng)}`, inventedTown(rng));
  return finishAddress(rng, ctx, `${rng.int(1, 240)} ${street(rng)}`, undefined);
}

function premisesAddress(rng: Rng, ctx: LaContext): Address {
  const place = rng.pick(STREET_WORDS);
  const line1 = rng.pick([
    `${place} Community Centre`,
    `St ${rng.pick(FIRST_NAMES)}'s Church Hall`,
    `${place} Primary School`,
    `Unit ${rng.int(1, 30)}`,
    `${place} Village Hall`,
    `${rng.int(1, 240)} ${street(rng)}`,
    `The Old ${rng.pick(['School House', 'Vicarage', 'Library', 'Bank', 'Chapel'])}`,
  ]);
  // Named premises usually give the street on the second line; a numbered street address does not.
  const line2 = /^\d/.test(line1) || rng.chance(0.3) ? undefined : street(rng);
  return finishAddress(rng, ctx, line1, line2);
}

function landline(rng: Rng, ctx: LaContext): string {
  const prefix = rng.chance(0.85) ? ctx.landline : '01632 960';
  const number = prefix + String(rng.int(0, 999)).padStart(3, '0');
  return rng.chance(0.2) ? number.replace(/ /g, '') : number;
}

function mobile(rng: Rng): string {
  const number = `07700 900${String(rng.int(0, 999)).padStart(3, '0')}`;
  return rng.chance(0.25) ? number.replace(/ /g, '') : number;
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '.')
    .replace(/^\.|\.$/g, '');
}

function email(rng: Rng, name: string): string {
  const domain = rng.chance(0.5) ? 'example.org' : 'example.com';
  const local = rng.chance(0.7) ? slug(name) : `${slug(name).replace(/\./g, '')}${rng.int(1, 99)}`;
  // Ofsted's schema allows 50 characters for an email address.
  return `${local.slice(0, 49 - domain.length).replace(/\.$/, '')}@${domain}`;
}

function personContact(rng: Rng, ctx: LaContext, name: string): ProviderContact | undefined {
  const contact: ProviderContact = {};
  if (rng.chance(0.65)) contact.telephoneNumber = landline(rng, ctx);
  if (rng.chance(0.85)) contact.mobileNumber = mobile(rng);
  if (rng.chance(0.05)) contact.workTelephoneNumber = landline(rng, ctx);
  if (rng.chance(0.01)) contact.faxNumber = landline(rng, ctx);
  if (rng.chance(0.8)) contact.emailAddress = email(rng, name);
  return Object.keys(contact).length ? contact : undefined;
}

function settingContact(rng: Rng, ctx: LaContext, name: string): SettingContact | undefined {
  const contact: SettingContact = {};
  if (rng.chance(0.8)) contact.telephoneNumber = landline(rng, ctx);
  if (rng.chance(0.04)) contact.faxNumber = landline(rng, ctx);
  if (rng.chance(0.7)) contact.emailAddress = email(rng, name);
  return Object.keys(contact).length ? contact : undefined;
}

function personName(rng: Rng): string {
  const first = rng.pick(FIRST_NAMES);
  const last = rng.pick(SURNAMES);
  const r = rng.next();
  if (r < 0.1) return `${first} ${rng.pick(FIRST_NAMES)} ${last}`;
  if (r < 0.13) return `${first} ${last}-${rng.pick(SURNAMES)}`;
  if (r < 0.15) return `${first} ${last}`.toUpperCase();
  return `${first} ${last}`;
}

function orgName(rng: Rng, towns: readonly string[]): string {
  const r = rng.next();
  if (r < 0.35) return `${rng.pick(NATURE_WORDS)} ${rng.pick(ORG_SUFFIXES)}`;
  if (r < 0.55) return `${rng.pick(SURNAMES)} ${rng.pick(ORG_SUFFIXES)}`;
  if (r < 0.7) return `The Committee of ${rng.pick(towns)} Community Pre-School`;
  if (r < 0.8) return `${rng.pick(SURNAMES)} & ${rng.pick(SURNAMES)} Partnership`;
  if (r < 0.9) return `${rng.pick(STREET_WORDS)} Primary School Governing Body`;
  return `${rng.pick(FIRST_NAMES)} ${rng.pick(SURNAMES)}`;
}

interface Org {
  name: string;
  address: Address;
  contact?: ProviderContact;
}

/**
 * The organisation behind an RPP record, derived from its own stream so that the RPP record
 * and every setting it runs (generated at other points of the LA stream) agree on it.
 */
function org(ctx: LaContext, rpIndex: number): Org {
  const rng = new Rng(`${ctx.key}:rp:${rpIndex}`);
  const name = orgName(rng, ctx.towns);
  const address = rng.chance(0.5) ? premisesAddress(rng, ctx) : homeAddress(rng, ctx);
  const contact = personContact(rng, ctx, name);
  if (contact) delete contact.mobileNumber;
  return contact && Object.keys(contact).length ? { name, address, contact } : { name, address };
}

function plural(word: string): string {
  return /(s|sh)$/.test(word) ? word : `${word}s`;
}

function settingName(rng: Rng, club: boolean, towns: readonly string[]): string {
  const kind = rng.pick(club ? CLUB_KINDS : NURSERY_KINDS);
  const r = rng.next();
  if (r < 0.6) return `${plural(rng.pick(NATURE_WORDS))} ${kind}`;
  if (r < 0.8) return `${rng.pick(towns)} ${kind}`;
  if (r < 0.9) return `Little ${plural(rng.pick(NATURE_WORDS))}`;
  return `${rng.pick(STREET_WORDS)} ${kind}`.toUpperCase();
}

// ---------------------------------------------------------------------------------------------
// Lifecycle, registers, inspections, notices.

interface Lifecycle {
  history: StatusHistoryEntry[];
  /** Day of registration (first ACTV), for registered statuses. */
  registered?: number;
  /** Day the record became inactive (RESG, CANC, INAC, REFU, EXEM). */
  inactiveFrom?: number;
  /** Day the current suspension began. */
  suspendedFrom?: number;
  /** Day the application was made (PROP entry), if any. */
  applied?: number;
}

/** Half of the inactive records left within the extract's 60-day window, half long ago. */
function inactiveDay(rng: Rng, today: number): number {
  return rng.chance(0.5) ? rng.int(today - 59, today - 1) : rng.int(today - 5 * 365, today - 61);
}

function registrationDay(rng: Rng, type: ProvisionType, legacy: boolean, latest: number): number {
  if (legacy) return rng.int(OFSTED_START, Math.min(EYFS_START - 1, latest));
  // Exponential age: childminders come and go, nurseries last; mean years by type.
  const meanYears = type === 'CCN' ? 9 : type === 'RPP' ? 8 : type === 'CCD' ? 7 : type === 'CMR' ? 5 : 4;
  const day = latest - Math.floor(-Math.log(1 - rng.next()) * meanYears * 365);
  return day >= EY_URN_START ? day : rng.int(Math.min(EY_URN_START, latest), latest);
}

// Helpers below are module functions rather than closures on purpose: tsx (esbuild keepNames)
// wraps every named closure in a __name() call on each creation, a fifth of the run time.

function entry(status: RegistrationStatus, day: number): StatusHistoryEntry {
  return { status, changeDate: formatDay(day) };
}

interface RegisteredPath {
  history: StatusHistoryEntry[];
  registered: number;
  applied?: number;
}

function registeredHistory(rng: Rng, type: ProvisionType, legacy: boolean, latest: number): RegisteredPath {
  const registered = registrationDay(rng, type, legacy, latest);
  // Older records were migrated with their ACTV date only; newer ones keep the application.
  if (!legacy && rng.chance(0.6)) {
    const applied = registered - rng.int(30, 200);
    return { history: [entry('PROP', applied), entry('ACTV', registered)], registered, applied };
  }
  return { history: [entry('ACTV', registered)], registered };
}

function lifecycle(
  rng: Rng,
  status: RegistrationStatus,
  type: ProvisionType,
  legacy: boolean,
  today: number,
): Lifecycle {
  switch (status) {
    case 'PROP': {
      const applied = rng.int(today - 180, today - 1);
      return { history: [entry('PROP', applied)], applied };
    }
    case 'EXEM': {
      // Found exempt after applying: never registered, so no registration date.
      const applied = rng.int(today - 2000, today - 120);
      return { history: [entry('PROP', applied), entry('EXEM', applied + rng.int(14, 90))], applied };
    }
    case 'INAC':
    case 'REFU': {
      const inactiveFrom = inactiveDay(rng, today);
      const applied = inactiveFrom - rng.int(30, 365);
      return { history: [entry('PROP', applied), entry(status, inactiveFrom)], applied, inactiveFrom };
    }
    case 'ACTV': {
      const path = registeredHistory(rng, type, legacy, today - 1);
      // A lifted suspension now and then: ACTV → SUSP → ACTV.
      if (path.registered < today - 400 && rng.chance(0.02)) {
        const from = rng.int(path.registered + 60, today - 200);
        path.history.push(entry('SUSP', from), entry('ACTV', from + rng.int(14, 84)));
      }
      return path;
    }
    case 'SUSP': {
      // Suspensions run 6 weeks at a time, 12 at most: the current one began within 12 weeks.
      const suspendedFrom = rng.int(today - 84, today - 1);
      const path = registeredHistory(rng, type, legacy, suspendedFrom - 30);
      path.history.push(entry('SUSP', suspendedFrom));
      return { ...path, suspendedFrom };
    }
    case 'RESG':
    case 'CANC': {
      const inactiveFrom = inactiveDay(rng, today);
      // Cancellation follows NOI and NOD: leave room for them after registration.
      const path = registeredHistory(rng, type, legacy, inactiveFrom - (status === 'CANC' ? 150 : 30));
      if (status === 'CANC' && rng.chance(0.25))
        path.history.push(entry('SUSP', inactiveFrom - rng.int(7, 84)));
      path.history.push(entry(status, inactiveFrom));
      return { ...path, inactiveFrom };
    }
  }
}

function maybe<T>(rng: Rng, list: T[], value: T, p: number): void {
  if (rng.chance(p)) list.push(value);
}

function registers(
  rng: Rng,
  type: ProvisionType,
  club: boolean,
  registered: number,
  inactiveFrom: number | undefined,
  today: number,
): ChildServicesRegister[] {
  const wanted: Register[] = [];
  if (type === 'HCR') {
    wanted.push('VCR');
  } else if (type === 'CMR') {
    maybe(rng, wanted, 'EYR', 0.92);
    maybe(rng, wanted, 'CCR', 0.75);
    maybe(rng, wanted, 'VCR', 0.45);
  } else if (club) {
    maybe(rng, wanted, 'EYR', 0.4);
    wanted.push('CCR');
    maybe(rng, wanted, 'VCR', 0.6);
  } else {
    wanted.push('EYR');
    maybe(rng, wanted, 'CCR', type === 'CCD' ? 0.5 : 0.45);
    maybe(rng, wanted, 'VCR', 0.3);
  }
  if (!wanted.length) wanted.push('EYR');
  // The registers themselves began in September 2008.
  const first = Math.max(registered, EYFS_START);
  const lastActive = inactiveFrom ?? today - 1;
  return wanted.map((register, n) => {
    const startDay = n > 0 && rng.chance(0.2) ? rng.int(first, Math.max(first, lastActive - 30)) : first;
    const row: ChildServicesRegister = { register, status: 'REGD', startDate: formatDay(startDay) };
    if (inactiveFrom !== undefined) row.endDate = formatDay(Math.max(startDay, inactiveFrom));
    else if (rng.chance(0.04) && startDay + 30 < today)
      row.endDate = formatDay(rng.int(startDay + 30, today - 1));
    return row;
  });
}

function ageBands(
  rng: Rng,
  type: ProvisionType,
  club: boolean,
  regs: readonly ChildServicesRegister[],
): ChildcareAge[] {
  const bands: ChildcareAge[] = [];
  const eyr = regs.some((r) => r.register === 'EYR');
  const ccr = regs.some((r) => r.register === 'CCR');
  const childminder = type === 'CMR';
  if (eyr) {
    const max = childminder
      ? rng.pick([6, 6, 6, 6, 6, 5, 4, 3])
      : type === 'CCD'
        ? rng.int(8, 20)
        : club
          ? rng.int(8, 24)
          : 5 * rng.int(4, 24);
    bands.push({ ageFrom: 0, ageTo: 5, maximumNumber: max, register: 'EYR' });
  }
  if (ccr) {
    const max = childminder
      ? rng.pick([6, 6, 6, 3])
      : type === 'CCD'
        ? rng.int(4, 12)
        : club
          ? rng.int(16, 60)
          : rng.int(8, 40);
    bands.push({ ageFrom: 5, ageTo: 8, maximumNumber: max, register: 'CCR' });
  }
  return bands;
}

function periods(rng: Rng, type: ProvisionType, club: boolean): ChildcarePeriod[] {
  const chosen: ChildcarePeriod[] = [];
  if (club) {
    maybe(rng, chosen, 'SCTO', 0.7);
    maybe(rng, chosen, 'SCHO', 0.6);
    maybe(rng, chosen, 'WDBS', 0.7);
    maybe(rng, chosen, 'WDAS', 0.9);
    maybe(rng, chosen, '2HPD', 0.6);
    maybe(rng, chosen, '3HPD', 0.2);
  } else if (type === 'CCN' || type === 'CCD') {
    if (rng.chance(0.55)) chosen.push('ALYR');
    else chosen.push(rng.chance(0.5) ? 'SCTO' : '45WY');
    maybe(rng, chosen, '5DWK', 0.85);
    maybe(rng, chosen, '4HPD', 0.7);
    if (rng.chance(0.75)) chosen.push('WDAL');
    else {
      maybe(rng, chosen, 'WDAM', 0.8);
      maybe(rng, chosen, 'WDPM', 0.6);
      maybe(rng, chosen, '3HPD', 0.5);
    }
  } else if (type === 'HCR') {
    maybe(rng, chosen, 'WDAL', 0.5);
    maybe(rng, chosen, 'WDBS', 0.3);
    maybe(rng, chosen, 'WDAS', 0.4);
    maybe(rng, chosen, 'WEND', 0.25);
    maybe(rng, chosen, 'OVNT', 0.15);
    maybe(rng, chosen, 'ALYR', 0.4);
  } else {
    chosen.push(rng.chance(0.65) ? 'ALYR' : '45WY');
    maybe(rng, chosen, '4HPD', 0.7);
    maybe(rng, chosen, '5DWK', 0.8);
    maybe(rng, chosen, 'WDAL', 0.7);
    maybe(rng, chosen, 'WDBS', 0.4);
    maybe(rng, chosen, 'WDAS', 0.5);
    maybe(rng, chosen, 'SCHO', 0.3);
    maybe(rng, chosen, 'SCTO', 0.15);
    maybe(rng, chosen, 'WEND', 0.08);
    maybe(rng, chosen, 'OVNT', 0.04);
  }
  return chosen;
}

const SPECIAL_CONSIDERATION_WEIGHTS = weighted<SpecialConsideration>([
  ['WREF', 4],
  ['ANON', 4],
  ['MOD', 2],
]);

const EYR_BEFORE_2012 = weighted([
  ['Good', 52],
  ['Outstanding', 14],
  ['Satisfactory', 36],
  ['Inadequate', 2],
]);
const EYR_FROM_2012 = weighted([
  ['Good', 75],
  ['Outstanding', 13],
  ['Requires Improvement', 5.5],
  ['Inadequate', 2],
]);
const COMPLIANCE = weighted([
  ['Met', 86],
  ['Not Met (with actions)', 12],
  ['Not Met (with enforcement)', 2],
]);

function inspection(rng: Rng, day: number, eyr: boolean): Inspection {
  let type: string;
  let judgement: string;
  if (day < EYFS_START) {
    type = 'Childcare Inspection';
    judgement = rng.choose(EYR_BEFORE_2012);
  } else if (eyr) {
    type = 'Inspection (Early Years Register)';
    judgement = rng.choose(day < RI_START ? EYR_BEFORE_2012 : EYR_FROM_2012);
  } else {
    type = rng.chance(0.7) ? 'Inspection (Childcare Register)' : 'Regulatory Visit';
    judgement = rng.choose(COMPLIANCE);
  }
  return { inspectionType: type, inspectionDate: formatDay(day), overallJudgement: judgement };
}

function inspections(
  rng: Rng,
  regs: readonly ChildServicesRegister[],
  registered: number,
  end: number,
): Inspection[] {
  const result: Inspection[] = [];
  const hasEyr = regs.some((r) => r.register === 'EYR');
  // A first inspection within ~30 months, then one every 3–6 years (the cycle); childcare
  // register-only settings are sampled, so most never see an inspector.
  let day = registered + rng.int(120, 900);
  const sampled = hasEyr || rng.chance(0.35);
  while (sampled && day < end && result.length < 6) {
    result.push(inspection(rng, day, hasEyr));
    day += rng.int(1000, 2200);
  }
  // Complaints and compliance checks on the childcare register.
  if (result.length < 6 && end - registered > 200 && rng.chance(0.25))
    result.push(inspection(rng, rng.int(registered + 60, end - 1), false));
  result.sort((a, b) =>
    a.inspectionDate < b.inspectionDate ? -1 : a.inspectionDate > b.inspectionDate ? 1 : 0,
  );
  return result;
}

function notice(rng: Rng, type: 'NOI' | 'NOD', subject: string, status: NoticeStatus, day: number): Notice {
  const result: Notice = { type, subType: `${subject} ${type}`, status };
  // A few legacy rows carry no date at all.
  if (!rng.chance(0.02)) result.date = formatDay(day);
  return result;
}

function notices(rng: Rng, status: RegistrationStatus, life: Lifecycle, today: number): Notice[] {
  const { registered, inactiveFrom, suspendedFrom, applied } = life;
  if (status === 'REFU' && applied !== undefined && inactiveFrom !== undefined) {
    const nod = rng.int(Math.max(applied + 2, inactiveFrom - 40), inactiveFrom - 1);
    const noi = rng.int(applied + 1, nod - 1);
    return [
      notice(rng, 'NOI', 'Refusal', 'Superseded', noi),
      notice(rng, 'NOD', 'Refusal', 'Effective', nod),
    ];
  }
  if (registered === undefined) return [];
  if (status === 'CANC' && inactiveFrom !== undefined && rng.chance(0.85)) {
    // Cancellation: NOI, superseded by a NOD, effective once the 28-day appeal window closed.
    const subject = rng.chance(0.55) ? 'Non-payment of fee' : 'Cancellation';
    const nod = inactiveFrom - rng.int(28, 60);
    const noi = nod - rng.int(14, 45);
    return [notice(rng, 'NOI', subject, 'Superseded', noi), notice(rng, 'NOD', subject, 'Effective', nod)];
  }
  if (status === 'SUSP' && suspendedFrom !== undefined && rng.chance(0.3)) {
    return [notice(rng, 'NOI', 'Cancellation', 'Open', rng.int(suspendedFrom + 1, today))];
  }
  const closedBy = inactiveFrom !== undefined ? inactiveFrom - 60 : today - 1;
  if (status === 'ACTV') {
    const r = rng.next();
    // Current proceedings: the only place an Open NOI or a live NOD can be.
    if (r < 0.006 && registered < today - 120) {
      return [
        notice(
          rng,
          'NOI',
          rng.chance(0.7) ? 'Non-payment of fee' : 'Cancellation',
          'Open',
          rng.int(today - 59, today),
        ),
      ];
    }
    if (r < 0.009 && registered < today - 120) {
      const nod = rng.int(today - 27, today - 1);
      return [
        notice(rng, 'NOI', 'Cancellation', 'Superseded', nod - rng.int(14, 45)),
        notice(rng, 'NOD', 'Cancellation', rng.chance(0.6) ? 'Appeal period' : 'Under appeal', nod),
      ];
    }
  }
  const historical = status === 'ACTV' ? 0.115 : status === 'RESG' ? 0.06 : 0;
  if (closedBy - registered < 120 || !rng.chance(historical)) return [];
  const r = rng.next();
  const day = rng.int(registered + 60, closedBy);
  if (r < 0.7) return [notice(rng, 'NOI', 'Non-payment of fee', 'Withdrawn', day)];
  if (r < 0.82) return [notice(rng, 'NOI', 'Cancellation', 'Withdrawn', day)];
  const subject = r < 0.95 ? 'Conditions' : 'Cancellation';
  const outcome: NoticeStatus = subject === 'Conditions' ? 'Effective' : 'Overturned';
  const noi = day - rng.int(30, 60);
  return [
    notice(rng, 'NOI', subject, 'Superseded', Math.max(registered + 1, noi)),
    notice(rng, 'NOD', subject, outcome, day),
  ];
}

// ---------------------------------------------------------------------------------------------
// One record.

function makeRecord(ctx: LaContext, plan: LaPlan, i: number, rng: Rng): Registration {
  const today = ctx.today;
  const type = plan.types[i]!;
  const status = plan.statuses[i]!;
  const runBySetting = type === 'CCN' || type === 'CCD';
  const club = runBySetting && rng.chance(0.3);
  const life = lifecycle(rng, status, type, plan.legacy[i]!, today);

  const rpIndex = type === 'RPP' ? i : plan.rpLink[i];
  let provider: Registration['provider'];
  if (rpIndex !== undefined) {
    const { name, address, contact } = org(ctx, rpIndex);
    provider = contact ? { name, address, contact } : { name, address };
  } else {
    const name = personName(rng);
    const address = homeAddress(rng, ctx);
    const contact = personContact(rng, ctx, name);
    provider = contact ? { name, address, contact } : { name, address };
  }
  const rpReferenceNumber =
    runBySetting && rpIndex !== undefined ? referenceNumber(ctx, plan, rpIndex) : undefined;
  const secondary = type === 'CMR' && rng.chance(0.06);

  let setting: Registration['setting'];
  if (runBySetting) {
    const name = settingName(rng, club, ctx.towns);
    const address = premisesAddress(rng, ctx);
    const contact = settingContact(rng, ctx, name);
    setting = contact ? { name, address, contact } : { name, address };
  } else if (type !== 'RPP') {
    // Childminders and home childcarers: the setting is the person, usually at home.
    const name = rng.chance(0.85) ? provider.name : `${provider.name.split(' ').pop() ?? ''}'s Childminding`;
    const address = rng.chance(0.9) ? { ...provider.address } : homeAddress(rng, ctx);
    setting = rng.chance(0.2)
      ? { name, address, contact: { telephoneNumber: landline(rng, ctx) } }
      : { name, address };
  }

  const special =
    (type === 'CMR' || type === 'HCR') && rng.chance(0.005)
      ? rng.choose(SPECIAL_CONSIDERATION_WEIGHTS)
      : undefined;

  const childcarePeriods = type === 'RPP' ? [] : periods(rng, type, club);
  let regs: ChildServicesRegister[] = [];
  let bands: ChildcareAge[] = [];
  let visits: Inspection[] = [];
  // ~84% of registered settings (≈80% of all non-RPP records) carry register rows.
  if (life.registered !== undefined && type !== 'RPP' && rng.chance(0.84)) {
    regs = registers(rng, type, club, life.registered, life.inactiveFrom, today);
    bands = ageBands(rng, type, club, regs);
    visits = inspections(rng, regs, life.registered, life.inactiveFrom ?? today);
  }
  const noticeList = notices(rng, status, life, today);

  // LastChangeDate: on or after every dated event, never after today.
  let latest = 0;
  for (const h of life.history) latest = later(latest, h.changeDate);
  for (const row of regs) latest = later(later(latest, row.startDate), row.endDate);
  for (const x of visits) latest = later(latest, x.inspectionDate);
  for (const n of noticeList) latest = later(latest, n.date);
  const r = rng.next();
  const last =
    r < 0.5 ? latest : r < 0.8 ? rng.int(latest, Math.min(today, latest + 60)) : rng.int(latest, today);

  // Properties in the extract's element order, so a dump reads like the document.
  return {
    referenceNumber: referenceNumber(ctx, plan, i),
    ...(rpReferenceNumber !== undefined ? { rpReferenceNumber } : {}),
    laCode: ctx.la.code,
    provisionType: type,
    ...(secondary ? { secondaryProvisionType: 'HCR' as const } : {}),
    provider,
    ...(setting ? { setting } : {}),
    ...(special ? { specialConsiderations: special } : {}),
    status,
    statusHistory: life.history,
    ...(life.registered !== undefined ? { registrationDate: formatDay(life.registered) } : {}),
    registers: regs,
    childcarePeriods,
    ageBands: bands,
    inspections: visits,
    notices: noticeList,
    lastChangeDate: formatDay(Math.min(today, last)),
  };
}

const CERTIFICATE_CONDITIONS = [
  'The registered person must not care for more than three children under one year old at any one time.',
  'Childcare may only be provided at the registered premises.',
  'The provider must not use the first floor of the premises for childcare.',
  'Overnight care may be provided for no more than two children at any one time.',
  'An assistant must be present whenever more than six children are being cared for.',
];

const WELFARE_CATEGORIES = [
  'Safeguarding and welfare requirements',
  'Suitable people',
  'Staff qualifications, training, support and skills',
  'Safety and suitability of premises, environment and equipment',
  'Information and records',
];

/** A UPRN: most have 9–12 digits. */
const uprn = (rng: Rng): string => String(rng.int(10_000_000, 999_999_999_999));

/**
 * Ofsted's v1.1–v1.3 elements, in realistic shares: UPRNs on most addresses; consent withheld by
 * some childminders and home childcarers; a few childminder agencies (CA, from RP records no
 * setting is run by) and exempt records (EXEM, from never-registered applicants); certificate
 * conditions on some registered childminders and nurseries; welfare notices on a few; and on
 * most RP-linked settings a link to their registered person while it is proposed, active or
 * suspended (the only statuses Ofsted links).
 */
function addV13Elements(
  ctx: LaContext,
  plan: LaPlan,
  i: number,
  r: Registration,
  linkedRp: ReadonlySet<number>,
  rng: Rng,
): void {
  const providerUprn = rng.chance(0.85) ? uprn(rng) : undefined;
  if (providerUprn !== undefined) r.provider.address.uprn = providerUprn;
  if (r.setting) {
    const sameAddress =
      r.setting.address.addressLine1 === r.provider.address.addressLine1 &&
      r.setting.address.postcode === r.provider.address.postcode;
    const settingUprn = sameAddress ? providerUprn : rng.chance(0.85) ? uprn(rng) : undefined;
    if (settingUprn !== undefined) r.setting.address.uprn = settingUprn;
  }
  if (r.provisionType === 'CMR' || r.provisionType === 'HCR') {
    const p = rng.next();
    if (p < 0.12) r.provider.consentWithheld = 'Y';
    else if (p < 0.7) r.provider.consentWithheld = 'N';
  }
  if (r.provisionType === 'RPP' && !linkedRp.has(i) && rng.chance(0.05)) r.provisionType = 'CA';
  if (r.status === 'INAC' && rng.chance(0.2)) {
    r.status = 'EXEM';
    const last = r.statusHistory.at(-1);
    if (last) last.status = 'EXEM';
  }
  const registered = r.registrationDate;
  if (registered !== undefined && r.registers.length > 0 && rng.chance(0.05)) {
    const conditions = [rng.pick(CERTIFICATE_CONDITIONS)];
    if (rng.chance(0.3)) conditions.push(rng.pick(CERTIFICATE_CONDITIONS));
    r.certificateConditions = [...new Set(conditions)].map((condition) =>
      rng.chance(0.6) ? { condition, register: 'EYR' as const } : { condition },
    );
  }
  if (registered !== undefined && rng.chance(0.015)) {
    const from = Math.max(parseDay(registered) + 30, ctx.today - 2000);
    if (from < ctx.today - 1) {
      const start = rng.int(from, ctx.today - 1);
      const end = rng.chance(0.6) && start + 30 < ctx.today ? rng.int(start + 14, ctx.today - 1) : undefined;
      r.welfareNotices = [
        {
          category: rng.pick(WELFARE_CATEGORIES),
          startDate: formatDay(start),
          ...(end !== undefined ? { endDate: formatDay(end) } : {}),
        },
      ];
      // Ofsted changed the record when it served the notice (and when it ended).
      const changed = formatDay(end ?? start);
      if (changed > r.lastChangeDate) r.lastChangeDate = changed;
    }
  }
  const rp = plan.rpLink[i];
  const rpStatus = rp === undefined ? undefined : plan.statuses[rp];
  if (
    rp !== undefined &&
    r.rpReferenceNumber &&
    (rpStatus === 'PROP' || rpStatus === 'ACTV' || rpStatus === 'SUSP') &&
    rng.chance(0.7)
  ) {
    r.linkedRegistrations = [{ referenceNumber: r.rpReferenceNumber, reason: 'Registered person' }];
  }
}

/** The later of a day and a date; dates made here are valid, so no round-trip check. */
function later(day: number, date: string | undefined): number {
  if (date === undefined) return day;
  const other = dayFromCivil(Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10)));
  return other > day ? other : day;
}

// ---------------------------------------------------------------------------------------------

/**
 * The register, LA by LA in code order, streamed. The same options always give the same
 * records; `laCodes` selects LAs without changing their records.
 */
export function* generateRegister(options: GenerateOptions): Generator<Registration> {
  const today = parseDay(options.today);
  const refOffset = new Rng(`${options.seed}:references`).int(0, REFERENCE_BLOCK - 1);
  for (const { la, index } of selectLas(options.laCodes)) {
    const key = `${options.seed}:${options.scale}:${la.code}`;
    const size = laSize(la, options.scale, options.seed);
    const ctx: LaContext = {
      la,
      index,
      key,
      profile: profileFor(la),
      towns: townsFor(la, new Rng(`${key}:towns`)),
      landline: dramaLandlinePrefix(la.code),
      refOffset,
      today,
    };
    const plan = planLa(ctx, size);
    const rng = new Rng(`${key}:records`);
    // Ofsted v1.1–v1.3 elements draw from a stream of their own, so the rest of each record is
    // what it was before they were modelled.
    const v13 = new Rng(`${key}:v1.3`);
    const linkedRp = new Set(plan.rpLink.filter((x): x is number => x !== undefined));
    for (let i = 0; i < size; i++) {
      const record = makeRecord(ctx, plan, i, rng);
      addV13Elements(ctx, plan, i, record, linkedRp, v13);
      yield record;
    }
  }
}
