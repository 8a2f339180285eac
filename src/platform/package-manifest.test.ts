/**
 * package.json tells the truth: what production runs is in `dependencies` (an install without
 * devDependencies starts), nothing listed is unused, and every package production installs
 * runs on the Node versions `engines` declares.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', '..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  engines: { node: string };
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { dev?: boolean; engines?: { node?: string } }>;
};

/** Specifiers a module loads at run time (type-only imports are erased by tsx, so not counted). */
function runtimeSpecifiers(source: string): string[] {
  const specifiers: string[] = [];
  for (const [, typeOnly, specifier] of source.matchAll(
    /(?:^|\n)\s*(?:import|export)\s+(type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?'([^']+)'/g,
  ))
    if (!typeOnly) specifiers.push(specifier!);
  for (const [, specifier] of source.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)) specifiers.push(specifier!);
  return specifiers;
}

const packageName = (specifier: string): string =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

/** Packages the modules reached from `entries` load, through relative imports, static and dynamic. */
function packagesReached(entries: string[]): Map<string, string> {
  const seen = new Set<string>();
  const packages = new Map<string, string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const specifier of runtimeSpecifiers(readFileSync(file, 'utf8'))) {
      if (specifier.startsWith('.')) {
        const target = path.resolve(path.dirname(file), specifier);
        if (existsSync(target) && /\.[cm]?[jt]s$/.test(target)) visit(target);
      } else if (!specifier.startsWith('node:') && !builtinModules.includes(specifier)) {
        packages.set(packageName(specifier), path.relative(root, file));
      }
    }
  };
  entries.forEach(visit);
  return packages;
}

/** A minimal reading of npm's range syntax, enough for `engines.node`: `||`, `>=`, `>`, `<`, `<=`, `^`, `~`, `20`, `20.x`, `*`. */
export function rangeAdmits(range: string, version: string): boolean {
  const parse = (v: string): number[] =>
    v
      .replace(/^v/, '')
      .split('.')
      .map((part) => (/^\d+$/.test(part) ? Number(part) : NaN));
  const compare = (a: number[], b: number[]): number => {
    for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
    return 0;
  };
  const have = parse(version);
  const comparator = (text: string): boolean => {
    const [, op = '', v = ''] = /^(>=|<=|>|<|=|\^|~)?\s*(.*)$/.exec(text)!;
    if (v === '' || v === '*' || v === 'x') return true;
    const parts = parse(v);
    const given = parts.findIndex((part) => Number.isNaN(part));
    const want = given === -1 ? parts : parts.slice(0, given); // 20.x → [20]
    const exactParts = want.length;
    const c = compare(have, want);
    switch (op) {
      case '>=':
        return c >= 0;
      case '>':
        return c > 0;
      case '<':
        return c < 0;
      case '<=':
        return c <= 0;
      case '^': {
        const major = want.findIndex((part) => part !== 0);
        const fixed = major === -1 ? exactParts : major + 1;
        return c >= 0 && want.slice(0, fixed).every((part, i) => have[i] === part);
      }
      case '~':
        return (
          c >= 0 &&
          want.slice(0, Math.min(2, Math.max(1, exactParts - 1))).every((part, i) => have[i] === part)
        );
      default:
        return exactParts < 3 ? want.every((part, i) => have[i] === part) : c === 0;
    }
  };
  return range.split('||').some((alternative) =>
    alternative
      .trim()
      .replace(/(>=|<=|>|<|=|\^|~)\s+/g, '$1')
      .split(/\s+/)
      .every(comparator),
  );
}

/** The oldest Node `engines` admits, for a range `>=X`, `^X` or `X || …` as we write it (`>=20` → 20.0.0). */
const oldestDeclaredNode = (): string => {
  const [, major, minor = '0', patch = '0'] = /(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(manifest.engines.node)!;
  return `${major}.${minor}.${patch}`;
};

describe('package.json', () => {
  test('what production loads is in dependencies, not devDependencies', () => {
    const reached = packagesReached([path.join(root, 'bin', 'edgate.js')]);
    assert.ok(reached.has('fastify') && reached.has('kysely'), 'the walk reaches the server');
    const missing = [...reached].filter(([name]) => !(name in manifest.dependencies));
    assert.deepEqual(missing, [], 'packages production loads that an install without devDependencies lacks');
  });

  test('every dependency is used by production, every devDependency by something', () => {
    const production = packagesReached([path.join(root, 'bin', 'edgate.js')]);
    // Used other than by import: tsx runs bin/edgate.js itself, govuk-frontend's files are
    // served from node_modules, helmet's defaults are spread into @fastify/helmet's; the
    // TypeBox type provider is kept for issue 13's role modules.
    const notImported = new Set(['tsx', 'govuk-frontend', '@fastify/type-provider-typebox']);
    const unused = Object.keys(manifest.dependencies).filter(
      (name) => !production.has(name) && !notImported.has(name),
    );
    assert.deepEqual(
      unused,
      [],
      'dependencies production never loads: move them to devDependencies or remove them',
    );
  });

  test('engines declares Node 20, and every package production installs runs on it', () => {
    const oldest = oldestDeclaredNode();
    assert.match(oldest, /^20\./);
    assert.ok(rangeAdmits(manifest.engines.node, process.version) || !process.version.startsWith('v20.'));
    const refusing = Object.entries(lock.packages)
      .filter(([key, entry]) => key !== '' && !entry.dev && entry.engines?.node !== undefined)
      .filter(
        ([, entry]) =>
          !rangeAdmits(entry.engines!.node!, oldest) || !rangeAdmits(entry.engines!.node!, '20.99.0'),
      )
      .map(([key, entry]) => `${key.replace(/^.*node_modules\//, '')} (node ${entry.engines!.node})`);
    assert.deepEqual(refusing, [], `production packages that do not run on Node ${manifest.engines.node}`);
  });

  test('rangeAdmits reads engines ranges as npm does', () => {
    const cases: [string, string, boolean][] = [
      ['>=22', '20.19.0', false],
      ['>=20.0.0', '20.19.0', true],
      ['>= 4.2.0', '20.19.0', true],
      ['>=v12.22.7', '20.19.0', true],
      ['^18.18.0 || ^20.9.0 || >=21.1.0', '20.19.0', true],
      ['^18.18.0 || ^20.9.0 || >=21.1.0', '20.8.0', false],
      ['^20.19.0 || ^22.13.0 || >=24', '20.11.0', false],
      ['18 || 20 || >=22', '20.19.0', true],
      ['18 || 20 || >=22', '21.0.0', false],
      ['^16 || ^18 || >=20', '20.19.0', true],
      ['>=20.19.0 <21', '20.99.0', true],
      ['>=20.19.0 <21', '22.0.0', false],
      ['~20.19.0', '20.20.0', false],
      ['*', '20.19.0', true],
    ];
    for (const [range, version, admits] of cases)
      assert.equal(rangeAdmits(range, version), admits, `${range} ∋ ${version}`);
  });
});
