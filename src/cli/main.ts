/** The `edgate` command's entry point (bin/edgate.js): run.ts does the work. */
import { exitCodeOf, runCli } from './run.ts';

runCli(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => process.exit(exitCodeOf(error)),
);
