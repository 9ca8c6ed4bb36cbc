/**
 * Mail's sign-in through the system browser: OAuth2 with one of the providers (Google, Microsoft,
 * or one from the preferences). The grant it brings back names the client that obtained it, the
 * tokens and the provider's IMAP server, so adding the account needs no host name typed.
 */
import type { BrowserSignInOption, SignInOptions } from '../../../src-shared/api.ts';
import type { ImapOAuthSettings, ImapSettings } from '../../../src-shared/domain.ts';
import { InputError, record, text } from '../../common/input.ts';
import type { BrowserSignInCapability, BrowserSignInContext } from '../kind.ts';
import { environmentName, providerFor, providerForMailHost, resolveProviders, type MailServer } from '../oauth-providers.ts';
import { parseOAuthSecret, serializeOAuthSecret } from '../oauth-tokens.ts';

/** What `finish` returns (as JSON), reaching the kind's draft as `input.grant`. */
export interface MailGrant {
  client: ImapOAuthSettings;
  /** The keychain secret: OAuthSecret as JSON. */
  secret: string;
  imap?: MailServer;
}

export function parseMailGrant(grant: string): MailGrant {
  try {
    const value = JSON.parse(grant) as Partial<MailGrant>;
    if (value.client && typeof value.client.clientId === 'string' && typeof value.client.tokenEndpoint === 'string' && typeof value.secret === 'string') {
      parseOAuthSecret(value.secret);
      return value as MailGrant;
    }
  } catch {
    // Below.
  }
  throw new InputError('The browser sign-in did not bring back a usable grant. Start the sign-in again.', 'oauthProvider');
}

function providerOfHost(host: unknown, ctx: BrowserSignInContext): string {
  if (typeof host !== 'string' || host.trim() === '') throw new InputError('Choose the provider to sign in with (oauthProvider), or give the mail server (host).', 'oauthProvider');
  const found = providerForMailHost(resolveProviders(ctx.oauthProviders), host);
  if (!found) {
    throw new InputError(
      `No OAuth2 provider is known for ${host.trim()}: Groundswell knows Google and Microsoft 365; another identity provider is added in the preferences (oauthProviders, with its imapHost).`,
      'oauthProvider',
    );
  }
  return found.id;
}

async function begin(providerId: string, loginHint: string | undefined, ctx: BrowserSignInContext) {
  const provider = providerFor(resolveProviders(ctx.oauthProviders), providerId);
  const { clientSettingsOf, startAuthorization } = await import('../oauth-grant.ts');
  const started = await startAuthorization(provider, ctx.redirectUri, loginHint);
  return {
    url: started.url,
    async finish(callback: URL) {
      const tokens = await started.finish(callback);
      const grant: MailGrant = {
        client: clientSettingsOf(provider),
        secret: serializeOAuthSecret({ ...tokens, ...(provider.clientSecret ? { clientSecret: provider.clientSecret } : {}) }),
        ...(provider.imap ? { imap: provider.imap } : {}),
      };
      return JSON.stringify(grant);
    },
  };
}

export const mailBrowserSignIn: BrowserSignInCapability<ImapSettings> = {
  async options(_input, ctx): Promise<SignInOptions> {
    const browser: BrowserSignInOption[] = resolveProviders(ctx.oauthProviders).map((p) => ({
      id: p.id,
      name: p.name,
      ...(p.clientId ? {} : { problem: `Needs this Groundswell's ${p.name} client id: set ${environmentName(p.id, 'CLIENT_ID')} or the oauthProviders preference.` }),
    }));
    return { password: true, browser };
  },

  start(raw, ctx) {
    const input = record(raw, 'the account');
    // Without a provider named, the one whose server `host` is (mail autoconfig found imap.gmail.com).
    const named = text(input['oauthProvider'], 'oauthProvider', 'Sign-in provider', { max: 40, optional: true });
    const provider = named || providerOfHost(input['host'], ctx);
    // Asked before the browser opens: the account could not be added without it afterwards.
    const user = text(input['user'], 'user', 'User name (your email address)', { max: 320 }).trim();
    if (user === '') throw new InputError('Enter your email address: it is the mailbox the provider signs you in to.', 'user');
    return begin(provider, user, ctx);
  },

  startAgain(settings, ctx) {
    if (!settings.oauth) throw new InputError('This account signs in with a password.', 'password');
    return begin(settings.oauth.provider, settings.user, ctx);
  },

  uses: (settings) => settings.oauth !== undefined,

  async complete(account, grant) {
    // The grant names the client that obtained it: on an account signing in again that may be a new client id.
    const signedIn = parseMailGrant(grant);
    const settings: ImapSettings = { ...account.settings, oauth: signedIn.client };
    const { verifyMailSignIn } = await import('./verify-login.ts');
    return { account: { ...account, settings }, secret: await verifyMailSignIn(settings, signedIn.secret) };
  },
};
