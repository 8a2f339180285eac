/**
 * `edgate/boundaries`: who may import whom (docs/architecture.md, Layout).
 *
 *   src/platform/**          the platform only
 *   src/contracts/NAME/**    the platform and its own contract
 *   src/<role>/**            itself, the platform and the contracts; never another role
 *   src/cli/**, src/edgate.ts   anything: the composition root
 *   test/, bench/, scripts/  anything
 *
 * A test file (`*.test.ts`) inside src/ may also import test/support/, and a role's tests the
 * composition root (a migrated database holds every role's schema).
 *
 * `no-restricted-imports` matches the import's text, not where it leads: `../cli/command.ts` is the
 * platform's own from src/platform/auth and the composition root's from src/platform. So this rule
 * resolves each relative import against the importing file and compares folders.
 */
import path from 'node:path';

/** The repository: areas are folders of it, wherever eslint is run from. */
const REPOSITORY = path.resolve(import.meta.dirname, '..');

export const ROLE_FOLDERS = ['regulator', 'la', 'school', 'dfe'];

/**
 * The area a file belongs to: `platform`, `contracts/NAME`, `role/NAME`, `root` (the composition
 * root) or `outside` (tests, benches, scripts, anything not under src/).
 */
export function areaOf(root, file) {
  const relative = path.relative(root, file).split(path.sep);
  if (relative[0] !== 'src')
    return relative[0] === 'test' && relative[1] === 'support' ? 'test-support' : 'outside';
  const [, folder, sub] = relative;
  if (folder === 'platform') return 'platform';
  if (folder === 'contracts') return sub && relative.length > 3 ? `contracts/${sub}` : 'contracts';
  if (ROLE_FOLDERS.includes(folder)) return `role/${folder}`;
  if (folder === 'cli' || folder === 'edgate.ts') return 'root';
  // A new folder under src/ is a role until said otherwise: it gets a role's limits.
  return relative.length > 2 ? `role/${folder}` : 'root';
}

/** Why `from` may not import `to`, or undefined when it may. */
export function refusal(from, to, { isTest }) {
  if (from === 'root' || from === 'outside' || from === 'test-support' || from === to) return undefined;
  if (isTest && to === 'test-support') return undefined;
  if (from === 'platform')
    return to === 'platform' ? undefined : 'src/platform imports nothing outside src/platform';
  if (from.startsWith('contracts')) {
    return to === 'platform'
      ? undefined
      : 'a contract imports only src/platform and its own folder under src/contracts';
  }
  // A role.
  if (to === 'platform' || to.startsWith('contracts')) return undefined;
  if (isTest && to === 'root') return undefined;
  if (to.startsWith('role/'))
    return `a role never imports another role (${to.slice(5)}): talk over HTTP, share through src/contracts`;
  return 'a role imports only itself, src/platform and src/contracts';
}

const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'Keeps the platform, the contracts and each role inside their boundaries' },
    schema: [],
    messages: { refused: "Import of '{{source}}' refused: {{why}}." },
  },
  create(context) {
    const file = context.physicalFilename;
    // A copy of the project linked to this one (the test run's mirror, scripts/test-mirror.ts)
    // is linted from its own root.
    const root = file.startsWith(REPOSITORY + path.sep) ? REPOSITORY : context.cwd;
    const from = areaOf(root, file);
    if (from === 'root' || from === 'outside') return {};
    const isTest = /\.test\.ts$/.test(file);
    const check = (node) => {
      const source = node?.type === 'Literal' && typeof node.value === 'string' ? node.value : undefined;
      if (source === undefined || !(source.startsWith('.') || path.isAbsolute(source))) return;
      const to = areaOf(root, path.resolve(path.dirname(file), source));
      const why = refusal(from, to, { isTest });
      if (why) context.report({ node, messageId: 'refused', data: { source, why } });
    };
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
      TSImportType: (node) => check(node.argument?.literal ?? node.argument),
    };
  },
};

export default { rules: { boundaries: rule } };
