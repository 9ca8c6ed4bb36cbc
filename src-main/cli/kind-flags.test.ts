import { describe, expect, it } from 'vitest';
import type { KindDescriptor } from '../../src-shared/api.ts';
import { accountInput, browserSignInFlagOf, kindFlags, kindUsage } from './kind-flags.ts';

const matrix: KindDescriptor = {
  kind: 'matrix',
  source: 'chat',
  label: 'Matrix chat',
  description: 'Rooms',
  capabilities: [],
  fields: [
    { name: 'userId', label: 'User ID', type: 'text', required: true, flag: 'user', changeable: false },
    { name: 'password', label: 'Password', type: 'secret', required: true, flag: 'password', changeable: false },
    { name: 'sso', label: 'Single sign-on', type: 'text', required: false, flag: 'sso', changeable: false, browserSignIn: 'flag' },
    { name: 'oauthProvider', label: 'Sign in with', type: 'text', required: false, flag: 'oauth', changeable: false, browserSignIn: 'value' },
  ],
};

describe('browser sign-in flags', () => {
  it('are a switch (--sso) or take the provider (--oauth google), and put the sign-in into the input', () => {
    const flags = kindFlags(matrix, false);
    expect(flags['sso']).toEqual({ type: 'boolean' });
    expect(flags['oauth']).toEqual({ type: 'string' });
    expect(browserSignInFlagOf(matrix, { user: '@u:s', sso: true })?.name).toBe('sso');
    expect(browserSignInFlagOf(matrix, { user: '@u:s', oauth: 'google' })?.name).toBe('oauthProvider');
    expect(browserSignInFlagOf(matrix, { user: '@u:s', 'password-stdin': true })).toBeUndefined();
    expect(accountInput(matrix, { user: '@u:s', sso: true }, undefined)).toEqual({ userId: '@u:s', sso: true });
    expect(kindUsage(matrix)).toContain('  --sso ');
  });
});
