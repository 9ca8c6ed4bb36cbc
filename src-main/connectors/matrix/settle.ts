/**
 * Letting the encryption settle before a client stops. The Rust crypto sends what a sync asks of it
 * (this device's keys and one-time keys, key queries and claims, to-device messages) in a loop it
 * starts after each sync, and decrypts timeline events after the sync that brought them. A process
 * that exits right after its sync (the CLI's `sync --once`, a one-shot add) would leave the device
 * with no keys on the server and its rows undecrypted: these wait for both, within a deadline.
 *
 * matrix-js-sdk offers no public way to wait for its outgoing requests. This reaches the loop the
 * SDK itself runs (RustCrypto's `outgoingRequestsManager`, and `OlmMachine.outgoingRequests()` to see
 * what is still unsent), checked by shape: an SDK that renamed them is reported, not crashed into.
 * `tests/integration/matrix-one-shot.test.ts` fails if the keys stop reaching the server.
 */
import type { MatrixClient, MatrixEvent, Room } from 'matrix-js-sdk';

interface RequestLoop {
  doProcessOutgoingRequests(): Promise<void>;
}
interface UnsentRequests {
  outgoingRequests(): Promise<unknown[]>;
}

export type OutgoingOutcome = { state: 'sent' } | { state: 'timed-out'; unsent: number } | { state: 'unavailable' } | { state: 'stopped' };

/** Between passes that left requests unsent (refused, or the server busy): never a tight loop. */
const FIRST_PAUSE_MS = 100;
const LONGEST_PAUSE_MS = 1_000;

function requestLoopOf(client: MatrixClient): { loop: RequestLoop; unsent: UnsentRequests } | undefined {
  const crypto = client.getCrypto() as unknown as { outgoingRequestsManager?: unknown; olmMachine?: unknown } | undefined;
  const loop = crypto?.outgoingRequestsManager as Partial<RequestLoop> | undefined;
  const machine = crypto?.olmMachine as Partial<UnsentRequests> | undefined;
  if (typeof loop?.doProcessOutgoingRequests !== 'function' || typeof machine?.outgoingRequests !== 'function') return undefined;
  return { loop: loop as RequestLoop, unsent: machine as UnsentRequests };
}

/** Runs the crypto's request loop until nothing is left to send, or the deadline passes. */
export async function sendOutgoingRequests(client: MatrixClient, deadline: number): Promise<OutgoingOutcome> {
  const found = requestLoopOf(client);
  if (!found) return { state: 'unavailable' };
  let pause = FIRST_PAUSE_MS;
  for (;;) {
    // One pass of the SDK's own loop: each request it sends is marked sent in the crypto's store.
    await found.loop.doProcessOutgoingRequests().catch(() => undefined);
    let unsent: number;
    try {
      unsent = (await found.unsent.outgoingRequests()).length;
    } catch {
      // The client stopped meanwhile (a sign-out from the server): its crypto is closed.
      return { state: 'stopped' };
    }
    if (unsent === 0) return { state: 'sent' };
    const left = deadline - Date.now();
    if (left <= 0) return { state: 'timed-out', unsent };
    await new Promise((resolve) => setTimeout(resolve, Math.min(pause, left)));
    pause = Math.min(pause * 2, LONGEST_PAUSE_MS);
  }
}

/** The newest event of each room whose decryption is still running; resolves to how many still are at the deadline. */
export async function finishDecryptions(rooms: Room[], deadline: number): Promise<number> {
  const running = rooms.flatMap((room) => {
    const newest: MatrixEvent | undefined = room.getLiveTimeline().getEvents().at(-1);
    const decrypting = newest?.getDecryptionPromise();
    return decrypting ? [decrypting.catch(() => undefined)] : [];
  });
  if (running.length === 0) return 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const finished = await Promise.race([
    Promise.all(running).then(() => true),
    new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now())))),
  ]);
  clearTimeout(timer);
  if (finished) return 0;
  return rooms.filter((room) => room.getLiveTimeline().getEvents().at(-1)?.isBeingDecrypted()).length;
}
