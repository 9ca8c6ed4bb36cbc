/**
 * Layers are folders, and this rule keeps imports flowing the right way (after VS Code's
 * code-layering rule): the renderer and src-shared never reach Node, Electron or src-main;
 * a connector never reaches another connector, the store, the keychain or Electron; only
 * src-main/store touches SQLite, only src-main/secrets the keychain, only src-main/electron Electron.
 */
import { builtinModules } from 'node:module';
import { dirname, relative, resolve, sep } from 'node:path';

const BUILTINS = new Set(builtinModules);
const HUB_ONLY_FOLDERS = ['src-main/store', 'src-main/secrets', 'src-main/hub', 'src-main/electron', 'src-main/server', 'src-main/cli'];

function packageName(spec) {
  if (spec.startsWith('node:')) return spec;
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function within(path, folder) {
  return path === folder || path.startsWith(folder + '/');
}

/** Returns the reason an import is refused, or undefined. Paths are repo-relative with '/'. */
export function refusal(fromFile, spec, root) {
  const from = fromFile;
  const isRelative = spec.startsWith('.');
  const target = isRelative ? relative(root, resolve(root, dirname(from), spec)).split(sep).join('/') : undefined;
  const pkg = isRelative ? undefined : packageName(spec);
  const isNode = pkg !== undefined && (pkg.startsWith('node:') || BUILTINS.has(pkg));

  if (within(from, 'src-renderer') || within(from, 'src-shared')) {
    const layer = within(from, 'src-shared') ? 'src-shared' : 'the renderer';
    if (isNode) return `${layer} runs without Node: it may not import '${spec}'.`;
    if (pkg === 'electron') return `${layer} may not import electron; talk to the hub through the contract in src-shared/api.ts.`;
    if (target && within(target, 'src-main')) return `${layer} may not import src-main; use the contract in src-shared/api.ts.`;
    if (within(from, 'src-shared') && target && within(target, 'src-renderer')) return 'src-shared may not import the renderer.';
    if (within(from, 'src-shared') && pkg !== undefined) return `src-shared holds types and pure functions only; it may not import '${spec}'.`;
  }

  if (within(from, 'src-main/connectors')) {
    const own = from.split('/')[2];
    const ownFolder = own && !own.endsWith('.ts') ? `src-main/connectors/${own}` : undefined;
    if (target && within(target, 'src-main/connectors')) {
      const other = target.split('/')[2];
      const otherIsFolder = other !== undefined && target.split('/').length > 3;
      if (otherIsFolder && `src-main/connectors/${other}` !== ownFolder) {
        return `a connector may not import another connector (${other}); share code through src-main/connectors/*.ts.`;
      }
    }
    if (target && HUB_ONLY_FOLDERS.some((folder) => within(target, folder))) {
      return 'a connector may not import the hub, store, keychain, server, CLI or Electron; use ConnectorContext.';
    }
    if (pkg === 'electron') return 'connectors run in plain Node: no electron.';
  }

  if (pkg === 'better-sqlite3' && !within(from, 'src-main/store')) return 'only src-main/store may use SQLite.';
  if (pkg === '@napi-rs/keyring' && !within(from, 'src-main/secrets')) return 'only src-main/secrets may use the keychain.';
  if (pkg === 'electron' && !within(from, 'src-main/electron')) return 'only src-main/electron may import electron.';
  return undefined;
}

export const layeringRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Imports must respect the layers of the design card.' },
    schema: [],
    messages: { refused: 'Layering: {{reason}}' },
  },
  create(context) {
    const root = context.cwd;
    const from = relative(root, context.filename).split(sep).join('/');
    const check = (node, source) => {
      if (!source || typeof source.value !== 'string') return;
      const reason = refusal(from, source.value, root);
      if (reason) context.report({ node, messageId: 'refused', data: { reason } });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source.type === 'Literal' ? node.source : undefined),
    };
  },
};

export default { rules: { layering: layeringRule } };
