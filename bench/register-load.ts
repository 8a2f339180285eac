/**
 * bench register-load: generate the national synthetic register and load it with edgate's
 * bulk upsert, on PostgreSQL and on PGlite, against the engine's own COPY of the same rows
 * measured in the same run. COPY into the same tables with the same indexes, its input
 * serialised before the clock starts, is as fast as rows can get in: the ceiling, not a rival.
 *
 * Target: upsertRegistrations on PostgreSQL reaches at least 0.3× COPY's records/s. The PGlite
 * ratio is reported for information only (the embedded demo/test engine; production loads go
 * to PostgreSQL).
 *
 * PostgreSQL runs in a throwaway cluster with default durability (fsync and synchronous_commit
 * on), so commits cost what they cost in production. Each side runs BENCH_ROUNDS times
 * (default 3), alternating, on emptied, vacuumed and checkpointed tables; the median counts.
 * CPU seconds (this process; the cluster's server processes) are printed next to wall time:
 * on a shared machine they say where the time went better than wall time does.
 *
 * BENCH_PGLITE_RECORDS=N loads only the first N records into PGlite (default: all).
 */
import { Kysely } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { loadavg } from 'node:os';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { openDatabase, type Database } from '../src/platform/db/database.ts';
import type { EdgateDatabase } from '../src/platform/db/schema.ts';
import { migrateEdgate } from '../src/edgate.ts';
import { upsertRegistrations } from '../src/regulator/register/register-store.ts';
import type { Registration } from '../src/contracts/childcare-extract/registration.ts';
import {
  generateRegister,
  plannedRegisterSize,
} from '../src/contracts/childcare-extract/synthetic-register.ts';
import { startPostgresCluster } from '../test/support/postgres-cluster.ts';
import { measure, type Measurement } from './support/cpu.ts';
import {
  assertSameRegister,
  copyStatement,
  fingerprintRegister,
  REGISTER_TABLES,
  registerCopyData,
  type CopyTable,
  type TableFingerprint,
} from './support/register-copy.ts';

const TARGET = 0.3;
const OPTIONS = { scale: 'national', seed: 1, today: '2026-11-01' } as const;
/** What loadGeneratedRegister hands upsertRegistrations at a time. */
const LOAD_BATCH = 2000;
const ROUNDS = positiveInt('BENCH_ROUNDS', 3);
const PGLITE_RECORDS = positiveInt('BENCH_PGLITE_RECORDS', Number.POSITIVE_INFINITY);

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer: ${raw}`);
  return value;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const rate = (records: number, seconds: number) => Math.round(records / seconds);
const fmt = (n: number) => n.toLocaleString('en-GB');
const secs = (n: number | undefined) => (n === undefined ? '-' : n.toFixed(2));

function log(message: string): void {
  console.log(`  ${message}`);
}

function describeTables(fingerprints: { table: string; rows: number }[]): string {
  return fingerprints.map((f) => `${f.table.replace('regulator.', '')} ${fmt(f.rows)}`).join(', ');
}

/** The edgate path: what loadGeneratedRegister does, minus the generator. */
async function edgateLoad(db: Database, registrations: readonly Registration[]): Promise<void> {
  const added = await db.transaction().execute(async (trx) => {
    let count = 0;
    for (let start = 0; start < registrations.length; start += LOAD_BATCH) {
      count += (await upsertRegistrations(trx, registrations.slice(start, start + LOAD_BATCH))).added;
    }
    return count;
  });
  if (added !== registrations.length) {
    throw new Error(`upsertRegistrations added ${added} of ${registrations.length} (tables not empty?)`);
  }
}

interface EngineResult {
  records: number;
  loads: Measurement[];
  copies: Measurement[];
}

/** Median wall time, and the median CPU figures, of a set of rounds. */
function summary(rounds: Measurement[]): Measurement {
  const server = rounds.map((r) => r.serverCpu);
  return {
    seconds: median(rounds.map((r) => r.seconds)),
    clientCpu: median(rounds.map((r) => r.clientCpu)),
    serverCpu: server.every((s) => s !== undefined) ? median(server as number[]) : undefined,
  };
}

function describeRound(engine: string, round: number, load: Measurement, copy: Measurement): string {
  const cpu = (m: Measurement) =>
    `CPU ${secs(m.clientCpu)} s` + (m.serverCpu === undefined ? '' : ` + server ${secs(m.serverCpu)} s`);
  return (
    `${engine} round ${round}/${ROUNDS}: upsert ${secs(load.seconds)} s (${cpu(load)}), ` +
    `COPY ${secs(copy.seconds)} s (${cpu(copy)})`
  );
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

/** Splits COPY input into 64 KiB chunks ahead of time, as a client streaming a file would send it. */
function chunks(text: string): Buffer[] {
  const bytes = Buffer.from(text, 'utf8');
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += 65536) out.push(bytes.subarray(at, at + 65536));
  return out;
}

async function benchPostgres(
  registrations: readonly Registration[],
  copy: CopyTable[],
): Promise<EngineResult> {
  const cluster = await startPostgresCluster();
  try {
    const admin = new pg.Client({ connectionString: cluster.url });
    await admin.connect();
    await admin.query('create database edgate_bench');
    await admin.end();
    const url = new URL(cluster.url);
    url.pathname = '/edgate_bench';
    const handle = await openDatabase({ databaseUrl: url.toString(), poolSize: 2 });
    try {
      await migrateEdgate(handle.db);
      const pool = handle.pool!;
      const query = async (statement: string) => (await pool.query(statement)).rows;
      // Same starting point for every timed load: empty tables, nothing dirty to flush. The VACUUM
      // ANALYZE matters: without it autovacuum (woken by the previous round's rows) vacuums the
      // tables in the middle of the next load, records reltuples=0 for pages full of uncommitted
      // rows, and every foreign-key check then scans a whole index (see bench/README.md).
      const reset = async () => {
        await pool.query('truncate regulator.registration cascade');
        await pool.query(`vacuum analyze ${REGISTER_TABLES.join(', ')}`);
        await pool.query('checkpoint');
      };
      const payload = copy.map((table) => ({
        statement: copyStatement(table, 'STDIN'),
        data: chunks(table.text),
      }));
      const copyAll = async () => {
        const client = await pool.connect();
        try {
          await client.query('begin');
          for (const { statement, data } of payload) {
            await pipeline(Readable.from(data), client.query(copyFrom(statement)));
          }
          await client.query('commit');
        } catch (error) {
          await client.query('rollback').catch(() => undefined);
          throw error;
        } finally {
          client.release();
        }
      };

      const result: EngineResult = { records: registrations.length, loads: [], copies: [] };
      let expected: TableFingerprint[] | undefined;
      for (let round = 1; round <= ROUNDS; round++) {
        await reset();
        result.loads.push(await measure(() => edgateLoad(handle.db, registrations), cluster.dir));
        const loaded = await fingerprintRegister(query);
        if (expected) assertSameRegister('PostgreSQL (edgate, repeated)', expected, loaded);
        expected = loaded;

        await reset();
        result.copies.push(await measure(copyAll, cluster.dir));
        assertSameRegister('PostgreSQL', expected, await fingerprintRegister(query));
        log(describeRound('PostgreSQL', round, result.loads.at(-1)!, result.copies.at(-1)!));
      }
      log(`PostgreSQL: both paths stored identical rows (${describeTables(expected!)})`);
      return result;
    } finally {
      await handle.close();
    }
  } finally {
    cluster.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// PGlite

/** The same parsers as src/platform/db/database.ts, so the edgate path behaves as in the app. */
const PGLITE_PARSERS = {
  [pgliteTypes.DATE]: (value: string) => value,
  [pgliteTypes.INT8]: (value: string) => Number(value),
  [pgliteTypes.NUMERIC]: (value: string) => Number(value),
};

async function benchPglite(registrations: readonly Registration[], copy: CopyTable[]): Promise<EngineResult> {
  // Created here rather than by openDatabase({}) because the COPY baseline needs the raw instance;
  // otherwise exactly what openDatabase does for an in-memory database.
  const pglite = await PGlite.create({ extensions: { pg_trgm }, parsers: PGLITE_PARSERS });
  const db = new Kysely<EdgateDatabase>({ dialect: new PGliteDialect(pglite) });
  try {
    await migrateEdgate(db);
    const query = async (statement: string) => (await pglite.query<Record<string, unknown>>(statement)).rows;
    // As for PostgreSQL; PGlite has no autovacuum, so this only keeps both engines' rounds alike.
    const reset = async () => {
      await pglite.exec('truncate regulator.registration cascade');
      await pglite.exec(`vacuum analyze ${REGISTER_TABLES.join(', ')}`);
      await pglite.exec('checkpoint');
    };
    const payload = copy.map((table) => ({
      statement: copyStatement(table, "'/dev/blob'"),
      blob: new Blob([table.text]),
    }));
    const copyAll = () =>
      pglite.transaction(async (tx) => {
        for (const { statement, blob } of payload) await tx.query(statement, [], { blob });
      });

    const result: EngineResult = { records: registrations.length, loads: [], copies: [] };
    let expected: TableFingerprint[] | undefined;
    for (let round = 1; round <= ROUNDS; round++) {
      await reset();
      result.loads.push(await measure(() => edgateLoad(db, registrations)));
      const loaded = await fingerprintRegister(query);
      if (expected) assertSameRegister('PGlite (edgate, repeated)', expected, loaded);
      expected = loaded;

      await reset();
      result.copies.push(await measure(copyAll));
      assertSameRegister('PGlite', expected, await fingerprintRegister(query));
      log(describeRound('PGlite', round, result.loads.at(-1)!, result.copies.at(-1)!));
    }
    log(`PGlite: both paths stored identical rows (${describeTables(expected!)})`);
    return result;
  } finally {
    await db.destroy();
  }
}

// ---------------------------------------------------------------------------------------------

console.log(
  `register-load: the ${OPTIONS.scale} register (seed ${OPTIONS.seed}, today ${OPTIONS.today}) loaded by ` +
    `upsertRegistrations in batches of ${fmt(LOAD_BATCH)} in one transaction, against COPY of the same ` +
    `rows; medians of ${ROUNDS} round(s)\n`,
);

// Materialised once so that the loads time the database path alone.
let registrations: Registration[] = [];
const generation = await measure(async () => {
  registrations = [...generateRegister(OPTIONS)];
});
const planned = plannedRegisterSize(OPTIONS).total;
if (registrations.length !== planned) {
  throw new Error(
    `generateRegister gave ${registrations.length} records, plannedRegisterSize says ${planned}`,
  );
}
log(`generated ${fmt(registrations.length)} registrations in ${secs(generation.seconds)} s`);

// COPY input is prepared before any clock starts: serialisation is not part of the ceiling.
let copyData: CopyTable[] = [];
const preparation = await measure(async () => {
  copyData = registerCopyData(registrations);
});
log(`COPY input prepared in ${secs(preparation.seconds)} s (not timed): ${describeTables(copyData)}`);

const postgres = await benchPostgres(registrations, copyData);

const pgliteRecords = registrations.slice(0, Math.min(registrations.length, PGLITE_RECORDS));
const pglite = await benchPglite(
  pgliteRecords,
  pgliteRecords.length === registrations.length ? copyData : registerCopyData(pgliteRecords),
);

const load = summary(postgres.loads);
const copy = summary(postgres.copies);
const pgliteLoad = summary(pglite.loads);
const pgliteCopy = summary(pglite.copies);
const genRps = rate(registrations.length, generation.seconds);
const loadRps = rate(postgres.records, load.seconds);
const copyRps = rate(postgres.records, copy.seconds);
const genLoadRps = rate(registrations.length, generation.seconds + load.seconds);
const ratio = loadRps / copyRps;
const pgliteRps = rate(pglite.records, pgliteLoad.seconds);
const pgliteCopyRps = rate(pglite.records, pgliteCopy.seconds);
const pgliteRatio = pgliteRps / pgliteCopyRps;
const pass = ratio >= TARGET;

const rows: [string, string, number, Measurement][] = [
  ['generator', 'generateRegister (materialised)', registrations.length, generation],
  ['PostgreSQL', 'upsertRegistrations (edgate)', postgres.records, load],
  ['PostgreSQL', 'COPY FROM STDIN (ceiling)', postgres.records, copy],
  [
    'PostgreSQL',
    'generate + upsert',
    registrations.length,
    { seconds: generation.seconds + load.seconds, clientCpu: generation.clientCpu + load.clientCpu },
  ],
  ['PGlite', 'upsertRegistrations (edgate)', pglite.records, pgliteLoad],
  ['PGlite', "COPY FROM '/dev/blob' (ceiling)", pglite.records, pgliteCopy],
];
const header = ['engine', 'path', 'records', 'seconds', 'records/s', 'node CPU s', 'PG CPU s'];
const widths = [10, 31, 7, 7, 9, 10, 8];
const line = (cells: string[]) =>
  '  ' + cells.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
console.log('\n' + line(header));
for (const [engine, path, records, m] of rows) {
  console.log(
    line([
      engine,
      path,
      fmt(records),
      secs(m.seconds),
      fmt(rate(records, m.seconds)),
      secs(m.clientCpu),
      secs(m.serverCpu),
    ]),
  );
}
console.log(
  `\n  PostgreSQL ratio upsert/COPY ${ratio.toFixed(2)} (target ≥ ${TARGET}): ${pass ? 'PASS' : 'FAIL'}` +
    `\n  PGlite ratio upsert/COPY ${pgliteRatio.toFixed(2)} (information, no target)` +
    (pglite.records < registrations.length
      ? `\n  PGlite loaded only the first ${fmt(pglite.records)} records (BENCH_PGLITE_RECORDS)`
      : '') +
    `\n  peak RSS of this process: ${Math.round(process.resourceUsage().maxRSS / 1024)} MB` +
    `\n  load average at end: ${loadavg()
      .map((n) => n.toFixed(2))
      .join(' ')} (the machine may be shared; see the CPU columns)\n`,
);
console.log(
  `bench register-load: records=${registrations.length} gen_rps=${genRps} load_rps=${loadRps} ` +
    `gen_load_rps=${genLoadRps} copy_rps=${copyRps} ratio=${ratio.toFixed(2)} ` +
    `pglite_records=${pglite.records} pglite_rps=${pgliteRps} pglite_copy_rps=${pgliteCopyRps} ` +
    `pglite_ratio=${pgliteRatio.toFixed(2)} target=${TARGET} ${pass ? 'PASS' : 'FAIL'}`,
);
