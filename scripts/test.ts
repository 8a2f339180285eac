/**
 * `npm test`: the whole suite on PGlite, then every database-facing suite (`*.db.test.ts`
 * and everything under test/) again on PostgreSQL — DATABASE_URL's server if set, otherwise
 * a throwaway cluster started here when the server binaries are installed. Ends by saying
 * which engines ran; exits non-zero on any failure.
 *
 * Arguments: file paths or substrings to select test files (e.g. `npm test -- status`).
 * EDGATE_TEST_ENGINES=pglite|postgres|pglite,postgres narrows the engines.
 * `--timings` ends each engine's pass with its slowest files and their wall times.
 *
 * The two engines' passes run at the same time (the PostgreSQL pass's report is printed when it
 * ends): much of a test's time is spent waiting on servers, child processes and the network, so
 * on 2 cores the two passes together take little longer than the longer one alone.
 * EDGATE_TEST_SEQUENTIAL=1 runs them one after the other.
 */
import { spawn } from 'node:child_process';
import {
  appendFileSync,
  closeSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  findPostgresBinaries,
  startPostgresCluster,
  type PostgresCluster,
} from '../test/support/postgres-cluster.ts';
import { preparePgliteTemplate, prepareTemplateDatabase } from '../test/support/test-database.ts';

const root = path.resolve(import.meta.dirname, '..');

function findTests(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) found.push(...findTests(full));
    else if (entry.endsWith('.test.ts')) found.push(path.relative(root, full));
  }
  return found.sort();
}

const args = process.argv.slice(2);
const timings = args.includes('--timings');
const filters = args.filter((a) => a !== '--timings');
const all = [...findTests(path.join(root, 'src')), ...findTests(path.join(root, 'test'))].filter(
  (file) => filters.length === 0 || filters.some((f) => file.includes(f)),
);
const databaseFacing = all.filter((file) => file.endsWith('.db.test.ts') || file.startsWith('test/'));
const engines = (process.env.EDGATE_TEST_ENGINES ?? 'pglite,postgres').split(',');

/** CPU seconds used by this process's finished children (Linux: /proc/self/stat cutime + cstime). */
function childrenCpuSeconds(): number | undefined {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[13]) + Number(fields[14])) / 100; // clock ticks, USER_HZ = 100
  } catch {
    return undefined;
  }
}

interface SuiteRun {
  label: string;
  files: string[];
  env: Record<string, string>;
  /** Where the pass's report goes: this process's stdout, or a file printed when the pass ends. */
  reportFile?: string;
}

async function runSuite(run: SuiteRun): Promise<boolean> {
  const { label, files, env, reportFile } = run;
  const say = (text: string) => (reportFile ? appendFileSync(reportFile, `${text}\n`) : console.log(text));
  say(`\n=== ${label}: ${files.length} test files ===\n`);
  const timingsDir = timings ? mkdtempSync(path.join(tmpdir(), 'edgate-timings-')) : undefined;
  const timingsFile = timingsDir && path.join(timingsDir, 'files.tsv');
  const reporters = timingsFile
    ? ['--test-reporter=./scripts/test-timings.mjs', `--test-reporter-destination=${timingsFile}`]
    : [];
  const started = performance.now();
  const output = reportFile ? openSync(reportFile, 'a') : 'inherit';
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--test',
      '--test-concurrency=2',
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      ...reporters,
      ...files,
    ],
    { cwd: root, stdio: ['ignore', output, output], env: { ...process.env, NODE_ENV: 'test', ...env } },
  );
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (typeof output === 'number') closeSync(output);
  if (timingsFile) {
    const seconds = (ms: number) => (ms / 1000).toFixed(1).padStart(6);
    const rows = readFileSync(timingsFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split('\t') as [string, string])
      .sort((a, b) => Number(b[0]) - Number(a[0]));
    const total = rows.reduce((sum, [ms]) => sum + Number(ms), 0);
    say(
      `\n=== ${label}: ${seconds(performance.now() - started)} s wall, ${seconds(total)} s summed over files; slowest ===`,
    );
    for (const [ms, file] of rows.slice(0, 25)) say(`${seconds(Number(ms))} s  ${file}`);
    rmSync(timingsDir!, { recursive: true, force: true });
  }
  if (reportFile) {
    process.stdout.write(readFileSync(reportFile));
    rmSync(reportFile, { force: true });
  }
  return status === 0;
}

const outcomes: string[] = [];
let failed = false;

if (all.length === 0) {
  console.error('No test files matched.');
  process.exit(1);
}

const startedAll = performance.now();
const cpuBefore = childrenCpuSeconds();
const passes: Promise<void>[] = [];
const sequential = process.env.EDGATE_TEST_SEQUENTIAL === '1';
const workDir = mkdtempSync(path.join(tmpdir(), 'edgate-test-run-'));
let cluster: PostgresCluster | undefined;

try {
  if (engines.includes('pglite')) {
    // Test databases load one migrated dump rather than each running initdb and every migration.
    const template = path.join(workDir, 'migrated.tar');
    if (databaseFacing.length > 0) await preparePgliteTemplate(template);
    const pass = runSuite({
      label: 'PGlite (embedded)',
      files: all,
      env: { EDGATE_TEST_ENGINE: 'pglite', EDGATE_TEST_PGLITE_TEMPLATE: template },
    }).then((ok) => {
      outcomes.push(`PGlite: ${ok ? 'passed' : 'FAILED'} (${all.length} files)`);
      failed ||= !ok;
    });
    if (sequential) await pass;
    passes.push(pass);
  }

  if (engines.includes('postgres') && databaseFacing.length > 0) {
    let url = process.env.DATABASE_URL;
    let source = 'DATABASE_URL';
    if (!url && findPostgresBinaries()) {
      cluster = await startPostgresCluster({ settings: { fsync: 'off', synchronous_commit: 'off' } });
      url = cluster.url;
      source = `throwaway cluster on port ${cluster.port}`;
    }
    if (!url) {
      outcomes.push(
        'PostgreSQL: NOT RUN (no DATABASE_URL and no PostgreSQL server binaries on this machine)',
      );
    } else {
      await prepareTemplateDatabase(url);
      const concurrent = passes.length > 0 && !sequential;
      const pass = runSuite({
        label: `PostgreSQL (${source})`,
        files: databaseFacing,
        env: { EDGATE_TEST_ENGINE: 'postgres', EDGATE_TEST_POSTGRES_URL: url },
        ...(concurrent ? { reportFile: path.join(workDir, 'postgres-report.txt') } : {}),
      }).then((ok) => {
        outcomes.push(`PostgreSQL: ${ok ? 'passed' : 'FAILED'} (${databaseFacing.length} files, ${source})`);
        failed ||= !ok;
      });
      passes.push(pass);
    }
  }
  await Promise.all(passes);
} finally {
  cluster?.stop();
  rmSync(workDir, { recursive: true, force: true });
}

const cpuAfter = childrenCpuSeconds();
const cpu =
  cpuBefore === undefined || cpuAfter === undefined ? '' : `, ${(cpuAfter - cpuBefore).toFixed(0)} s of CPU`;
console.log(`\n=== All passes: ${((performance.now() - startedAll) / 1000).toFixed(0)} s wall${cpu} ===`);
console.log(`\n=== Engines ===\n${outcomes.map((o) => `  ${o}`).join('\n')}`);
process.exit(failed ? 1 : 0);
