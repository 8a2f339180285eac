/**
 * `npm test`: the whole suite on PGlite, then every database-facing suite (`*.db.test.ts`
 * and everything under test/) again on PostgreSQL — DATABASE_URL's server if set, otherwise
 * a throwaway cluster started here when the server binaries are installed. Ends by saying
 * which engines ran; exits non-zero on any failure.
 *
 * Arguments: file paths or substrings to select test files (e.g. `npm test -- status`).
 * EDGATE_TEST_ENGINES=pglite|postgres|pglite,postgres narrows the engines.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  findPostgresBinaries,
  startPostgresCluster,
  type PostgresCluster,
} from '../test/support/postgres-cluster.ts';
import { prepareTemplateDatabase } from '../test/support/test-database.ts';

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

const filters = process.argv.slice(2);
const all = [...findTests(path.join(root, 'src')), ...findTests(path.join(root, 'test'))].filter(
  (file) => filters.length === 0 || filters.some((f) => file.includes(f)),
);
const databaseFacing = all.filter((file) => file.endsWith('.db.test.ts') || file.startsWith('test/'));
const engines = (process.env.EDGATE_TEST_ENGINES ?? 'pglite,postgres').split(',');

function runSuite(label: string, files: string[], env: Record<string, string>): boolean {
  console.log(`\n=== ${label}: ${files.length} test files ===\n`);
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files],
    { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test', ...env } },
  );
  return result.status === 0;
}

const outcomes: string[] = [];
let failed = false;

if (all.length === 0) {
  console.error('No test files matched.');
  process.exit(1);
}

if (engines.includes('pglite')) {
  const ok = runSuite('PGlite (embedded)', all, { EDGATE_TEST_ENGINE: 'pglite' });
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

console.log(`\n=== Engines ===\n${outcomes.map((o) => `  ${o}`).join('\n')}`);
process.exit(failed ? 1 : 0);
