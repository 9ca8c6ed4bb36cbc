/** The Electron transport: the preload's bridge, typed by the one contract. */
import type { HubClient } from '../../src-shared/api.ts';
import { fail, type Result } from '../../src-shared/result.ts';
import { createEventFanout, isResultShape } from './events.ts';

export interface PreloadBridge {
  call(name: string, params: unknown): Promise<Result<unknown>>;
  onEvent(listener: (event: string, payload: unknown) => void): () => void;
}

declare global {
  interface Window {
    groundswell?: PreloadBridge;
  }
}

export function electronClient(bridge: PreloadBridge): HubClient {
  const events = createEventFanout();
  bridge.onEvent((event, payload) => events.emit(event, payload));
  return {
    async call(name, params) {
      try {
        const result = await bridge.call(name, params);
        if (isResultShape(result)) return result as never;
        return fail('internal', `The hub sent an unreadable answer to ${name}.`) as never;
      } catch {
        return fail('internal', `The hub could not answer ${name}; try again.`) as never;
      }
    },
    on: events.on,
  };
}
