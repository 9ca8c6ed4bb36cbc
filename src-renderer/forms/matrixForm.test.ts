import { describe, expect, it } from 'vitest';
import { checkMatrixForm, emptyMatrixForm, matrixFieldOf, type MatrixFormValues } from './matrixForm.ts';

function filled(over: Partial<MatrixFormValues> = {}): MatrixFormValues {
  return { ...emptyMatrixForm(), userId: '@alice:example.org', password: 'pw', ...over };
}

describe('the add-Matrix-account form', () => {
  it('requires the user ID and the password, each with its own message; the homeserver is optional', () => {
    const check = checkMatrixForm(emptyMatrixForm());
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(Object.keys(check.errors).sort()).toEqual(['password', 'userId']);
  });

  it('turns a full user ID into the contract input, leaving the homeserver to discovery', () => {
    expect(checkMatrixForm(filled({ userId: ' @alice:Example.ORG ', password: ' p w ' }))).toEqual({
      ok: true,
      input: { userId: '@alice:example.org', password: ' p w ' },
    });
  });

  it('adds the @ a user left out, and accepts a port or an IP literal as the server', () => {
    for (const [typed, sent] of [
      ['alice:example.org', '@alice:example.org'],
      ['@bob:localhost:8448', '@bob:localhost:8448'],
      ['@c:[::1]:8008', '@c:[::1]:8008'],
      ['@d.e_f=g/h:127.0.0.1', '@d.e_f=g/h:127.0.0.1'],
    ]) {
      expect(checkMatrixForm(filled({ userId: typed })), typed).toMatchObject({ ok: true, input: { userId: sent } });
    }
  });

  it('needs the server part unless the homeserver is given, then sends the bare name', () => {
    const alone = checkMatrixForm(filled({ userId: '@alice' }));
    expect(alone.ok ? undefined : alone.errors.userId).toMatch(/fill in the homeserver/);
    expect(checkMatrixForm(filled({ userId: '@alice', homeserverUrl: 'matrix.example.org' }))).toEqual({
      ok: true,
      input: { userId: 'alice', password: 'pw', homeserverUrl: 'https://matrix.example.org' },
    });
  });

  it('rejects what is not a user ID', () => {
    for (const userId of ['@al ice:example.org', '@:example.org', '@alice:https://example.org', '@alice:', '@alice:exa mple.org']) {
      const check = checkMatrixForm(filled({ userId }));
      expect(check.ok ? undefined : check.errors.userId, userId).toBeDefined();
    }
  });

  it('wants https for the homeserver, except on this computer', () => {
    const remote = checkMatrixForm(filled({ homeserverUrl: 'http://matrix.example.org' }));
    expect(remote.ok ? undefined : remote.errors.homeserverUrl).toMatch(/https/);
    expect(checkMatrixForm(filled({ homeserverUrl: 'http://127.0.0.1:8008/' }))).toMatchObject({ ok: true, input: { homeserverUrl: 'http://127.0.0.1:8008' } });
    expect(checkMatrixForm(filled({ homeserverUrl: 'https://example.org/matrix/' }))).toMatchObject({ ok: true, input: { homeserverUrl: 'https://example.org/matrix' } });
    for (const homeserverUrl of ['ftp://example.org', 'https://example.org/?a=1', 'https://', 'https://me:pw@example.org']) {
      const check = checkMatrixForm(filled({ homeserverUrl }));
      expect(check.ok ? undefined : check.errors.homeserverUrl, homeserverUrl).toBeDefined();
    }
  });

  it('maps a hub error field onto the form, or to the top when unknown', () => {
    expect(matrixFieldOf('userId')).toBe('userId');
    expect(matrixFieldOf('homeserverUrl')).toBe('homeserverUrl');
    expect(matrixFieldOf('password')).toBe('password');
    expect(matrixFieldOf('deviceId')).toBeUndefined();
    expect(matrixFieldOf(undefined)).toBeUndefined();
  });
});
