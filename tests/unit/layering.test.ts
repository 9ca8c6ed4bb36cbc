import { describe, expect, it } from 'vitest';
import { refusal } from '../../eslint-rules/layering.js';

const root = '/repo';
const refused = (from: string, spec: string) => refusal(from, spec, root) !== undefined;

describe('layering rule', () => {
  it('keeps the renderer away from Node, Electron and src-main', () => {
    expect(refused('src-renderer/App.tsx', 'node:fs')).toBe(true);
    expect(refused('src-renderer/App.tsx', 'fs')).toBe(true);
    expect(refused('src-renderer/App.tsx', 'electron')).toBe(true);
    expect(refused('src-renderer/api/client.ts', '../../src-main/hub/hub.ts')).toBe(true);
    expect(refused('src-renderer/api/client.ts', '../../src-shared/api.ts')).toBe(false);
    expect(refused('src-renderer/App.tsx', 'react')).toBe(false);
  });

  it('keeps src-shared free of every dependency', () => {
    expect(refused('src-shared/api.ts', 'node:path')).toBe(true);
    expect(refused('src-shared/api.ts', 'zustand')).toBe(true);
    expect(refused('src-shared/api.ts', './domain.ts')).toBe(false);
  });

  it('keeps connectors apart from each other and from the hub layers', () => {
    expect(refused('src-main/connectors/imap/imap-connector.ts', '../feeds/parse.ts')).toBe(true);
    expect(refused('src-main/connectors/imap/imap-connector.ts', '../../store/inbox-store.ts')).toBe(true);
    expect(refused('src-main/connectors/imap/imap-connector.ts', '../../secrets/secret-store.ts')).toBe(true);
    expect(refused('src-main/connectors/imap/imap-connector.ts', 'electron')).toBe(true);
    expect(refused('src-main/connectors/imap/imap-connector.ts', '../connector.ts')).toBe(false);
    expect(refused('src-main/connectors/imap/imap-connector.ts', './parse-message.ts')).toBe(false);
    expect(refused('src-main/connectors/reconnect.ts', './imap/imap-connector.ts')).toBe(true);
  });

  it('gives SQLite to the store, the keychain to secrets and Electron to the shell', () => {
    expect(refused('src-main/hub/hub.ts', 'better-sqlite3')).toBe(true);
    expect(refused('src-main/store/inbox-store.ts', 'better-sqlite3')).toBe(false);
    expect(refused('src-main/hub/hub.ts', '@napi-rs/keyring/keytar.js')).toBe(true);
    expect(refused('src-main/secrets/secret-store.ts', '@napi-rs/keyring/keytar.js')).toBe(false);
    expect(refused('src-main/hub/hub.ts', 'electron')).toBe(true);
    expect(refused('src-main/electron/main.ts', 'electron')).toBe(false);
    expect(refused('tests/integration/x.test.ts', 'better-sqlite3')).toBe(true);
  });
});
