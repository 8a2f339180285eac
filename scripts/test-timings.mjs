/**
 * A node:test reporter for `npm test -- --timings`: one line per test file, `<ms>\t<file>`, from
 * the runner's own per-file event (the file's process start to its end), so the harness can say
 * which files are slowest. Plain JavaScript: the runner loads reporters before tsx's hooks.
 */
import path from 'node:path';

/** @param {AsyncIterable<{ type: string, data: { name?: string, file?: string, details?: { duration_ms?: number } } }>} source */
export default async function* fileTimings(source) {
  for await (const event of source) {
    const { name, file, details } = event.data;
    if (event.type === 'test:complete' && file && name === file && details?.duration_ms !== undefined)
      yield `${Math.round(details.duration_ms)}\t${path.relative(process.cwd(), file)}\n`;
  }
}
