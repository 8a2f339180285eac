/**
 * Reads a V8 CPU profile (what `--cpu-prof` or the inspector's Profiler.stop writes) and says
 * where the time went: self time by function, by area of the stack (ours, Node's streams and
 * zlib, TLS, XML and WS-Security, the database client, Fastify), and the inclusive time of the
 * gateway's own steps. Main thread only: gunzip and gzip run on libuv's pool and show up here
 * only as their callbacks.
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** Not idle: what the main thread spent working. */
  busyMs: number;
  topFunctions: { name: string; selfMs: number }[];
  areas: { area: string; selfMs: number }[];
  /** Inclusive ms of the named functions (time with the function anywhere on the stack). */
  steps: { name: string; totalMs: number }[];
}

/** Functions whose inclusive time answers "which step of a request costs what". */
const STEPS = [
  'parseSoapEnvelope',
  'verifySecurityHeader',
  'credentialsOf',
  'readyExtract',
  'recordAudit',
  'registerDataResponse',
  'escapeXmlText',
  'replyStream',
];

function area(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) {
    if (functionName === '(idle)') return 'idle';
    if (functionName === '(garbage collector)') return 'garbage collector';
    if (functionName === '(program)') return 'native (program)';
    return `native: ${functionName}`;
  }
  if (url.includes('/src/regulator/gateway/soap-response')) return 'edgate soap-response (escaping)';
  if (url.includes('/src/regulator/gateway/')) return 'edgate gateway (other)';
  if (url.includes('/src/')) return 'edgate (other)';
  if (url.includes('/bench/')) return 'bench static route';
  if (/xml-crypto|xmldom|saxes|xpath/.test(url))
    return 'XML parsing + WS-Security (xml-crypto, xmldom, saxes)';
  if (/node_modules\/(pg|pg-[a-z-]+|kysely)\//.test(url)) return 'database client (pg, kysely)';
  if (/node_modules\/(fastify|@fastify|pino|find-my-way|avvio|light-my-request|helmet)/.test(url))
    return 'fastify + plugins';
  if (url.includes('node_modules/prom-client')) return 'prom-client';
  if (/^node:(internal\/)?(_tls|tls|net|crypto|internal\/tls|stream_base)/.test(url)) return 'Node TLS / net';
  if (/^node:(internal\/)?(zlib|streams?|internal\/streams)/.test(url) || url.includes('string_decoder'))
    return 'Node streams / zlib / string_decoder';
  if (url.startsWith('node:')) return 'Node (other)';
  return 'other JS';
}

function shortUrl(url: string): string {
  if (!url) return '';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length);
  const src = url.search(/\/(src|bench)\//);
  return src >= 0 ? url.slice(src + 1) : url.replace(/^file:\/\//, '');
}

export function summariseProfile(file: string, top = 20): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

  const functions = new Map<string, number>();
  const areas = new Map<string, number>();
  const steps = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)!.callFrame;
    totalUs += us;
    if (frame.functionName === '(idle)') idleUs += us;
    const name = frame.url
      ? `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`
      : frame.functionName;
    functions.set(name, (functions.get(name) ?? 0) + us);
    const a = area(frame);
    areas.set(a, (areas.get(a) ?? 0) + us);
    // Inclusive: each named step once per sample, wherever it is on the stack.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const fn = byId.get(at)!.callFrame.functionName;
      if (STEPS.includes(fn) && !seen.has(fn)) {
        seen.add(fn);
        steps.set(fn, (steps.get(fn) ?? 0) + us);
      }
    }
  }
  const toMs = (us: number) => Math.round(us / 100) / 10;
  const sorted = <K extends string>(map: Map<string, number>, key: K) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .map(([name, us]) => ({ [key]: name, ms: toMs(us) }) as Record<K, string> & { ms: number });
  return {
    totalMs: toMs(totalUs),
    busyMs: toMs(totalUs - idleUs),
    topFunctions: sorted(functions, 'name')
      .filter((f) => f.name !== '(idle)')
      .slice(0, top)
      .map((f) => ({ name: f.name, selfMs: f.ms })),
    areas: sorted(areas, 'area')
      .filter((a) => a.area !== 'idle')
      .map((a) => ({ area: a.area, selfMs: a.ms })),
    steps: STEPS.map((name) => ({ name, totalMs: toMs(steps.get(name) ?? 0) })),
  };
}
