import { describe, expect, it } from 'vitest';
import { parseProviderSettings, providerFor, providerForMailHost, resolveProviders } from './oauth-providers.ts';

describe('OAuth2 providers', () => {
  it('has Google and Microsoft with their endpoints, scopes and servers, and no client of their own', () => {
    const [google, microsoft] = resolveProviders([], {});
    expect(google).toMatchObject({ id: 'google', scopes: ['https://mail.google.com/'], imap: { host: 'imap.gmail.com', port: 993 }, smtp: { host: 'smtp.gmail.com', port: 465 } });
    expect(google!.clientId).toBeUndefined();
    expect(microsoft).toMatchObject({ id: 'microsoft', imap: { host: 'outlook.office365.com' }, smtp: { host: 'smtp.office365.com', port: 587, security: 'starttls' } });
    expect(microsoft!.scopes).toContain('offline_access');
    expect(microsoft!.scopes).toContain('https://outlook.office.com/SMTP.Send');
  });

  it('takes the client from the environment, and the preferences over the environment', () => {
    const env = { GROUNDSWELL_OAUTH_GOOGLE_CLIENT_ID: 'from-env', GROUNDSWELL_OAUTH_GOOGLE_CLIENT_SECRET: 'env-secret', GROUNDSWELL_OAUTH_MICROSOFT_CLIENT_ID: 'ms-env' };
    const fromEnv = resolveProviders([], env);
    expect(providerFor(fromEnv, 'google')).toMatchObject({ clientId: 'from-env', clientSecret: 'env-secret' });
    const fromPrefs = resolveProviders([{ id: 'google', clientId: 'from-prefs' }], env);
    expect(providerFor(fromPrefs, 'google').clientId).toBe('from-prefs');
    expect(providerFor(fromPrefs, 'microsoft').clientId).toBe('ms-env');
  });

  it('says which variable or preference is missing, and which providers there are', () => {
    expect(() => providerFor(resolveProviders([], {}), 'microsoft')).toThrow(/GROUNDSWELL_OAUTH_MICROSOFT_CLIENT_ID.*oauthProviders/);
    expect(() => providerFor(resolveProviders([], {}), 'yahoo')).toThrow('There is no OAuth2 provider "yahoo". Choose google, microsoft, or add one in the preferences (oauthProviders).');
  });

  it('adds another identity provider described whole, and finds a provider by its mail server', () => {
    const settings = parseProviderSettings([
      { id: 'corp', name: 'Corp SSO', clientId: 'c1', authorizationEndpoint: 'https://sso.corp.example/auth', tokenEndpoint: 'https://sso.corp.example/token', scopes: ['mail'], imapHost: 'mail.corp.example' },
    ]);
    const providers = resolveProviders(settings, {});
    expect(providerFor(providers, 'corp')).toMatchObject({ name: 'Corp SSO', imap: { host: 'mail.corp.example', port: 993, security: 'tls' } });
    expect(providerForMailHost(providers, 'IMAP.gmail.com')?.id).toBe('google');
    expect(providerForMailHost(providers, 'mail.corp.example')?.id).toBe('corp');
    expect(providerForMailHost(providers, 'imap.example.org')).toBeUndefined();
  });

  it('refuses entries it cannot use, naming what is wrong', () => {
    expect(() => parseProviderSettings([{ id: 'corp', clientId: 'x' }])).toThrow('oauthProviders[0]: a provider other than google or microsoft needs authorizationEndpoint, tokenEndpoint and scopes.');
    expect(() => parseProviderSettings([{ id: 'corp', authorizationEndpoint: 'http://sso.example/auth', tokenEndpoint: 'https://sso.example/t', scopes: ['a'] }])).toThrow('must use https://');
    expect(() => parseProviderSettings([{ id: 'google', clientid: 'typo' }])).toThrow('oauthProviders[0] has no "clientid"');
    expect(() => parseProviderSettings([{ id: 'Google' }])).toThrow('oauthProviders[0].id must be a short lower-case name');
    expect(() => parseProviderSettings([{ id: 'google' }, { id: 'google' }])).toThrow('"google" is listed twice');
    expect(() => parseProviderSettings({ id: 'google' })).toThrow('oauthProviders must be a list');
  });
});
