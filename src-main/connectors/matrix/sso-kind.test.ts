import { describe, expect, it } from 'vitest';
import { InputError } from '../../common/input.ts';
import { matrixKind } from './kind.ts';

const grant = JSON.stringify({ homeserverUrl: 'https://matrix.example.org', loginToken: 'once', identityProvider: 'oidc-acme' });

describe('a Matrix account that signs in through single sign-on', () => {
  it('drafts from the grant: the homeserver it came from, the identity provider kept for signing in again, no password', () => {
    const draft = matrixKind.draft({ userId: '@ann:example.org', sso: true, grant });
    expect(draft.settings).toEqual({ homeserverUrl: 'https://matrix.example.org', userId: '@ann:example.org', sso: { identityProvider: 'oidc-acme' } });
    expect(draft.secret).toBeUndefined();
    expect(draft.grant).toBe(grant);
    expect(matrixKind.browserSignIn?.uses(draft.settings)).toBe(true);
    expect(matrixKind.decodeSettings(JSON.parse(JSON.stringify(draft.settings)) as unknown, 1)).toEqual(draft.settings);
  });

  it('asks for the browser first, and refuses a password beside it', () => {
    expect(() => matrixKind.draft({ userId: '@ann:example.org', sso: true })).toThrow(InputError);
    expect(() => matrixKind.draft({ userId: '@ann:example.org', sso: true, grant, password: 'pw' })).toThrow('Give either a password or single sign-on, not both.');
    expect(matrixKind.browserSignIn?.uses({ homeserverUrl: 'https://m.example.org', userId: '@ann:example.org' })).toBe(false);
  });
});
