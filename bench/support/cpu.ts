/**
 * Wall time plus CPU seconds for one timed step: this process's, and a throwaway cluster's
 * server processes'. On a shared machine wall time swings with everything else running; CPU
 * seconds say where the work went.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** A process's own CPU ticks (utime + stime), and its reaped children's (cutime + cstime). */
function procTicks(pid: string | number): { own: number; reaped: number } {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // After "pid (comm) ": utime is index 11, stime 12, cutime 13, cstime 14.
  return { own: Number(fields[11]) + Number(fields[12]), reaped: Number(fields[13]) + Number(fields[14]) };
}

function liveChildren(pid: string | number): string[] {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  return children ? children.split(' ') : [];
}

/** CPU seconds of a process and its live descendants (a server's workers); 0 when gone or not Linux. */
export function processTreeCpuSeconds(pid: number | string | undefined): number {
  if (pid === undefined) return 0;
  try {
    let seconds = procTicks(pid).own / 100;
    for (const child of liveChildren(pid)) seconds += processTreeCpuSeconds(child);
    return seconds;
  } catch {
    return 0;
  }
}

/**
 * CPU seconds used so far by a cluster's server processes: the postmaster's own and its reaped
 * children's (cutime/cstime), plus its live children. Linux /proc; undefined elsewhere.
 */
export function clusterCpuSeconds(clusterDir: string): number | undefined {
  try {
    const postmaster = readFileSync(path.join(clusterDir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]!;
    const ticks = procTicks(postmaster);
    let total = ticks.own + ticks.reaped;
    for (const pid of liveChildren(postmaster)) {
      try {
        total += procTicks(pid).own;
      } catch {
        // Exited meanwhile: counted in the postmaster's cutime once reaped.
      }
    }
    return total / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

export interface Measurement {
  seconds: number;
  /** CPU seconds of this process (user + system). */
  clientCpu: number;
  /** CPU seconds of the cluster's server processes, when a cluster was given and /proc exists. */
  serverCpu?: number;
}

export async function measure(fn: () => Promise<void>, clusterDir?: string): Promise<Measurement> {
  const serverBefore = clusterDir ? clusterCpuSeconds(clusterDir) : undefined;
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  await fn();
  const seconds = (performance.now() - startedAt) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const serverAfter = clusterDir ? clusterCpuSeconds(clusterDir) : undefined;
  return {
    seconds,
    clientCpu: (cpu.user + cpu.system) / 1e6,
    serverCpu:
      serverBefore !== undefined && serverAfter !== undefined ? serverAfter - serverBefore : undefined,
  };
}
