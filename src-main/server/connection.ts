/**
 * One client's WebSocket to the hub: frames in, answers out. Whatever the client sends, the worst it
 * can do is lose its own connection: transport errors close it, frames that are not calls are
 * answered with an error frame (and close it when they repeat), and calls beyond a bound wait.
 */
import type { WebSocket } from 'ws';
import type { ServerFrame } from '../../src-shared/api.ts';
import { isCallName } from '../../src-shared/api.ts';
import { fail } from '../../src-shared/result.ts';
import type { Hub } from '../hub/hub.ts';

/**
 * Calls one connection may have in flight. Beyond it the server stops reading that socket until
 * answers have gone out, so TCP makes the client wait: nothing is dropped and memory stays bounded
 * (a client that floods without reading answers only fills its own send buffer).
 */
export const CALLS_IN_FLIGHT = 64;
/** Frames that are not calls in a row before the connection is closed: a client that broken will not recover. */
export const BAD_FRAMES_BEFORE_CLOSE = 3;
/** Close code 1008 (policy violation). */
const CLOSE_POLICY = 1008;

export function serveConnection(hub: Hub, ws: WebSocket): void {
  let inFlight = 0;
  let badFrames = 0;
  // Frames that arrived while the connection was at its bound; reading is paused until it drains.
  const waiting: string[] = [];

  // ws closes the connection itself (1002, 1007, 1009…) before it reports the error; without a
  // listener the error would take the whole process down.
  ws.on('error', () => {});

  const pump = () => {
    while (inFlight < CALLS_IN_FLIGHT && waiting.length > 0) {
      inFlight += 1;
      void answer(hub, ws, waiting.shift() as string).then((wasCall) => {
        inFlight -= 1;
        badFrames = wasCall ? 0 : badFrames + 1;
        if (badFrames >= BAD_FRAMES_BEFORE_CLOSE && ws.readyState === ws.OPEN) {
          ws.close(CLOSE_POLICY, 'Too many frames that are not calls.');
        }
        pump();
      });
    }
    if (waiting.length > 0) ws.pause();
    else if (ws.isPaused) ws.resume();
  };

  ws.on('message', (data) => {
    waiting.push(data.toString());
    pump();
  });
}

/**
 * Answers one frame and resolves once the answer has been handed to the socket (so a client that
 * does not read keeps its calls counted as in flight). Resolves false when the frame was not a call.
 */
async function answer(hub: Hub, ws: WebSocket, text: string): Promise<boolean> {
  const frame = parseCall(text);
  const reply: ServerFrame =
    'problem' in frame
      ? { id: frame.id, result: fail('invalid-input', frame.problem) }
      : {
          id: frame.id,
          result: isCallName(frame.call)
            ? await hub.call(frame.call, (frame.params ?? {}) as never).catch(() => fail('internal', 'The hub failed on this call; try again.'))
            : fail('invalid-input', `Unknown call ${JSON.stringify(frame.call)}.`),
        };
  await send(ws, JSON.stringify(reply));
  return !('problem' in frame);
}

function parseCall(text: string): { id: number; call: unknown; params: unknown } | { id: number | null; problem: string } {
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    return { id: null, problem: 'The request was not valid JSON; send {"id": NUMBER, "call": NAME, "params": {…}}.' };
  }
  if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) {
    return { id: null, problem: 'The request was not a JSON object; send {"id": NUMBER, "call": NAME, "params": {…}}.' };
  }
  const { id, call, params } = frame as { id?: unknown; call?: unknown; params?: unknown };
  if (typeof id !== 'number' || !Number.isFinite(id)) {
    return { id: null, problem: 'The request has no numeric "id", so its answer could not be matched to it; give every call a number.' };
  }
  return { id, call, params };
}

function send(ws: WebSocket, text: string): Promise<void> {
  if (ws.readyState !== ws.OPEN) return Promise.resolve();
  // The callback runs once the frame is written out, or with an error when the socket closed first.
  return new Promise((resolve) => ws.send(text, () => resolve()));
}
