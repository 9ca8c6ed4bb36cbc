import { describe, expect, it } from 'vitest';
import { InputError } from '../../common/input.ts';
import { imapKind } from './kind.ts';
import type { MailGrant } from './oauth-sign-in.ts';

const grant: MailGrant = {
  client: { provider: 'google', providerName: 'Google', tokenEndpoint: 'https://oauth2.googleapis.com/token', clientId: 'desktop-client' },
  secret: JSON.stringify({ v: 1, accessToken: 'at', refreshToken: 'rt', expiresAt: 1 }),
  imap: { host: 'imap.gmail.com', port: 993, security: 'tls' },
};

function refusal(run: () => unknown): { field: string | undefined; message: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof InputError) return { field: error.field, message: error.message };
    throw error;
  }
  throw new Error('no refusal');
}

describe('an IMAP account that signs in with OAuth2', () => {
  it('takes the server from the provider and the client from the grant, with no password', () => {
    const draft = imapKind.draft({ user: 'ann@gmail.com', oauthProvider: 'google', grant: JSON.stringify(grant) });
    expect(draft.settings).toMatchObject({ host: 'imap.gmail.com', port: 993, security: 'tls', user: 'ann@gmail.com', oauth: grant.client });
    expect(draft.secret).toBeUndefined();
    expect(draft.grant).toBe(JSON.stringify(grant));
    expect(imapKind.browserSignIn?.uses(draft.settings)).toBe(true);
    expect(imapKind.describe({ id: 'a', kind: 'imap', source: 'mail', displayName: 'x', createdAt: 0, settings: draft.settings })).toBe('ann@gmail.com@imap.gmail.com:993 (signs in with Google)');
  });

  it('lets typed server fields win over the provider entry', () => {
    const draft = imapKind.draft({ user: 'ann', oauthProvider: 'google', grant: JSON.stringify(grant), host: '127.0.0.1', security: 'plain', port: 1143 });
    expect(draft.settings).toMatchObject({ host: '127.0.0.1', port: 1143, security: 'plain' });
  });

  it('asks for the browser sign-in first, refuses a password beside it and a grant from another provider', () => {
    expect(refusal(() => imapKind.draft({ user: 'ann', oauthProvider: 'google' }))).toEqual({ field: 'oauthProvider', message: 'Sign in with google in the browser first (signIn.start), then add the account with its signInId.' });
    expect(refusal(() => imapKind.draft({ user: 'ann', oauthProvider: 'google', grant: JSON.stringify(grant), password: 'x' })).field).toBe('password');
    expect(refusal(() => imapKind.draft({ user: 'ann', oauthProvider: 'microsoft', grant: JSON.stringify(grant) })).message).toBe('That sign-in was with Google, not microsoft. Sign in again.');
    expect(refusal(() => imapKind.draft({ user: 'ann', oauthProvider: 'google', grant: '{"nope":1}' })).field).toBe('oauthProvider');
  });

  it('keeps its OAuth2 client through a save and read back; a password account has none', () => {
    const { settings } = imapKind.draft({ user: 'ann', oauthProvider: 'google', grant: JSON.stringify(grant) });
    expect(imapKind.decodeSettings(JSON.parse(JSON.stringify(settings)) as unknown, 1)).toEqual(settings);
    const plain = imapKind.draft({ host: 'imap.example.com', user: 'ann', password: 'pw' }).settings;
    expect(plain.oauth).toBeUndefined();
    expect(imapKind.browserSignIn?.uses(plain)).toBe(false);
  });
});
