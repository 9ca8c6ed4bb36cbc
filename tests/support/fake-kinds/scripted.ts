/**
 * What every fake server shares: the test scripts failures of the next server call, and live
 * connectors subscribe to what the "server" pushes (new mail, a message in a room).
 */
import { ConnectorError } from '../../../src-main/connectors/connector.ts';
import type { ConnectorErrorCode } from '../../../src-main/connectors/connector.ts';

/** What a server call fails with, as the real connector would throw it. */
export interface ServerFailure {
  code: ConnectorErrorCode;
  message: string;
}

export class ScriptedFailures<Operation extends string> {
  readonly #next = new Map<Operation, Error[]>();

  /**
   * The next `operation` on this server fails: with a ConnectorError of this code and message (the
   * hub maps it as it maps the real connector's), or with this very error.
   */
  failNext(operation: Operation, failure: ServerFailure | Error = { code: 'connection-failed', message: 'The server did not answer.' }): void {
    const error = failure instanceof Error ? failure : new ConnectorError(failure.code, failure.message);
    const queue = this.#next.get(operation) ?? [];
    queue.push(error);
    this.#next.set(operation, queue);
  }

  /** Throws the failure scripted for `operation`, if any; called by the fake where the real server would answer. */
  check(operation: Operation): void {
    const error = this.#next.get(operation)?.shift();
    if (error !== undefined) throw error;
  }
}

/** Live connectors of one login, told when the server's state for it changes. */
export class Sessions<Key, Session> {
  readonly #byKey = new Map<Key, Set<Session>>();

  open(key: Key, session: Session): () => void {
    const set = this.#byKey.get(key) ?? new Set<Session>();
    set.add(session);
    this.#byKey.set(key, set);
    return () => set.delete(session);
  }

  of(key: Key): Session[] {
    return [...(this.#byKey.get(key) ?? [])];
  }
}
