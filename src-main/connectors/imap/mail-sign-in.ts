/**
 * Logging in to the mail server with the account's password or OAuth2 tokens. With OAuth2 the
 * access token is refreshed before it expires, and once more when the server turns it down (a
 * token revoked or expired early), and the login is tried again with the new one, once.
 */
import type { ImapFlow } from 'imapflow';
import type { ImapSettings } from '../../../src-shared/domain.ts';
import type { Logger } from '../../common/logger.ts';
import { ConnectorError } from '../connector.ts';
import { OAuthTokenSource } from '../oauth-tokens.ts';
import { NO_OAUTH_MECHANISM, openClient, type ImapTiming } from './imap-client.ts';

export interface SecretAccess {
  readSecret(): Promise<string>;
  writeSecret(secret: string): Promise<void>;
}

export interface MailSignIn {
  open(timing?: ImapTiming): Promise<ImapFlow>;
  /** The OAuth2 token source (for SMTP's OAuth2 transport too); absent for a password account. */
  readonly tokens?: OAuthTokenSource;
}

export function mailSignIn(settings: ImapSettings, secrets: SecretAccess, log: Logger): MailSignIn {
  const oauth = settings.oauth;
  if (!oauth) return { open: async (timing) => openClient(settings, { password: await secrets.readSecret() }, log, timing) };
  const tokens = new OAuthTokenSource({ client: oauth, readSecret: () => secrets.readSecret(), writeSecret: (secret) => secrets.writeSecret(secret) });
  return {
    tokens,
    async open(timing) {
      const token = await tokens.accessToken();
      try {
        return await openClient(settings, { accessToken: token }, log, timing);
      } catch (error) {
        if (!(error instanceof ConnectorError) || error.code !== 'auth-failed' || (error as { reason?: string }).reason === NO_OAUTH_MECHANISM) throw error;
        log.info('the mail server turned the access token down; refreshing it and trying once more');
        tokens.rejected(token);
        const fresh = await tokens.accessToken();
        try {
          return await openClient(settings, { accessToken: fresh }, log, timing);
        } catch (again) {
          if (again instanceof ConnectorError && again.code === 'auth-failed') {
            throw new ConnectorError('auth-failed', `Sign in again: ${again.message.replace(/\.$/, '')}, even with a fresh token from ${oauth.providerName}.`, { cause: again });
          }
          throw again;
        }
      }
    },
  };
}
