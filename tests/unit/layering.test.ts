import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// Each probe is linted by ESLint itself with the repo's eslint.config.js, as `npm run lint` would,
// under a file name inside the repo (the file need not exist): the rule decides by where the file sits.
const root = fileURLToPath(new URL('../..', import.meta.url));
const eslint = new ESLint({ cwd: root });

async function layeringMessages(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}${file}` });
  return result!.messages.filter((message) => message.ruleId === 'groundswell/layering' || message.fatal).map((message) => message.message);
}

interface Probe {
  name: string;
  file: string;
  code: string;
  /** A piece of the message when the import must be refused; absent when it must be allowed. */
  refused?: string;
}

const probes: Probe[] = [
  // Every form of import, on the store reaching up to the hub.
  { name: 'store: static import of the hub', file: 'src-main/store/probe.ts', code: "import { Hub } from '../hub/hub.ts';\nvoid Hub;", refused: 'src-main/store may not import src-main/hub/hub.ts' },
  { name: 'store: import type of the hub', file: 'src-main/store/probe.ts', code: "import type { Hub } from '../hub/hub.ts';\nexport type H = Hub;", refused: 'may not import src-main/hub/hub.ts' },
  { name: 'store: export … from the hub', file: 'src-main/store/probe.ts', code: "export { Hub } from '../hub/hub.ts';", refused: 'may not import src-main/hub/hub.ts' },
  { name: 'store: export * from the hub', file: 'src-main/store/probe.ts', code: "export * from '../hub/hub.ts';", refused: 'may not import src-main/hub/hub.ts' },
  { name: 'store: typeof import() of the hub', file: 'src-main/store/probe.ts', code: "export type H = typeof import('../hub/hub.ts');", refused: 'may not import src-main/hub/hub.ts' },
  { name: 'store: import.meta.resolve of the hub', file: 'src-main/store/probe.ts', code: "export const url = import.meta.resolve('../hub/hub.ts');", refused: 'may not import src-main/hub/hub.ts' },
  { name: 'store: a connector', file: 'src-main/store/probe.ts', code: "import '../connectors/connector.ts';", refused: 'may not import src-main/connectors/connector.ts' },
  { name: 'store: better-sqlite3, src-shared, common and its migrations', file: 'src-main/store/probe.ts', code: "import Database from 'better-sqlite3';\nimport '../../src-shared/domain.ts';\nimport '../common/app-info.ts';\nimport './migrations/index.ts';\nimport 'node:fs';\nvoid Database;" },
  { name: 'store migrations: the store', file: 'src-main/store/migrations/probe.ts', code: "import '../inbox-store.ts';" },

  // createRequire and require in a connector kind.
  { name: 'connector: stored createRequire loading better-sqlite3', file: 'src-main/connectors/imap/probe.ts', code: "import { createRequire } from 'node:module';\nconst load = createRequire(import.meta.url);\nload('better-sqlite3');", refused: "may not use the package 'better-sqlite3'" },
  { name: 'connector: createRequire(import.meta.url)(keychain)', file: 'src-main/connectors/imap/probe.ts', code: "import { createRequire } from 'node:module';\ncreateRequire(import.meta.url)('@napi-rs/keyring');", refused: "may not use the package '@napi-rs/keyring'" },
  { name: 'connector: module.createRequire().resolve(electron)', file: 'src-main/connectors/imap/probe.ts', code: "import module from 'node:module';\nmodule.createRequire(import.meta.url).resolve('electron');", refused: "may not use the package 'electron'" },
  { name: 'connector: stored createRequire .resolve(electron)', file: 'src-main/connectors/matrix/probe.ts', code: "import { createRequire } from 'node:module';\nlet load;\nload = createRequire(import.meta.url);\nload.resolve('electron');", refused: "may not use the package 'electron'" },
  { name: 'connector: require(better-sqlite3)', file: 'src-main/connectors/feeds/probe.ts', code: "declare const require: (name: string) => unknown;\nrequire('better-sqlite3');", refused: "may not use the package 'better-sqlite3'" },
  { name: 'connector: require.resolve(the store)', file: 'src-main/connectors/feeds/probe.ts', code: "declare const require: { resolve(name: string): string };\nrequire.resolve('../../store/inbox-store.ts');", refused: 'may not import src-main/store/inbox-store.ts' },
  { name: 'connector: import(electron)', file: 'src-main/connectors/feeds/probe.ts', code: "await import('electron');", refused: "may not use the package 'electron'" },
  { name: 'connector: createRequire of a protocol package', file: 'src-main/connectors/imap/probe.ts', code: "import { createRequire } from 'node:module';\nconst load = createRequire(import.meta.url);\nload('imapflow');\nload.resolve('mailparser');" },

  { name: "connector: Node's own SQLite", file: 'src-main/connectors/feeds/probe.ts', code: "import 'node:sqlite';", refused: "may not import 'node:sqlite' (only src-main/store uses SQLite" },
  { name: "store: Node's own SQLite", file: 'src-main/store/probe.ts', code: "import 'node:sqlite';" },
  { name: 'src-shared: process.getBuiltinModule', file: 'src-shared/probe.ts', code: "process.getBuiltinModule('node:fs');", refused: 'src-shared runs without Node' },
  { name: 'src-main: process.getBuiltinModule of a variable', file: 'src-main/hub/probe.ts', code: "const name = 'node:fs';\nprocess.getBuiltinModule(name);", refused: 'dynamic imports must name their module literally' },

  // Modules named by an expression.
  { name: 'renderer: template import() of src-main', file: 'src-renderer/state/probe.ts', code: 'await import(`../../src-main/hub/hub.ts`);', refused: 'the renderer may not import src-main/hub/hub.ts' },
  { name: 'src-main: import() of a variable', file: 'src-main/hub/probe.ts', code: "const name = './hub.ts';\nawait import(name);", refused: 'dynamic imports must name their module literally' },
  { name: 'src-main: import() of a template with an expression', file: 'src-main/hub/probe.ts', code: "const kind = 'imap';\nawait import(`../connectors/${kind}/kind.ts`);", refused: 'dynamic imports must name their module literally' },
  { name: 'src-main: require() of a variable', file: 'src-main/hub/probe.ts', code: "declare const require: (name: string) => unknown;\nconst name = 'ws';\nrequire(name);", refused: 'dynamic imports must name their module literally' },
  { name: 'src-main: stored createRequire of a variable', file: 'src-main/hub/probe.ts', code: "import { createRequire } from 'node:module';\nconst load = createRequire(import.meta.url);\nconst name = 'ws';\nload(name);", refused: 'dynamic imports must name their module literally' },
  { name: 'src-main: an ordinary call with a variable is no import', file: 'src-main/hub/probe.ts', code: "const load = (name: string) => name;\nconst name = 'ws';\nload(name);" },
  { name: 'tests: import() of a variable', file: 'tests/unit/probe.test.ts', code: "const name = 'better-sqlite3';\nawait import(name);" },

  // Test support.
  { name: 'renderer: production code importing the real-hub harness', file: 'src-renderer/state/probe.ts', code: "import '../../tests/support/hub-harness.ts';", refused: 'tests/support/hub-harness.ts is test support' },
  { name: 'renderer: a test file importing the real-hub harness', file: 'src-renderer/state/probe.test.ts', code: "import '../../tests/support/hub-harness.ts';" },
  { name: 'renderer: a second hub beside the code is in no layer', file: 'src-renderer/testing/probe.ts', code: "export const hub = 1;", refused: 'not in the layering table' },
  { name: 'renderer: production code importing tests/support', file: 'src-renderer/components/probe.tsx', code: "import '../../tests/support/profile.ts';", refused: 'tests/support/profile.ts is test support' },
  { name: 'renderer: a test file importing tests/support and vitest', file: 'src-renderer/components/probe.test.tsx', code: "import '../../tests/support/profile.ts';\nimport { it } from 'vitest';\nvoid it;" },
  { name: 'src-main: production code importing tests/support', file: 'src-main/hub/probe.ts', code: "import '../../tests/support/profile.ts';", refused: 'is test support' },
  { name: 'src-main: a test file importing tests/support and vitest', file: 'src-main/connectors/matrix/crypto-store/probe.test.ts', code: "import '../../../../tests/support/idb-promises.ts';\nimport { it } from 'vitest';\nvoid it;" },
  { name: 'src-shared: a test file importing tests/support', file: 'src-shared/probe.test.ts', code: "import '../tests/support/profile.ts';", refused: 'is test support' },
  { name: 'src-main: production code importing vitest', file: 'src-main/hub/probe.ts', code: "import 'vitest';", refused: "'vitest' is for tests" },
  { name: 'src-main: importing bench/', file: 'src-main/hub/probe.ts', code: "import '../../bench/run.ts';", refused: 'reaches into bench/' },
  { name: 'src-main: a test file importing scripts/', file: 'src-main/hub/probe.test.ts', code: "import '../../scripts/build-electron.ts';", refused: 'reaches into scripts/' },
  { name: 'src-main: a test file importing tests/e2e', file: 'src-main/hub/probe.test.ts', code: "import '../../tests/e2e/app.test.ts';", refused: 'reaches into tests/' },

  // The table.
  { name: 'a file in an unlisted src-main folder', file: 'src-main/foo/probe.ts', code: 'export const x = 1;', refused: 'src-main/foo is not in the layering table; add it to eslint-rules/layering.js' },
  { name: 'a file at the root of src-main', file: 'src-main/probe.ts', code: 'export const x = 1;', refused: 'src-main is not in the layering table' },
  { name: 'a file in an unlisted renderer folder', file: 'src-renderer/widgets/probe.tsx', code: 'export const x = 1;', refused: 'src-renderer/widgets is not in the layering table' },
  { name: 'src-shared: itself', file: 'src-shared/probe.ts', code: "import './domain.ts';" },
  { name: 'src-shared: a node builtin', file: 'src-shared/probe.ts', code: "import 'node:path';", refused: 'src-shared runs without Node' },
  { name: 'src-shared: a package', file: 'src-shared/probe.ts', code: "import 'zustand';", refused: "src-shared may not use the package 'zustand'" },
  { name: 'src-shared: the renderer', file: 'src-shared/probe.ts', code: "import '../src-renderer/main.tsx';", refused: 'src-shared may not import src-renderer/main.tsx' },
  { name: 'renderer: its packages, src-shared and other renderer folders', file: 'src-renderer/components/probe.tsx', code: "import 'react';\nimport 'react-dom/client';\nimport 'zustand/react/shallow';\nimport '@tanstack/react-virtual';\nimport '../../src-shared/api.ts';\nimport '../state/store.ts';\nimport '../main.tsx';\nimport '../styles.css';" },
  { name: 'renderer: a node builtin without the prefix', file: 'src-renderer/probe.tsx', code: "import 'fs';", refused: 'the renderer runs without Node' },
  { name: 'renderer: electron', file: 'src-renderer/api/probe.ts', code: "import 'electron';", refused: "the renderer may not use the package 'electron'" },
  { name: 'renderer: another package', file: 'src-renderer/api/probe.ts', code: "import 'ws';", refused: "may not use the package 'ws'" },
  { name: 'renderer: src-main', file: 'src-renderer/api/probe.ts', code: "import '../../src-main/server/serve.ts';", refused: 'the renderer may not import src-main/server/serve.ts' },
  { name: 'common: node builtins, src-shared and package.json', file: 'src-main/common/probe.ts', code: "import 'node:fs';\nimport '../../src-shared/result.ts';\nimport '../../package.json' with { type: 'json' };" },
  { name: 'common: a package', file: 'src-main/common/probe.ts', code: "import 'ws';", refused: "src-main/common may not use the package 'ws'" },
  { name: 'common: the store', file: 'src-main/common/probe.ts', code: "import '../store/inbox-store.ts';", refused: 'src-main/common may not import' },
  { name: 'connector kind: another kind', file: 'src-main/connectors/imap/probe.ts', code: "import '../feeds/opml.ts';", refused: 'the connector kind imap may not import src-main/connectors/feeds/opml.ts' },
  { name: 'connector kind: another kind, from a subfolder', file: 'src-main/connectors/matrix/crypto-store/probe.ts', code: "import '../../imap/imap-connector.ts';", refused: 'the connector kind matrix may not import' },
  { name: 'connector kind (a new one): itself, the root files, common, src-shared, packages', file: 'src-main/connectors/caldav/probe.ts', code: "import './parse.ts';\nimport '../connector.ts';\nimport '../../common/app-info.ts';\nimport '../../../src-shared/domain.ts';\nimport 'node:net';\nimport 'tsdav';" },
  { name: 'connector kind: its own subfolder, both ways', file: 'src-main/connectors/matrix/crypto-store/probe.ts', code: "import './frames.ts';\nimport '../matrix-session.ts';\nimport '../../reconnect.ts';" },
  { name: 'connector kind: the store', file: 'src-main/connectors/matrix/probe.ts', code: "import '../../store/inbox-store.ts';", refused: 'may not import src-main/store/inbox-store.ts' },
  { name: 'connector kind: the keychain', file: 'src-main/connectors/matrix/probe.ts', code: "import '../../secrets/secret-store.ts';", refused: 'may not import src-main/secrets/secret-store.ts' },
  { name: 'connector kind: the hub', file: 'src-main/connectors/feeds/probe.ts', code: "import '../../hub/hub.ts';", refused: 'may not import src-main/hub/hub.ts' },
  { name: 'connector kind: hub-process', file: 'src-main/connectors/feeds/probe.ts', code: "import '../../hub-process/child.ts';", refused: 'may not import src-main/hub-process/child.ts' },
  { name: 'connector kind: the electron folder', file: 'src-main/connectors/feeds/probe.ts', code: "import '../../electron/main.ts';", refused: 'may not import src-main/electron/main.ts' },
  { name: 'connectors root: a kind folder', file: 'src-main/connectors/probe.ts', code: "import './imap/imap-connector.ts';", refused: 'src-main/connectors (its root files) may not import src-main/connectors/imap/imap-connector.ts' },
  { name: 'connectors root: another root file and a package', file: 'src-main/connectors/probe.ts', code: "import './connector.ts';\nimport 'htmlparser2';" },
  { name: 'connectors root: better-sqlite3', file: 'src-main/connectors/probe.ts', code: "import 'better-sqlite3';", refused: 'only src-main/store uses SQLite' },
  { name: "hub: a kind's internal file", file: 'src-main/hub/probe.ts', code: "import '../connectors/imap/imap-connector.ts';", refused: 'the hub reaches a connector kind only through its entry module' },
  { name: "hub: a kind's kind.ts and the connectors root", file: 'src-main/hub/probe.ts', code: "import '../connectors/imap/kind.ts';\nimport '../connectors/connector.ts';" },
  { name: 'hub: store, secrets, common, itself, node and a package', file: 'src-main/hub/probe.ts', code: "import '../store/inbox-store.ts';\nimport '../secrets/secret-store.ts';\nimport '../common/app-info.ts';\nimport './profile.ts';\nimport 'node:crypto';\nimport 'matrix-js-sdk';" },
  { name: 'hub: better-sqlite3', file: 'src-main/hub/probe.ts', code: "import 'better-sqlite3';", refused: "src-main/hub may not use the package 'better-sqlite3'" },
  { name: 'hub: the server', file: 'src-main/hub/probe.ts', code: "import '../server/serve.ts';", refused: 'src-main/hub may not import src-main/server/serve.ts' },
  { name: 'hub/hub.ts: a deep import into a kind', file: 'src-main/hub/hub.ts', code: "import '../connectors/feeds/opml.ts';", refused: 'only through its entry module' },
  { name: 'secrets: the keychain', file: 'src-main/secrets/probe.ts', code: "import '@napi-rs/keyring/keytar.js';" },
  { name: 'secrets: better-sqlite3', file: 'src-main/secrets/probe.ts', code: "import 'better-sqlite3';", refused: "src-main/secrets may not use the package 'better-sqlite3'" },
  { name: 'server: the hub, ws', file: 'src-main/server/probe.ts', code: "import '../hub/hub.ts';\nimport 'ws';\nimport 'node:http';" },
  { name: 'server: the cli', file: 'src-main/server/probe.ts', code: "import '../cli/main.ts';", refused: 'src-main/server may not import src-main/cli/main.ts' },
  { name: 'server: another package', file: 'src-main/server/probe.ts', code: "import 'imapflow';", refused: "src-main/server may not use the package 'imapflow'" },
  { name: 'cli: the server, the hub, ws', file: 'src-main/cli/probe.ts', code: "import '../server/serve.ts';\nimport '../hub/hub.ts';\nimport 'ws';" },
  { name: 'cli: the store', file: 'src-main/cli/probe.ts', code: "import '../store/inbox-store.ts';", refused: 'src-main/cli may not import src-main/store/inbox-store.ts' },
  { name: 'hub-process: the hub, the server, ws', file: 'src-main/hub-process/probe.ts', code: "import '../hub/hub.ts';\nimport '../server/serve.ts';\nimport 'ws';\nimport 'node:child_process';" },
  { name: 'hub-process: electron', file: 'src-main/hub-process/probe.ts', code: "import 'electron';", refused: "src-main/hub-process may not use the package 'electron'" },
  { name: 'electron: electron, hub-process', file: 'src-main/electron/probe.ts', code: "import 'electron';\nimport '../hub-process/supervisor.ts';\nimport './window-state.ts';" },
  { name: 'electron: the hub', file: 'src-main/electron/probe.ts', code: "import '../hub/hub.ts';", refused: 'src-main/electron may not import src-main/hub/hub.ts' },
  { name: 'electron: ws', file: 'src-main/electron/probe.ts', code: "import 'ws';", refused: "src-main/electron may not use the package 'ws'" },
  { name: 'outside the layers: tests, scripts', file: 'tests/integration/probe.test.ts', code: "import 'better-sqlite3';\nimport 'electron';\nimport '../../src-main/hub/hub.ts';" },
];

describe('layering rule, run by ESLint with eslint.config.js', () => {
  it.each(probes)('$name', async ({ file, code, refused }) => {
    const messages = await layeringMessages(file, code);
    if (refused === undefined) expect(messages).toEqual([]);
    else expect(messages).toEqual(expect.arrayContaining([expect.stringContaining(refused)]));
  });
});
