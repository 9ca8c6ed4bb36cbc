/**
 * Triage on an IMAP server, one small command module per server action: star is \Flagged, done
 * moves to the \Archive mailbox, delete to \Trash (and for good from there), spam to \Junk; Undo
 * moves back to INBOX. Snooze has no IMAP mechanism and stays local. Each mailbox is one round trip
 * per action (a batched STORE or one UID MOVE), and a message whose UIDVALIDITY changed under a
 * waiting action is found again by its Message-ID.
 */
import type { ImapFlow } from 'imapflow';
import type { ItemOrigin } from '../../../../src-shared/domain.ts';
import type { Logger } from '../../../common/logger.ts';
import { ConnectorError } from '../../connector.ts';
import type { ServerTriageAction, TriageConnector, TriageOutcome, TriageTarget } from '../../connector.ts';
import { externalIdOf } from '../message-item.ts';
import { expungeMessages } from './expunge-messages.ts';
import { findByMessageId, moveMessages } from './move-messages.ts';
import { setFlag } from './set-flag.ts';
import { findSpecialMailbox } from './special-mailbox.ts';
import type { SpecialUse } from './special-mailbox.ts';

type MailOrigin = Extract<ItemOrigin, { kind: 'mail' }>;
type WithMailbox = <T>(mailbox: string, work: (client: ImapFlow, uidValidity: number) => Promise<T>) => Promise<T>;
type WithClient = <T>(work: (client: ImapFlow) => Promise<T>) => Promise<T>;

const INBOX = 'INBOX';
const MOVE_TARGET: Partial<Record<ServerTriageAction, SpecialUse | typeof INBOX>> = {
  done: '\\Archive',
  delete: '\\Trash',
  spam: '\\Junk',
  undone: INBOX,
  restore: INBOX,
};

interface Located {
  target: TriageTarget;
  origin: MailOrigin;
  /** The UID in the mailbox as it is now (found again by Message-ID after a UIDVALIDITY change). */
  uid: number;
}

export function createMailTriage(deps: { withMailbox: WithMailbox; withClient: WithClient; host: string; log: Logger }): TriageConnector {
  const specialPaths = new Map<SpecialUse, string>();

  const specialPath = async (use: SpecialUse, notices: string[]): Promise<string> => {
    const known = specialPaths.get(use);
    if (known) return known;
    const found = await deps.withClient((client) => findSpecialMailbox(client, use, deps.host));
    if (found.notice) {
      notices.push(found.notice);
      deps.log.info('created a special-use mailbox', { use, path: found.path });
    }
    specialPaths.set(use, found.path);
    return found.path;
  };

  /** The targets still on the server in the selected mailbox, and the ones it no longer has. */
  const locate = async (client: ImapFlow, uidValidity: number, targets: TriageTarget[], outcome: TriageOutcome): Promise<Located[]> => {
    const located: Located[] = [];
    for (const target of targets) {
      const origin = target.item.origin as MailOrigin;
      if (origin.uidValidity === uidValidity) {
        located.push({ target, origin, uid: origin.uid });
        continue;
      }
      const uid = origin.messageId ? await findByMessageId(client, origin.messageId) : undefined;
      if (uid === undefined) {
        outcome.missing.push(target.externalId);
        continue;
      }
      const now = { ...origin, uidValidity, uid };
      outcome.moved.push({ externalId: target.externalId, now: { externalId: externalIdOf(origin.mailbox, uidValidity, uid), scope: origin.mailbox, origin: now } });
      located.push({ target, origin: now, uid });
    }
    return located;
  };

  const moveTo = async (mailbox: string, targets: TriageTarget[], destination: string, outcome: TriageOutcome): Promise<void> => {
    const unmapped: Located[] = [];
    await deps.withMailbox(mailbox, async (client, uidValidity) => {
      const located = await locate(client, uidValidity, targets, outcome);
      // locate() may have recorded a re-found UID; the move's result replaces it.
      const relocatedHere = new Set(located.map((l) => l.target.externalId));
      outcome.moved = outcome.moved.filter((m) => !relocatedHere.has(m.externalId));
      const { moved, targetUidValidity } = await moveMessages(client, located.map((l) => l.uid), destination);
      const byUid = new Map(moved.map((m) => [m.uid, m]));
      for (const l of located) {
        const m = byUid.get(l.uid);
        if (m && targetUidValidity !== undefined) {
          outcome.moved.push({ externalId: l.target.externalId, now: placed(l.origin, destination, targetUidValidity, m.newUid) });
        } else unmapped.push(l);
      }
    });
    if (unmapped.length === 0) return;
    // No COPYUID (no UIDPLUS, or the message had moved already in an attempt cut short): find each by Message-ID.
    await deps.withMailbox(destination, async (client, uidValidity) => {
      for (const l of unmapped) {
        const uid = l.origin.messageId ? await findByMessageId(client, l.origin.messageId) : undefined;
        if (uid === undefined) outcome.missing.push(l.target.externalId);
        else outcome.moved.push({ externalId: l.target.externalId, now: placed(l.origin, destination, uidValidity, uid) });
      }
    });
  };

  return {
    async apply(action, targets, options) {
      try {
        return await apply(action, targets, options);
      } catch (error) {
        throw refusalOf(error, action, deps.host);
      }
    },
  };

  async function apply(action: ServerTriageAction, targets: TriageTarget[], _options: { until?: number }): Promise<TriageOutcome> {
      const outcome: TriageOutcome = { moved: [], missing: [], notices: [] };
      const byMailbox = new Map<string, TriageTarget[]>();
      for (const target of targets) {
        if (target.item.origin.kind !== 'mail') continue;
        const list = byMailbox.get(target.item.origin.mailbox) ?? [];
        list.push(target);
        byMailbox.set(target.item.origin.mailbox, list);
      }
      const moveTarget = MOVE_TARGET[action];
      if (moveTarget !== undefined) {
        const destination = moveTarget === INBOX ? INBOX : await specialPath(moveTarget, outcome.notices);
        for (const [mailbox, list] of byMailbox) if (mailbox !== destination) await moveTo(mailbox, list, destination, outcome);
        return withMissingNotice(outcome);
      }
      for (const [mailbox, list] of byMailbox) {
        await deps.withMailbox(mailbox, async (client, uidValidity) => {
          const uids = (await locate(client, uidValidity, list, outcome)).map((l) => l.uid);
          if (action === 'star' || action === 'unstar') await setFlag(client, uids, '\\Flagged', action === 'star');
          else if (action === 'purge') await expungeMessages(client, uids);
        });
      }
      // Snooze has no IMAP mechanism: the hub keeps it.
      return withMissingNotice(outcome);
  }
}

/**
 * A NO or BAD answer is the server refusing (a mailbox gone, a read-only mailbox): a refusal for
 * good, which the hub rolls back. Anything else (a dropped connection) stays as it was: try later.
 */
function refusalOf(error: unknown, action: ServerTriageAction, host: string): unknown {
  const cause = error instanceof ConnectorError ? error.cause : error;
  const status = cause && typeof cause === 'object' ? (cause as { responseStatus?: unknown }).responseStatus : undefined;
  if (status !== 'NO' && status !== 'BAD') return error;
  return new ConnectorError('not-found', `${host} refused to ${ACTION_WORDS[action]} (the mailbox may be gone or read-only).`, { cause });
}

const ACTION_WORDS: Record<ServerTriageAction, string> = {
  done: 'move the mail to its archive',
  undone: 'move the mail back to INBOX',
  star: 'flag the mail',
  unstar: 'unflag the mail',
  snooze: 'snooze the mail',
  unsnooze: 'end the snooze',
  delete: 'move the mail to the trash',
  spam: 'move the mail to the junk mailbox',
  restore: 'move the mail back to INBOX',
  purge: 'delete the mail for good',
};

function placed(origin: MailOrigin, mailbox: string, uidValidity: number, uid: number): { externalId: string; scope: string; origin: MailOrigin } {
  return { externalId: externalIdOf(mailbox, uidValidity, uid), scope: mailbox, origin: { ...origin, mailbox, uidValidity, uid } };
}

function withMissingNotice(outcome: TriageOutcome): TriageOutcome {
  const n = outcome.missing.length;
  if (n > 0) outcome.notices.push(`${n === 1 ? 'One message was' : `${n} messages were`} no longer on the server (the mailbox was rebuilt or it was moved elsewhere); it is changed here only.`);
  return outcome;
}
