/**
 * `npm test`: the whole suite on PGlite, then every database-facing suite (`*.db.test.ts`
 * and everything under test/) again on PostgreSQL — DATABASE_URL's server if set, otherwise
 * a throwaway cluster started here when the server binaries are installed. Ends by saying
 * which engines ran; exits non-zero on any failure.
 *
 * Arguments: file paths or substrings to select test files (e.g. `npm test -- status`).
 * EDGATE_TEST_ENGINES=pglite|postgres|pglite,postgres narrows the engines.
 * `--timings` ends each engine's pass with its slowest files and their wall times.
 * The tests run on a transpiled mirror of the project, on plain Node (decision 0037, see
 * scripts/test-mirror.ts); EDGATE_TEST_TSX=1 runs them on tsx in the project itself instead.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  findPostgresBinaries,
  startPostgresCluster,
  type PostgresCluster,
} from '../test/support/postgres-cluster.ts';
import { preparePgliteTemplate, prepareTemplateDatabase } from '../test/support/test-database.ts';
import { buildTestMirror, mirrorPath } from './test-mirror.ts';

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

// One transpile for both engines' passes; the mirror is where the tests run.
const onTsx = process.env.EDGATE_TEST_TSX === '1';
const mirrorDir =
  onTsx || all.length === 0 ? undefined : mkdtempSync(path.join(tmpdir(), 'edgate-test-mirror-'));
if (mirrorDir) {
  const started = performance.now();
  const count = await buildTestMirror(root, mirrorDir);
  console.log(
    `Transpiled ${count} files for the test run in ${((performance.now() - started) / 1000).toFixed(1)} s.`,
  );
}
const runDir = mirrorDir ?? root;

function runSuite(label: string, files: string[], env: Record<string, string>): boolean {
  console.log(`\n=== ${label}: ${files.length} test files ===\n`);
  const timingsDir = timings ? mkdtempSync(path.join(tmpdir(), 'edgate-timings-')) : undefined;
  const timingsFile = timingsDir && path.join(timingsDir, 'files.tsv');
  const reporters = timingsFile
    ? ['--test-reporter=./scripts/test-timings.mjs', `--test-reporter-destination=${timingsFile}`]
    : [];
  const started = performance.now();
  const cpuBefore = childrenCpuSeconds();
  const result = spawnSync(
    process.execPath,
    [
      ...(onTsx ? ['--import', 'tsx'] : []),
      // PGlite's PostgreSQL is 10 MB of WebAssembly compiled afresh in every test process; V8's
      // baseline compiler alone costs ~11% less CPU over the suite than tiering up (decision 0037).
      '--liftoff-only',
      '--test',
      '--test-concurrency=2',
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      ...reporters,
      ...files.map((file) => (mirrorDir ? mirrorPath(mirrorDir, file) : file)),
    ],
    { cwd: runDir, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test', ...env } },
  );
  if (timingsFile) {
    const seconds = (ms: number) => (ms / 1000).toFixed(1).padStart(6);
    const rows = readFileSync(timingsFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split('\t') as [string, string])
      .sort((a, b) => Number(b[0]) - Number(a[0]));
    const total = rows.reduce((sum, [ms]) => sum + Number(ms), 0);
    const cpuAfter = childrenCpuSeconds();
    const cpu =
      cpuBefore === undefined || cpuAfter === undefined
        ? ''
        : `, ${(cpuAfter - cpuBefore).toFixed(0)} s of CPU`;
    console.log(
      `\n=== ${label}: ${seconds(performance.now() - started)} s wall, ${seconds(total)} s summed over files${cpu}; slowest ===`,
    );
    for (const [ms, file] of rows.slice(0, 25)) console.log(`${seconds(Number(ms))} s  ${file}`);
    rmSync(timingsDir!, { recursive: true, force: true });
  }
  return result.status === 0;
}

const outcomes: string[] = [];
let failed = false;

if (all.length === 0) {
  console.error('No test files matched.');
  process.exit(1);
}

if (engines.includes('pglite')) {
  // Test databases load one migrated dump rather than each running initdb and every migration.
  const templateDir = mkdtempSync(path.join(tmpdir(), 'edgate-pglite-template-'));
  const template = path.join(templateDir, 'migrated.tar');
  if (databaseFacing.length > 0) await preparePgliteTemplate(template);
  const ok = runSuite('PGlite (embedded)', all, {
    EDGATE_TEST_ENGINE: 'pglite',
    EDGATE_TEST_PGLITE_TEMPLATE: template,
  });
  rmSync(templateDir, { recursive: true, force: true });
  outcomes.push(`PGlite: ${ok ? 'passed' : 'FAILED'} (${all.length} files)`);
  failed ||= !ok;
}

if (engines.includes('postgres') && databaseFacing.length > 0) {
  let cluster: PostgresCluster | undefined;
  let url = process.env.DATABASE_URL;
  let source = 'DATABASE_URL';
  if (!url && findPostgresBinaries()) {
    cluster = await startPostgresCluster({ settings: { fsync: 'off', synchronous_commit: 'off' } });
    url = cluster.url;
    source = `throwaway cluster on port ${cluster.port}`;
  }
  if (!url) {
    outcomes.push('PostgreSQL: NOT RUN (no DATABASE_URL and no PostgreSQL server binaries on this machine)');
  } else {
    try {
      await prepareTemplateDatabase(url);
      const ok = runSuite(`PostgreSQL (${source})`, databaseFacing, {
        EDGATE_TEST_ENGINE: 'postgres',
        EDGATE_TEST_POSTGRES_URL: url,
      });
      outcomes.push(`PostgreSQL: ${ok ? 'passed' : 'FAILED'} (${databaseFacing.length} files, ${source})`);
      failed ||= !ok;
    } finally {
      cluster?.stop();
    }
  }
}

if (mirrorDir) rmSync(mirrorDir, { recursive: true, force: true });
console.log(`\n=== Engines ===\n${outcomes.map((o) => `  ${o}`).join('\n')}`);
process.exit(failed ? 1 : 0);
