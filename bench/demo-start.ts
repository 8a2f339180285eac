/**
 * `npm start` timed: `edgate start` on an empty data folder (the demo world seeded, its feeds run
 * through their real paths over HTTPS) to the printed address, then again on the same folder (a
 * later start: nothing seeded), against `edgate serve` on another empty folder (migrations and
 * the server alone) measured in the same run. Wall time is what a person waits; the CPU seconds
 * of the process are printed beside it, with /proc/loadavg, since other load on the machine
 * stretches the wall time.
 *
 * Targets (issue 17): first start ≤ 60 s, a later start ≤ 10 s.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const TICKS = 100; // USER_HZ on Linux

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** CPU seconds (user + system) of a live process, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

interface Timed {
  wallS: number;
  cpuS: number;
  output: string;
}

/** Runs edgate with the arguments until it prints the address, then stops it (SIGTERM) and waits. */
async function timeToAddress(args: string[], dataDir: string): Promise<Timed> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, ['--max-semi-space-size=64', 'bin/edgate.js', ...args], {
    cwd: root,
    env: { ...process.env, EDGATE_DATA_DIR: dataDir, PORT: String(port), NODE_ENV: 'development' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const ready = new Promise<Timed>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/^Open https:\/\//m.test(output))
        resolve({ wallS: (performance.now() - started) / 1000, cpuS: cpuSeconds(child.pid!), output });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) =>
      reject(new Error(`edgate ${args.join(' ')} exited (${code}) before the address:\n${output}`)),
    );
  });
  const timeout = setTimeout(() => child.kill('SIGKILL'), 300_000);
  try {
    return await ready;
  } finally {
    clearTimeout(timeout);
    child.removeAllListeners('exit');
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

const folders = mkdtempSync(path.join(tmpdir(), 'edgate-demo-start-'));
try {
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const plain = await timeToAddress(['serve'], path.join(folders, 'plain'));
  const first = await timeToAddress(['start'], path.join(folders, 'demo'));
  const later = await timeToAddress(['start'], path.join(folders, 'demo'));
  const progress = first.output
    .split('\n')
    .filter((line) => /^\s*(Seed|Build|Collect|Sync|LA |\d+ of|The DfE)/.test(line));
  console.log(progress.join('\n'));
  const reseeded = /Seeded|Built the extracts/.test(later.output);
  // Alive: every demo LA collected over the gateway with changes waiting, every school's send accepted.
  const collected = (first.output.match(/^ {2}LA \d{3} from .*: collected$/gm) ?? []).length;
  const waiting = (first.output.match(/^ {2}LA \d{3}: [1-9]\d* changes? waiting/gm) ?? []).length;
  const synced = /^ {2}(\d+) of \1 schools' sends accepted/m.test(first.output);
  // Before 05:30 London today's extracts are not built yet: the LAs take the latest in as files.
  const alive = (collected === 3 || /as uploaded files/.test(first.output)) && waiting === 3 && synced;
  if (!alive)
    console.log(
      `Not alive: ${collected} LAs collected, ${waiting} with changes waiting, schools synced: ${synced}`,
    );
  const pass = first.wallS <= 60 && later.wallS <= 10 && !reseeded && alive;
  console.log(
    `edgate serve (empty folder): ${plain.wallS.toFixed(1)} s wall, ${plain.cpuS.toFixed(1)} s CPU\n` +
      `edgate start, first:         ${first.wallS.toFixed(1)} s wall, ${first.cpuS.toFixed(1)} s CPU\n` +
      `edgate start, later:         ${later.wallS.toFixed(1)} s wall, ${later.cpuS.toFixed(1)} s CPU${reseeded ? ' (RESEEDED)' : ''}\n` +
      `/proc/loadavg before: ${load}`,
  );
  console.log(
    `bench demo-start: first_s=${first.wallS.toFixed(1)} first_cpu_s=${first.cpuS.toFixed(1)} later_s=${later.wallS.toFixed(1)} later_cpu_s=${later.cpuS.toFixed(1)} alive=${alive} serve_s=${plain.wallS.toFixed(1)} loadavg=${load.split(' ')[0]} ratio=${(first.wallS / plain.wallS).toFixed(1)} target=first≤60s,later≤10s ${pass ? 'PASS' : 'FAIL'}`,
  );
} finally {
  rmSync(folders, { recursive: true, force: true });
}
