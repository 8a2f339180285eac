/**
 * The test run's JavaScript copy of the project (decision 0037). On Node 20, tsx's loader runs
 * off the main thread and every module a process loads crosses to it and back: ~1.7 s of CPU a
 * process before a test starts, ~40% of the suite's CPU across its ~250 processes. So `npm test`
 * transpiles src/ and test/ once with esbuild (what tsx itself runs) into a mirror of the project
 * and runs the tests there on plain Node.
 *
 * The mirror has the project's shape, so `import.meta.dirname` finds what it finds in the
 * project: every top-level entry is a link to the project's, except src/, test/ and bin/, which
 * are real folders holding a link to each of the project's files (sources included, for the tests
 * that read them) beside each `.ts` file's `.js`, whose relative `.ts` imports become `.js`.
 * bin/edgate.js, copied, runs the transpiled CLI it finds there without tsx, so commands a test
 * spawns start as fast.
 * A child a test starts with `--import tsx` on a `.ts` file still works: the link leads to the
 * project's file.
 */
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { build, type Plugin } from 'esbuild';

const TRANSPILED = ['src', 'test'];

/**
 * Every import stays an import (nothing is bundled); a relative one naming a `.ts` file is
 * rewritten to its `.js` by esbuild itself, so text that merely looks like an import is untouched.
 */
const importsAsJavaScript: Plugin = {
  name: 'imports-as-javascript',
  setup(build) {
    build.onResolve({ filter: /^\.{1,2}\// }, (args) => ({
      path: args.path.replace(/\.ts$/, '.js'),
      external: true,
    }));
  },
};

function linkTree(from: string, to: string, sources: string[]): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from)) {
    const source = path.join(from, entry);
    const target = path.join(to, entry);
    if (statSync(source).isDirectory()) {
      linkTree(source, target, sources);
      continue;
    }
    symlinkSync(source, target);
    if (entry.endsWith('.ts') && !entry.endsWith('.d.ts')) sources.push(source);
  }
}

/** Builds the mirror of `root` at `out` (emptied first); returns how many files it transpiled. */
export async function buildTestMirror(root: string, out: string): Promise<number> {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const sources: string[] = [];
  for (const entry of readdirSync(root)) {
    if (entry === '.git' || entry === 'data') continue;
    if (TRANSPILED.includes(entry)) linkTree(path.join(root, entry), path.join(out, entry), sources);
    else if (entry !== 'bin') symlinkSync(path.join(root, entry), path.join(out, entry));
  }
  // A copy, not a link: Node runs a linked main file from where the link leads.
  mkdirSync(path.join(out, 'bin'));
  for (const entry of readdirSync(path.join(root, 'bin')))
    copyFileSync(path.join(root, 'bin', entry), path.join(out, 'bin', entry));
  const result = await build({
    entryPoints: sources,
    outdir: out,
    outbase: root,
    bundle: true,
    packages: 'external',
    plugins: [importsAsJavaScript],
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'silent',
    tsconfig: path.join(root, 'tsconfig.json'),
  });
  if (result.errors.length > 0) throw new Error(`esbuild: ${result.errors[0]!.text}`);
  return sources.length;
}

/** The mirror's path of a project file, `.ts` becoming `.js` for the transpiled ones. */
export function mirrorPath(out: string, relative: string): string {
  const transpiled = TRANSPILED.some((dir) => relative.startsWith(`${dir}/`)) && relative.endsWith('.ts');
  return path.join(out, transpiled ? relative.replace(/\.ts$/, '.js') : relative);
}
