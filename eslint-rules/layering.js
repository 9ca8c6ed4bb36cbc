/**
 * Layers are folders, and this rule keeps imports flowing the right way (after VS Code's code-layering
 * rule). LAYERS is the whole table: every folder of src-main, src-renderer and src-shared says which repo
 * files, which packages and whether Node's builtins it may import. A folder the table does not name is an
 * error, so a new folder starts with a decision rather than with no rules at all. Every way of naming a
 * module is checked (import and export from, import type, import(), require, require.resolve,
 * createRequire, import.meta.resolve, process.getBuiltinModule, `typeof import()`), and a module named by
 * an expression is refused because no linter can tell which layer it lands in.
 */
import { builtinModules } from 'node:module';
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BUILTINS = new Set(builtinModules);
const SOURCE_ROOTS = ['src-main', 'src-renderer', 'src-shared'];
const NOT_SHIPPED = ['tests', 'bench', 'scripts'];
const TEST_ONLY_PACKAGES = ['vitest'];

const SHARED = 'src-shared/*';
const COMMON = 'src-main/common/**';
const CONNECTOR_ROOT = 'src-main/connectors/*';
const KIND_ENTRY = 'src-main/connectors/*/kind.ts';
const STORE = 'src-main/store/**';
const SECRETS = 'src-main/secrets/**';
const HUB = 'src-main/hub/**';
const SERVER = 'src-main/server/**';
const RENDERER_FOLDERS = ['src-renderer', 'src-renderer/api', 'src-renderer/components', 'src-renderer/format', 'src-renderer/forms', 'src-renderer/state'];
const RENDERER = RENDERER_FOLDERS.map((folder) => `${folder}/*`);
const RENDERER_PACKAGES = { only: ['react', 'react-dom', 'zustand', '@tanstack/react-virtual'] };
// The three packages that give a process SQLite, the keychain or Electron: each belongs to one layer.
const HUB_SIDE_PACKAGES = { except: ['better-sqlite3', '@napi-rs/keyring', 'electron'] };

/**
 * One row per layer. `folders` are the folders whose files belong to it (`<kind>` is any one folder name,
 * `**` any depth); `may` are the repo files it may import, as globs (`<kind>` is the importer's own kind);
 * `packages` is `{ only: [...] }` or `{ except: [...] }`; `node` says whether Node's builtins are there.
 */
export const LAYERS = [
  { name: 'src-shared', folders: ['src-shared'], may: [SHARED], packages: { only: [] }, node: false },
  { name: 'the renderer', folders: RENDERER_FOLDERS, may: [SHARED, ...RENDERER], packages: RENDERER_PACKAGES, node: false },
  { name: 'src-main/common', folders: ['src-main/common'], may: [SHARED, COMMON, 'package.json'], packages: { only: [] }, node: true },
  {
    name: 'src-main/connectors (its root files)',
    folders: ['src-main/connectors'],
    may: [SHARED, COMMON, CONNECTOR_ROOT],
    packages: HUB_SIDE_PACKAGES,
    node: true,
    note: 'the root files are shared by every kind, so they never depend on one',
  },
  {
    name: 'the connector kind <kind>',
    folders: ['src-main/connectors/<kind>', 'src-main/connectors/<kind>/**'],
    may: [SHARED, COMMON, CONNECTOR_ROOT, 'src-main/connectors/<kind>/**'],
    packages: HUB_SIDE_PACKAGES,
    node: true,
    note: 'kinds never know each other or the hub; share code through src-main/connectors/*.ts and reach the hub through ConnectorContext',
  },
  { name: 'src-main/store', folders: ['src-main/store', 'src-main/store/migrations'], may: [SHARED, COMMON, STORE], packages: { only: ['better-sqlite3'] }, node: true },
  { name: 'src-main/secrets', folders: ['src-main/secrets'], may: [SHARED, COMMON, SECRETS], packages: { only: ['@napi-rs/keyring'] }, node: true },
  {
    name: 'src-main/hub',
    folders: ['src-main/hub', 'src-main/hub/attention'],
    may: [SHARED, COMMON, STORE, SECRETS, HUB, CONNECTOR_ROOT, KIND_ENTRY],
    packages: HUB_SIDE_PACKAGES,
    node: true,
    note: "the hub reaches a connector kind only through its entry module, src-main/connectors/<kind>/kind.ts",
  },
  { name: 'src-main/server', folders: ['src-main/server'], may: [SHARED, COMMON, HUB, SERVER], packages: { only: ['ws'] }, node: true },
  { name: 'src-main/cli', folders: ['src-main/cli'], may: [SHARED, COMMON, HUB, SERVER, 'src-main/cli/**'], packages: { only: ['ws'] }, node: true },
  // The hub's own child process and the supervisor that relays its frames.
  {
    name: 'src-main/hub-process',
    folders: ['src-main/hub-process'],
    may: [SHARED, COMMON, HUB, SERVER, 'src-main/hub-process/**'],
    packages: { only: ['ws'] },
    node: true,
  },
  {
    name: 'src-main/electron',
    folders: ['src-main/electron'],
    may: [SHARED, COMMON, 'src-main/hub-process/**', 'src-main/electron/**'],
    packages: { only: ['electron'] },
    node: true,
    note: 'the Electron shell starts the hub as a child process through src-main/hub-process',
  },
];

/** What only test files may import, and from which roots. */
const TEST_SUPPORT = [
  { files: 'tests/support/**', forRoots: ['src-main', 'src-renderer'] },
];

/**
 * Files that may name a module through an expression, each with the reason (file → reason). None needs
 * it today; an entry is for a module whose name is only known at run time, and says why it is safe.
 */
const COMPUTED_IMPORTS_ALLOWED = {};

const PACKAGE_OWNERS = {
  'better-sqlite3': 'only src-main/store uses SQLite; ask the store',
  '@napi-rs/keyring': 'only src-main/secrets uses the keychain; ask the SecretStore',
  electron: 'only src-main/electron uses Electron; the rest reach it through the contract in src-shared/api.ts',
};

const compiled = new Map();

function globRegExp(glob) {
  if (compiled.has(glob)) return compiled.get(glob);
  const source = glob
    .split(/(\/\*\*|\*|<kind>)/)
    .map((part) => {
      if (part === '/**') return '(?:/.+)?';
      if (part === '*') return '[^/]+';
      if (part === '<kind>') return '(?<kind>[^/]+)';
      return part.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  const pattern = new RegExp(`^${source}$`);
  compiled.set(glob, pattern);
  return pattern;
}

const matches = (glob, path) => globRegExp(glob).test(path);
const within = (path, folder) => path === folder || path.startsWith(folder + '/');
const toRepoPath = (absolute) => relative(ROOT, absolute).split(sep).join('/');

function packageName(spec) {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function describeFiles(globs, kind) {
  return globs
    .map((glob) => (glob === CONNECTOR_ROOT ? 'src-main/connectors/*.ts' : glob.replace(/\/\*\*?$/, '')))
    .map((glob) => (kind ? glob.replace('<kind>', kind) : glob))
    .join(', ');
}

function describePackages(packages) {
  if (packages.only) return packages.only.length ? `only the packages ${packages.only.join(', ')}` : 'no package';
  return `any package but ${packages.except.join(', ')}`;
}

/** Where a repo-relative file sits in the table: outside the layered roots, in an unlisted folder, or in a row. */
function placement(from) {
  const root = SOURCE_ROOTS.find((candidate) => within(from, candidate));
  if (!root) return { outside: true };
  const folder = dirname(from);
  for (const row of LAYERS) {
    for (const pattern of row.folders) {
      const found = globRegExp(pattern).exec(folder);
      if (!found) continue;
      const kind = found.groups?.kind;
      return { from, root, row, kind, name: kind ? row.name.replace('<kind>', kind) : row.name, isTest: /\.test\.tsx?$/.test(from) };
    }
  }
  return { from, root, unlisted: folder };
}

function fileRefusal(place, target) {
  const { from, root, row, kind, name, isTest } = place;
  const allowed = row.may.map((glob) => (kind ? glob.replace('<kind>', kind) : glob));
  if (allowed.some((glob) => matches(glob, target))) return undefined;
  const support = TEST_SUPPORT.find((entry) => matches(entry.files, target));
  if (support) {
    if (isTest && support.forRoots.includes(root)) return undefined;
    return `${target} is test support: only test files (*.test.ts, *.test.tsx) in ${support.forRoots.join(' or ')} may import it.`;
  }
  const notShipped = NOT_SHIPPED.find((folder) => within(target, folder));
  if (notShipped) return `${from} may not import ${target}: nothing in ${SOURCE_ROOTS.join(', ')} reaches into ${notShipped}/, which is not shipped.`;
  const note = row.note ? ` (${row.note})` : '';
  return `${name} may not import ${target}; it may import ${describeFiles(row.may, kind)}${note}.`;
}

function packageRefusal(place, spec) {
  const { row, isTest } = place;
  const name = packageName(spec);
  const layer = place.name;
  // Node's own SQLite is still SQLite, which is the store's alone.
  if (spec === 'node:sqlite') return packageRefusal(place, 'better-sqlite3') && `${layer} may not import 'node:sqlite' (${PACKAGE_OWNERS['better-sqlite3']}).`;
  if (spec.startsWith('node:') || BUILTINS.has(name)) {
    return row.node ? undefined : `${layer} runs without Node: it may not import '${spec}'; talk to the hub through the contract in src-shared/api.ts.`;
  }
  if (TEST_ONLY_PACKAGES.includes(name)) {
    return isTest ? undefined : `'${name}' is for tests: only test files (*.test.ts, *.test.tsx) may import it.`;
  }
  const { only, except } = row.packages;
  if (only ? only.includes(name) : !except.includes(name)) return undefined;
  const owner = PACKAGE_OWNERS[name] ? ` (${PACKAGE_OWNERS[name]})` : '';
  return `${layer} may not use the package '${name}'; it may use ${describePackages(row.packages)}${owner}.`;
}

function refusal(place, spec) {
  if (spec.startsWith('.') || spec.startsWith('/')) return fileRefusal(place, toRepoPath(resolve(ROOT, dirname(place.from), spec)));
  return packageRefusal(place, spec);
}

/** The module name an argument spells out, or undefined when only running the code could tell. */
function literalName(argument) {
  if (argument.type === 'Literal' && typeof argument.value === 'string') return argument.value;
  if (argument.type === 'TemplateLiteral' && argument.expressions.length === 0) return argument.quasis[0].value.cooked;
  return undefined;
}

const isCreateRequire = (node) =>
  node.type === 'CallExpression' &&
  ((node.callee.type === 'Identifier' && node.callee.name === 'createRequire') ||
    (node.callee.type === 'MemberExpression' && node.callee.property.type === 'Identifier' && node.callee.property.name === 'createRequire'));

const isResolveOf = (callee, test) =>
  callee.type === 'MemberExpression' && !callee.computed && callee.property.name === 'resolve' && test(callee.object);

const isCallOf = (callee, object, property) =>
  callee.type === 'MemberExpression' && !callee.computed && callee.object.type === 'Identifier' && callee.object.name === object && callee.property.name === property;

const isImportMeta = (node) => node.type === 'MetaProperty' && node.meta.name === 'import';

export const layeringRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Imports must respect the layers of the design card.' },
    schema: [],
    messages: {
      refused: 'Layering: {{reason}}',
      unlisted: '{{folder}} is not in the layering table; add it to eslint-rules/layering.js with what it may import.',
      computed: 'Layering: dynamic imports must name their module literally so the layers can be checked ({{how}} with an expression).',
    },
  },
  create(context) {
    const place = placement(toRepoPath(context.filename));
    if (place.outside) return {};
    if (place.unlisted) return { Program: (node) => context.report({ node, messageId: 'unlisted', data: { folder: place.unlisted } }) };

    const check = (node, spec) => {
      const reason = refusal(place, spec);
      if (reason) context.report({ node, messageId: 'refused', data: { reason } });
    };
    const checkArgument = (node, argument, how) => {
      if (!argument) return;
      const spec = literalName(argument);
      if (spec !== undefined) check(node, spec);
      else if (!(place.from in COMPUTED_IMPORTS_ALLOWED)) context.report({ node, messageId: 'computed', data: { how } });
    };
    const fromSource = (node) => {
      if (node.source) check(node, node.source.value);
    };
    // Functions made by createRequire, by name; their calls are checked once the whole file is read,
    // since a call may come before the declaration in the text.
    const requireNames = new Set(['require']);
    const callsByName = [];

    return {
      ImportDeclaration: fromSource,
      ExportNamedDeclaration: fromSource,
      ExportAllDeclaration: fromSource,
      ImportExpression: (node) => checkArgument(node, node.source, 'import()'),
      TSImportType: (node) => {
        if (node.source) check(node, node.source.value);
      },
      TSImportEqualsDeclaration: (node) => {
        if (node.moduleReference.type === 'TSExternalModuleReference') checkArgument(node, node.moduleReference.expression, 'require');
      },
      VariableDeclarator: (node) => {
        if (node.id.type === 'Identifier' && node.init && isCreateRequire(node.init)) requireNames.add(node.id.name);
      },
      AssignmentExpression: (node) => {
        if (node.left.type === 'Identifier' && isCreateRequire(node.right)) requireNames.add(node.left.name);
      },
      CallExpression: (node) => {
        const { callee } = node;
        const argument = node.arguments[0];
        if (isCreateRequire(callee)) checkArgument(node, argument, 'createRequire()()');
        else if (isResolveOf(callee, isCreateRequire)) checkArgument(node, argument, 'createRequire().resolve');
        else if (isResolveOf(callee, isImportMeta)) checkArgument(node, argument, 'import.meta.resolve');
        else if (isCallOf(callee, 'process', 'getBuiltinModule')) checkArgument(node, argument, 'process.getBuiltinModule');
        else if (callee.type === 'Identifier') callsByName.push({ node, name: callee.name, how: callee.name });
        else if (isResolveOf(callee, (object) => object.type === 'Identifier')) callsByName.push({ node, name: callee.object.name, how: `${callee.object.name}.resolve` });
      },
      'Program:exit': () => {
        for (const { node, name, how } of callsByName) {
          if (requireNames.has(name)) checkArgument(node, node.arguments[0], how);
        }
      },
    };
  },
};

export default { rules: { layering: layeringRule } };
