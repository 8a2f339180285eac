/**
 * `npm run bench`: every `bench/*.ts`, one after another, each in its own `node --import tsx`
 * process so one bench's heap, pools and clusters cannot skew the next.
 * `npm run bench -- NAME [NAME…]` runs only `bench/NAME.ts`.
 *
 * Each bench ends with one verdict line, `bench NAME: … PASS|FAIL`; they are repeated in a
 * summary at the end. Exits non-zero when a bench process fails or ends without a verdict line;
 * a FAIL verdict is reported, not an error (a slow machine must not break the build).
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const benchDir = path.join(root, 'bench');

// Only top-level files are benches: bench/support/ holds their shared code.
const available = existsSync(benchDir)
  ? readdirSync(benchDir, { withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
      .map((entry) => entry.name.slice(0, -'.ts'.length))
      .sort()
  : [];

// Accept `register-load`, `register-load.ts` and `bench/register-load.ts`.
const requested = process.argv.slice(2).map((arg) => path.basename(arg).replace(/\.ts$/, ''));
const unknown = requested.filter((name) => !available.includes(name));
if (unknown.length > 0) {
  console.error(`No such bench: ${unknown.join(', ')}. Available: ${available.join(', ') || '(none)'}`);
  process.exit(1);
}
const selected = requested.length > 0 ? requested : available;
if (selected.length === 0) {
  console.error('No benches found in bench/.');
  process.exit(1);
}

interface Outcome {
  name: string;
  ok: boolean;
  verdict?: string;
  problem?: string;
  seconds: number;
}

/** Runs one bench with its output passed through live, remembering its last stdout line. */
function runBench(name: string): Promise<Outcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join('bench', `${name}.ts`)], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let tail = '';
    child.stdout.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      // Keep only what can still hold the last line.
      tail = (tail + chunk.toString('utf8')).slice(-64 * 1024);
    });
    const finish = (code: number | null, signal: NodeJS.Signals | null, error?: Error) => {
      const seconds = (performance.now() - started) / 1000;
      const last = tail.trimEnd().split('\n').at(-1)?.trim() ?? '';
      const verdictPattern = new RegExp(`^bench ${name}: .* (PASS|FAIL)$`);
      const verdict = verdictPattern.test(last) ? last : undefined;
      let problem: string | undefined;
      if (error) problem = `could not start: ${error.message}`;
      else if (signal) problem = `killed by ${signal}`;
      else if (code !== 0) problem = `exited with code ${code}`;
      else if (!verdict) problem = `ended without a verdict line ("bench ${name}: … PASS|FAIL")`;
      resolve({ name, ok: problem === undefined, verdict, problem, seconds });
    };
    child.on('error', (error) => finish(null, null, error));
    child.on('close', (code, signal) => finish(code, signal));
  });
}

const outcomes: Outcome[] = [];
for (const name of selected) {
  console.log(`\n=== bench ${name} ===\n`);
  outcomes.push(await runBench(name));
}

console.log('\n=== Bench summary ===');
for (const outcome of outcomes) {
  const time = `(${outcome.seconds.toFixed(0)} s)`;
  if (outcome.problem) console.log(`  bench ${outcome.name}: ERROR, ${outcome.problem} ${time}`);
  else console.log(`  ${outcome.verdict} ${time}`);
}
process.exit(outcomes.every((outcome) => outcome.ok) ? 0 : 1);
