/**
 * `npm run docs:errors`: writes the table of attendance error codes into docs/attendance-api.md,
 * between its two marker comments, from src/contracts/attendance/attendance-errors.ts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { withErrorTable } from '../src/contracts/attendance/attendance-errors-doc.ts';

const file = path.resolve(import.meta.dirname, '..', 'docs', 'attendance-api.md');
try {
  const before = readFileSync(file, 'utf8');
  const after = withErrorTable(before);
  if (after === before) console.log(`${path.relative(process.cwd(), file)} already lists every code.`);
  else {
    writeFileSync(file, after);
    console.log(`Wrote the error table into ${path.relative(process.cwd(), file)}.`);
  }
} catch (error) {
  console.error(`Could not write the error table: ${(error as Error).message}`);
  process.exit(1);
}
