/**
 * Triage of rooms on the homeserver, so that the user's other clients (and another Groundswell)
 * agree: star is the m.favourite room tag, done and snooze are room account data of our own
 * (org.groundswell.done with the event the room was done at, org.groundswell.snooze with the wake
 * time), delete leaves the room or declines the invitation. One request per room and action.
 * Cleared account data is written as an empty object: the client-server API cannot delete it.
 */
import type { MatrixClient, Room } from 'matrix-js-sdk';
import type { ServerTriageAction, TriageConnector, TriageFact, TriageOutcome } from '../connector.ts';
import { ConnectorError } from '../connector.ts';

export const FAVOURITE_TAG = 'm.favourite';
export const DONE_TYPE = 'org.groundswell.done';
export const SNOOZE_TYPE = 'org.groundswell.snooze';

type Describe = (error: unknown, what: string) => ConnectorError;

/** The room's triage as the server has it, for the row's facts. */
export function roomTriageFacts(room: Room): Omit<TriageFact, 'externalId'> {
  const facts: Omit<TriageFact, 'externalId'> = { starred: room.tags[FAVOURITE_TAG] !== undefined };
  const done = room.getAccountData(DONE_TYPE as never)?.getContent() as { event_id?: unknown; ts?: unknown } | undefined;
  if (done !== undefined) facts.done = typeof done.ts === 'number' && typeof done.event_id === 'string' ? { through: done.ts } : null;
  const snooze = room.getAccountData(SNOOZE_TYPE as never)?.getContent() as { until?: unknown } | undefined;
  if (snooze !== undefined) facts.snoozedUntil = typeof snooze.until === 'number' ? snooze.until : null;
  return facts;
}

export function createRoomTriage(deps: { ready: () => Promise<MatrixClient>; describe: Describe }): TriageConnector {
  const send = async (client: MatrixClient, action: ServerTriageAction, roomId: string, eventId: string, timestamp: number, until: number | undefined) => {
    const setData = (type: string, content: object) => client.setRoomAccountData(roomId, type as never, content as never);
    switch (action) {
      case 'star':
        return void (await client.setRoomTag(roomId, FAVOURITE_TAG, {}));
      case 'unstar':
        return void (await client.deleteRoomTag(roomId, FAVOURITE_TAG));
      case 'done':
        return void (await setData(DONE_TYPE, { event_id: eventId, ts: timestamp }));
      case 'undone':
        return void (await setData(DONE_TYPE, {}));
      case 'snooze':
        return void (await setData(SNOOZE_TYPE, { until }));
      case 'unsnooze':
        return void (await setData(SNOOZE_TYPE, {}));
      case 'delete':
        // Leaving a room and declining an invitation are the same request.
        return void (await client.leave(roomId));
      case 'restore':
        return void (await client.joinRoom(roomId));
      case 'spam':
      case 'purge':
        return;
      default:
        throw new Error(`Unhandled action ${JSON.stringify(action satisfies never)}`);
    }
  };
  return {
    async apply(action, targets, options) {
      const client = await deps.ready();
      const outcome: TriageOutcome = { moved: [], missing: [], notices: [] };
      for (const { item, externalId } of targets) {
        if (item.origin.kind !== 'chat') continue;
        try {
          await send(client, action, item.origin.roomId, item.origin.eventId, item.timestamp, options.until);
        } catch (error) {
          const failure = deps.describe(error, WORDS[action]);
          if (failure.code === 'connection-failed' || failure.code === 'auth-failed') throw failure;
          // The server refuses for this room (left, forbidden): the others still go.
          if (targets.length === 1) throw new ConnectorError('not-found', failure.message, { cause: error });
          outcome.missing.push(externalId);
          outcome.notices.push(failure.message);
        }
      }
      return outcome;
    },
  };
}

const WORDS: Record<ServerTriageAction, string> = {
  star: 'add the room to favourites',
  unstar: 'remove the room from favourites',
  done: 'mark the room done',
  undone: 'bring the room back to the Inbox',
  snooze: 'snooze the room',
  unsnooze: 'end the snooze',
  delete: 'leave the room',
  restore: 'join the room again',
  spam: 'report spam',
  purge: 'forget the room',
};
