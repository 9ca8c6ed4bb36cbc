/** The check behind "Add account": log in and out once, and say precisely what failed. */
import type { ImapSettings } from '../../../src-shared/domain.ts';
import { createLogger, silentSink, type Logger } from '../../common/logger.ts';
import { closeClient, openClient } from './imap-client.ts';

export async function verifyImapLogin(settings: ImapSettings, password: string, log: Logger = createLogger(silentSink)): Promise<void> {
  const client = await openClient(settings, password, log);
  await closeClient(client);
}
