/**
 * The hub process. The Electron main process forks this module (utilityProcess.fork, or
 * child_process.fork in tests) so that SQLite, the Matrix crypto and mail parsing never block the
 * window. It opens the profile, listens on the local endpoint the CLI uses, starts the connectors,
 * and answers the contract's frames from its parent.
 *
 *   child.cjs --profile=DIR --ui-dir=DIR
 */
import { isCallName } from '../../src-shared/api.ts';
import { fail } from '../../src-shared/result.ts';
import type { Result } from '../../src-shared/result.ts';
import { Hub } from '../hub/hub.ts';
import { ProfileLockedError } from '../hub/profile.ts';
import { startServer } from '../server/serve.ts';
import type { RunningServer } from '../server/serve.ts';
import { connectToParent, isClientFrame, isShutdown, parseHubProcessArgs } from './protocol.ts';
import type { HubProcessArgs, ParentChannel } from './protocol.ts';

async function run(parent: ParentChannel, args: HubProcessArgs): Promise<void> {
  let hub: Hub;
  try {
    hub = Hub.open({ profileDir: args.profileDir });
  } catch (error) {
    const locked = error instanceof ProfileLockedError;
    await parent.send({
      control: 'start-failed',
      reason: locked ? 'profile-locked' : 'open-failed',
      message: locked ? error.message : `Groundswell could not open its profile: ${(error as Error).message}`,
    });
    process.exit(1);
  }

  let server: RunningServer | undefined;
  let stopping = false;
  const stop = (code: number) => {
    // A second request to stop while the hub saves its state (the parent lost patience) ends it now.
    if (stopping) process.exit(code === 0 ? 1 : code);
    stopping = true;
    void Promise.allSettled([server?.close(), hub.dispose()]).then(() => process.exit(code));
  };
  process.on('SIGTERM', () => stop(0));
  parent.onGone(() => stop(0));

  hub.on((event, payload) => void parent.send({ event, payload }));
  parent.onMessage((message) => {
    if (isShutdown(message)) return stop(0);
    if (!isClientFrame(message)) return;
    const { id, call, params } = message;
    const answer: Promise<Result<unknown>> = isCallName(call)
      ? hub.call(call, (params ?? {}) as never).catch((error: unknown) => fail('internal', `The hub failed on ${call}: ${(error as Error).message}`))
      : Promise.resolve(fail('invalid-input', `Unknown call ${JSON.stringify(call)}.`));
    void answer.then((result) => parent.send({ id, result }));
  });

  try {
    // The CLI talks to the running app through the same local endpoint `serve` uses.
    server = await startServer({ hub, uiDir: args.uiDir });
    hub.lockHandle.advertise({ port: server.port, token: server.token });
  } catch (error) {
    await parent.send({ control: 'start-failed', reason: 'open-failed', message: `Groundswell could not listen for the command line on 127.0.0.1: ${(error as Error).message}` });
    await hub.dispose();
    process.exit(1);
  }
  hub.startConnectors();
  await parent.send({ control: 'ready', pid: process.pid });
}

// No top-level await: Electron loads this module as a CommonJS bundle.
void (async () => {
  const parent = connectToParent();
  let args: HubProcessArgs;
  try {
    args = parseHubProcessArgs(process.argv.slice(2));
  } catch (error) {
    await parent.send({ control: 'start-failed', reason: 'open-failed', message: (error as Error).message });
    process.exit(1);
  }
  await run(parent, args);
})();
