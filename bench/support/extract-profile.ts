/**
 * Where a daily run's main thread spent its time, from the V8 CPU profile that
 * `BENCH_CPU_PROF=DIR npm run bench -- extract-national` has the last full run write.
 *
 * Each sample goes to the first step of the run found walking up its stack from the leaf, so
 * `Buffer.from` inside the run's sink counts as the sink and a regex inside the writer as the
 * writer. gzip itself runs on libuv's pool: only its callbacks appear here (the run's CPU
 * seconds, reported separately, include the pool).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** First match wins, tested from the leaf upwards. */
const STEPS: [step: string, test: (url: string, name: string) => boolean][] = [
  ['idle: waiting on PostgreSQL or gzip', (_, name) => name === '(idle)'],
  ['garbage collector', (_, name) => name === '(garbage collector)'],
  ['XML writer (extract-writer.ts)', (url) => url.includes('/feed/extract-writer.ts')],
  ['objects from rows (completeRegistrations)', (url) => url.includes('/register/register-store.ts')],
  ['builder loop, chunk concatenation', (url) => url.includes('/extract/extract-builder.ts')],
  ['sha256', (url) => url.startsWith('node:internal/crypto')],
  ['gzip callbacks (node:zlib)', (url) => url === 'node:zlib'],
  [
    'run: sink (Buffer.from = flatten + UTF-8), claim, store',
    (url) => url.includes('/extract/extract-runs.ts'),
  ],
  [
    'pg driver: protocol, row parsing',
    (url) => /node_modules\/(pg|pg-protocol|pg-types|postgres-[a-z]+)\//.test(url),
  ],
  ['kysely: compiling, dispatching', (url) => url.includes('node_modules/kysely/')],
  [
    'module loading (start-up)',
    (url) => url.startsWith('node:internal/modules') || url.includes('node_modules/tsx/'),
  ],
];

export interface ProfileStep {
  step: string;
  ms: number;
  share: number;
}

function summarise(profile: CpuProfile): { totalMs: number; steps: ProfileStep[] } {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const stepOf = new Map<number, string>();
  const classify = (leaf: number): string => {
    const known = stepOf.get(leaf);
    if (known) return known;
    let found = 'other';
    for (let at: number | undefined = leaf; at !== undefined; at = parent.get(at)) {
      const { url, functionName } = byId.get(at)!.callFrame;
      const match = STEPS.find(([, test]) => test(url, functionName));
      if (match) {
        found = match[0];
        break;
      }
    }
    stepOf.set(leaf, found);
    return found;
  };
  const us = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    total += delta;
    const step = classify(id);
    us.set(step, (us.get(step) ?? 0) + delta);
  });
  const steps = [...us]
    .sort((a, b) => b[1] - a[1])
    .map(([step, micros]) => ({ step, ms: Math.round(micros / 1000), share: micros / total }));
  return { totalMs: Math.round(total / 1000), steps };
}

/**
 * The main thread's profile among those in `dir` written since `since` (ms since the epoch):
 * `--import tsx` adds a loader thread with a profile of its own, idle nearly throughout.
 */
export function summariseRunProfile(
  dir: string,
  since: number,
): { file: string; totalMs: number; steps: ProfileStep[] } {
  const candidates = readdirSync(dir)
    .filter((name) => name.endsWith('.cpuprofile'))
    .map((name) => path.join(dir, name))
    .filter((file) => statSync(file).mtimeMs >= since)
    .map((file) => ({ file, ...summarise(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile) }));
  const busy = (s: { totalMs: number; steps: ProfileStep[] }) =>
    s.totalMs - (s.steps.find((step) => step.step.startsWith('idle'))?.ms ?? 0);
  const main = candidates.sort((a, b) => busy(b) - busy(a))[0];
  if (!main) throw new Error(`no CPU profile written in ${dir}`);
  return main;
}
