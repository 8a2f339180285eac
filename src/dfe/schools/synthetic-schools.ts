/**
 * A deterministic synthetic schools register: ~22,000 schools over the 153 live LAs at
 * national scale (about what GIAS lists as open state-funded schools), 1/30 of that for demos.
 * Names, streets, towns and postcodes are built from word lists; none is a real school.
 */
import { plannedRegisterSize } from '../../contracts/childcare-extract/synthetic-register.ts';
import { liveLocalAuthorities } from '../../platform/reference.ts';
import type { School } from './school.ts';

export type SchoolsScale = 'demo' | 'national';

export interface GenerateSchoolsOptions {
  scale: SchoolsScale;
  seed: number;
}

export const NATIONAL_SCHOOLS = 22_000;

// PRNG: mulberry32. Math.random is neither seedable nor reproducible.
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const pick = <T>(rand: Rand, items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;

function weighted<T>(rand: Rand, table: readonly (readonly [T, number])[]): T {
  const total = table.reduce((sum, [, w]) => sum + w, 0);
  let r = rand() * total;
  for (const [value, w] of table) {
    r -= w;
    if (r < 0) return value;
  }
  return table[table.length - 1]![0];
}

// Shares from GIAS open state-funded schools, rounded.
const PHASES = [
  ['Primary', 76],
  ['Secondary', 16],
  ['Not applicable', 5.5],
  ['Nursery', 1.5],
  ['All-through', 0.7],
  ['16 plus', 0.3],
] as const;
type Phase = (typeof PHASES)[number][0];

const TYPES: Record<Phase, readonly (readonly [string, number])[]> = {
  Primary: [
    ['Community school', 34],
    ['Academy converter', 30],
    ['Voluntary aided school', 12],
    ['Voluntary controlled school', 10],
    ['Academy sponsor led', 8],
    ['Foundation school', 3],
    ['Free schools', 3],
  ],
  Secondary: [
    ['Academy converter', 55],
    ['Academy sponsor led', 20],
    ['Community school', 8],
    ['Free schools', 6],
    ['Voluntary aided school', 6],
    ['Foundation school', 5],
  ],
  'Not applicable': [
    ['Community special school', 50],
    ['Academy special converter', 22],
    ['Pupil referral unit', 15],
    ['Free schools special', 8],
    ['Academy alternative provision sponsor led', 5],
  ],
  Nursery: [['Local authority nursery school', 1]],
  'All-through': [
    ['Academy converter', 45],
    ['Free schools', 35],
    ['Academy sponsor led', 20],
  ],
  '16 plus': [['Free schools 16 to 19', 1]],
};

const SAINTS = [
  'St Mary',
  'St John',
  'St Peter',
  'St Paul',
  'St Michael',
  'St Andrew',
  'St Joseph',
  'St Anne',
  'St Thomas',
  'St George',
  'St Luke',
  'St Margaret',
  'St Aidan',
  'St Chad',
  'St Cuthbert',
  'St Edmund',
];
const HOLY = [
  'Holy Trinity',
  'Christ Church',
  'Holy Cross',
  'Sacred Heart',
  'Our Lady',
  'Holy Family',
  'All Saints',
];
const PLACE_HEADS = [
  'Ash',
  'Oak',
  'Elm',
  'Bramble',
  'Kings',
  'Queens',
  'North',
  'South',
  'West',
  'East',
  'Mill',
  'Brook',
  'Hazel',
  'Willow',
  'Thorn',
  'Beech',
  'Stone',
  'Red',
  'Green',
  'Fair',
  'Long',
  'High',
  'Church',
  'Marsh',
  'Lark',
  'Fox',
  'Cherry',
  'Birch',
  'Holly',
  'Meadow',
];
const PLACE_TAILS = [
  'field',
  'ley',
  'ton',
  'wood',
  'bury',
  'ham',
  'ford',
  'gate',
  'well',
  'brook',
  'combe',
  'stead',
  'worth',
  'hurst',
  'moor',
  'dale',
  'bridge',
  'thorpe',
  'by',
  'wick',
];
const FEATURES = ['Park', 'Green', 'Hill', 'Lane', 'Meadows', 'Vale', 'Fields', 'Grove', 'Rise', 'Valley'];
const STREET_KINDS = ['Road', 'Lane', 'Street', 'Avenue', 'Way', 'Close', 'Drive', 'Crescent'];

function place(rand: Rand): string {
  return pick(rand, PLACE_HEADS) + pick(rand, PLACE_TAILS);
}

function schoolName(rand: Rand, phase: Phase, type: string, town: string): string {
  const local = rand() < 0.5 ? town : place(rand);
  const religious = type.startsWith('Voluntary') || (phase !== 'Not applicable' && rand() < 0.05);
  if (phase === 'Primary') {
    const stage = weighted(rand, [
      ['Primary School', 85],
      ['Infant School', 6],
      ['Junior School', 5],
      ['Primary Academy', 4],
    ] as const);
    if (religious) {
      const patron = rand() < 0.7 ? `${pick(rand, SAINTS)}'s` : pick(rand, HOLY);
      return `${patron} ${rand() < 0.6 ? 'CofE' : 'Catholic'} ${stage}`;
    }
    return rand() < 0.4 ? `${local} ${pick(rand, FEATURES)} ${stage}` : `${local} ${stage}`;
  }
  if (phase === 'Secondary' || phase === 'All-through') {
    if (religious)
      return `${rand() < 0.5 ? `${pick(rand, SAINTS)}'s` : pick(rand, HOLY)} Catholic High School`;
    const kind = pick(rand, [
      'Academy',
      'High School',
      'School',
      'Community College',
      'Secondary School',
      'Grammar School',
    ]);
    return kind === 'School' ? `The ${local} School` : `${local} ${kind}`;
  }
  if (phase === 'Nursery') return `${local} Nursery School`;
  if (phase === '16 plus') return `${local} Sixth Form College`;
  if (type === 'Pupil referral unit' || type.includes('alternative provision'))
    return `${local} Learning Centre`;
  return `${local} ${pick(rand, ['School', 'Special School', 'Academy'])}`;
}

/** Postcode-shaped but from a made-up area ("ZQ…" never prefixes a real one). */
function postcode(rand: Rand, area: string): string {
  const letters = 'ABDEFGHJLNPQRSTUWXYZ';
  const l = () => letters[Math.floor(rand() * letters.length)]!;
  return `${area}${1 + Math.floor(rand() * 29)} ${Math.floor(rand() * 10)}${l()}${l()}`;
}

/** Each LA's count in proportion to its size (the childcare register's population weights). */
function perLaCounts(scale: SchoolsScale, rand: Rand): Map<string, number> {
  const las = liveLocalAuthorities();
  const sizes = plannedRegisterSize({ scale: 'national', seed: 0 }).perLa;
  // ±10% per seed so LAs of equal size differ.
  const weights = las.map((la) => (sizes.get(la.code) ?? 100) * (0.9 + 0.2 * rand()));
  const total = weights.reduce((a, b) => a + b, 0);
  const target = scale === 'national' ? NATIONAL_SCHOOLS : Math.round(NATIONAL_SCHOOLS / 30);
  return new Map(las.map((la, i) => [la.code, Math.max(1, Math.round((target * weights[i]!) / total))]));
}

/** The same (scale, seed) always gives the same schools, ordered by LA code then URN. */
export function generateSchools(options: GenerateSchoolsOptions): School[] {
  const rand = prng(options.seed ^ (options.scale === 'national' ? 0x5c0015 : 0xde3051));
  const counts = perLaCounts(options.scale, rand);
  const used = new Set<number>();
  const schools: School[] = [];
  liveLocalAuthorities().forEach((la, laIndex) => {
    const towns = Array.from({ length: 3 + Math.floor(rand() * 6) }, () => place(rand));
    const area = `Z${'ABCDEFGHJKLMNOPQRSTUVWXY'[laIndex % 24]!}`;
    const inLa: School[] = [];
    for (let n = 0; n < (counts.get(la.code) ?? 0); n++) {
      let urn: number;
      do urn = 100000 + Math.floor(rand() * 900000);
      while (used.has(urn));
      used.add(urn);
      const phase = weighted(rand, PHASES);
      const type = weighted(rand, TYPES[phase]);
      const town = pick(rand, towns);
      inLa.push({
        urn,
        name: schoolName(rand, phase, type, town),
        laCode: la.code,
        typeOfEstablishment: type,
        phaseOfEducation: phase,
        status: 'Open',
        street: `${pick(rand, PLACE_HEADS)} ${pick(rand, STREET_KINDS)}`,
        town,
        postcode: postcode(rand, area),
      });
    }
    schools.push(...inLa.sort((a, b) => a.urn - b.urn));
  });
  return schools;
}
