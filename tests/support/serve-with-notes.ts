/**
 * `groundswell serve` with the test-only notes kind registered beside the built-in ones, the way a
 * plug-in would be: the real hub, the real server and the built renderer. Prints the same line as
 * `serve`, so startServe reads its address; stops on SIGTERM.
 *
 *   node tests/support/serve-with-notes.ts PROFILE_DIR
 */
import { fileURLToPath } from 'node:url';
import { Hub } from '../../src-main/hub/hub.ts';
import { defaultKinds } from '../../src-main/hub/kinds.ts';
import { startServer } from '../../src-main/server/serve.ts';
import { notesKind } from './kinds/notes/kind.ts';

const profileDir = process.argv[2];
if (profileDir === undefined) throw new Error('usage: serve-with-notes.ts PROFILE_DIR');
const hub = Hub.open({ profileDir, kinds: [...defaultKinds(), notesKind] });
const server = await startServer({ hub, port: 0, uiDir: fileURLToPath(new URL('../../dist/renderer/', import.meta.url)) });
hub.lockHandle.advertise({ port: server.port, token: server.token });
hub.startConnectors();
process.stdout.write(`Groundswell is running at ${server.url}\n`);
await new Promise<void>((resolve) => process.once('SIGTERM', resolve));
await server.close();
await hub.dispose();
