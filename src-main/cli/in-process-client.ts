/** The contract straight into a hub in this process: the CLI without a running hub, and tests. */
import type { HubClient } from '../../src-shared/api.ts';
import type { Hub } from '../hub/hub.ts';

export function inProcessClient(hub: Hub): HubClient {
  return {
    call: (name, params) => hub.call(name, params),
    on: (name, listener) =>
      hub.on((event, payload) => {
        if (event === name) listener(payload as never);
      }),
  };
}
