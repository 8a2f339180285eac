/**
 * What bench/gateway and its server child (gateway-server.ts) say to each other over IPC. Its
 * own module because importing gateway-server.ts would start a server.
 */
export const STATIC_PATH = '/bench/static';
/** What the static baseline (and the what-if) hand the socket in one write. */
export const SLICE_BYTES = 64 * 1024;

export type ControlMessage =
  /** Wait until no request is in flight and the pool is idle (work cut off by the last run ends). */
  | { type: 'settle' }
  | { type: 'start-phase'; name: string; profileTo?: string }
  | { type: 'end-phase' }
  | { type: 'stop' };

export interface PhaseReport {
  name: string;
  elapsedMs: number;
  /** monitorEventLoopDelay({ resolution: 10 }) over the phase, in ms. */
  eld: { p50: number; p99: number; max: number; mean: number };
  /** RSS every 500 ms from the phase start: [ms since start, MB]. */
  rss: [number, number][];
  heapUsedMb: number;
  /** This process's CPU over the phase, all threads (zlib and TLS crypto run partly off-loop). */
  cpuUserMs: number;
  cpuSystemMs: number;
  /** TLS connections accepted during the phase and how many client addresses they came from. */
  /** Responses the server finished sending during the phase (their 'finish'). */
  served: number;
  connections: number;
  clientAddresses: number;
  /** Where the CPU profile was written, when one was asked for. */
  profile?: string;
}

export type ServerMessage =
  | { type: 'ready'; staticBytes: number; staticSha256: string; storedSha256: string; gzipBytes: number }
  | { type: 'settled'; waitedMs: number; idle: boolean }
  | { type: 'started' }
  | { type: 'phase'; report: PhaseReport };
