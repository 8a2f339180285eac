/**
 * The measured side of bench/extract-national: one daily run (`runExtracts` over every live LA,
 * default options, the app's default pool size) in a process of its own, so its peak RSS is the
 * run's and not that of the bench process, which generated and loaded the register.
 *
 *   node --import tsx bench/support/extract-run-child.ts <databaseUrl> <extractDate>
 *
 * Prints one JSON line (ExtractRunReport) on stdout; exits non-zero if any LA was not built.
 */
import { openDatabase } from '../../src/platform/db/database.ts';
import { runExtracts } from '../../src/regulator/extract/extract-runs.ts';

export interface ExtractRunReport {
  las: number;
  built: number;
  records: number;
  /** Uncompressed XML. */
  xmlBytes: number;
  gzipBytes: number;
  /** runExtracts alone: process start, imports and connecting are outside it. */
  wallMs: number;
  /** CPU of this process during runExtracts, all threads (gzip runs on libuv's pool). */
  cpuMs: number;
  /** Sum of the per-LA build times (claim excluded, gzip and store included). */
  buildMsSum: number;
  /** RSS once imports are done and the pool is open, before the run: the runtime's floor. */
  rssBeforeMb: number;
  /** process.resourceUsage().maxRSS: the peak over the whole process lifetime. */
  maxRssMb: number;
  heapUsedAfterMb: number;
}

const [databaseUrl, extractDate] = process.argv.slice(2);
if (!databaseUrl || !extractDate) {
  console.error('usage: extract-run-child.ts <databaseUrl> <extractDate>');
  process.exit(2);
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

// No poolSize: the same default (10) the app gets from DATABASE_POOL_SIZE.
const handle = await openDatabase({ databaseUrl });
try {
  const rssBefore = process.memoryUsage().rss;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const summary = await runExtracts(handle.db, { extractDate });
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const report: ExtractRunReport = {
    las: summary.outcomes.length,
    built: summary.built,
    records: 0,
    xmlBytes: 0,
    gzipBytes: 0,
    wallMs: Math.round(wallMs),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    buildMsSum: 0,
    rssBeforeMb: mb(rssBefore),
    // maxRSS is in kilobytes.
    maxRssMb: mb(process.resourceUsage().maxRSS * 1024),
    heapUsedAfterMb: mb(process.memoryUsage().heapUsed),
  };
  for (const outcome of summary.outcomes) {
    if (outcome.outcome !== 'built') continue;
    report.records += outcome.recordCount;
    report.xmlBytes += outcome.sizeBytes;
    report.gzipBytes += outcome.gzipBytes;
    report.buildMsSum += outcome.buildMs;
  }
  console.log(JSON.stringify(report));
  if (summary.built !== summary.outcomes.length) {
    const bad = summary.outcomes.filter((o) => o.outcome !== 'built');
    console.error(`not every LA was built: ${JSON.stringify(bad.slice(0, 5))}`);
    process.exitCode = 1;
  }
} finally {
  await handle.close();
}
