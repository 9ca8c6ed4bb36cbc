import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { APP_ID } from './app-identity.ts';

describe('the app id', () => {
  it('is the installer’s appId, so Windows shows its notifications', () => {
    const yml = readFileSync(new URL('../../electron-builder.yml', import.meta.url), 'utf8');
    expect(yml).toMatch(new RegExp(`^appId: ${APP_ID.replaceAll('.', '\\.')}$`, 'm'));
  });
});
