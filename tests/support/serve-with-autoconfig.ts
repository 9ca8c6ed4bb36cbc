/**
 * `groundswell serve` whose mail autoconfig looks at local stand-ins (tests/support/autoconfig-world.ts)
 * instead of the real autoconfig hosts, the ISP database and the system's DNS. Prints the same line as
 * `serve`, so startServe reads its address; the CLI finds it through the profile as it would a real
 * serve; stops on SIGTERM.
 *
 *   node tests/support/serve-with-autoconfig.ts PROFILE_DIR WORLD_JSON
 */
import { fileURLToPath } from 'node:url';
import { imapKindWith } from '../../src-main/connectors/imap/kind.ts';
import { Hub } from '../../src-main/hub/hub.ts';
import { defaultKinds } from '../../src-main/hub/kinds.ts';
import { startServer } from '../../src-main/server/serve.ts';
import { autoconfigEnvironment, type AutoconfigWorld } from './autoconfig-world.ts';

const [profileDir, worldJson] = process.argv.slice(2);
if (profileDir === undefined || worldJson === undefined) throw new Error('usage: serve-with-autoconfig.ts PROFILE_DIR WORLD_JSON');
const world = JSON.parse(worldJson) as AutoconfigWorld;
const imap = imapKindWith(autoconfigEnvironment(world));
const hub = Hub.open({ profileDir, kinds: defaultKinds().map((kind) => (kind.kind === imap.kind ? imap : kind)) });
const server = await startServer({ hub, port: 0, uiDir: fileURLToPath(new URL('../../dist/renderer/', import.meta.url)) });
hub.lockHandle.advertise({ port: server.port, token: server.token });
hub.startConnectors();
process.stdout.write(`Groundswell is running at ${server.url}\n`);
await new Promise<void>((resolve) => process.once('SIGTERM', resolve));
await server.close();
await hub.dispose();
