/**
 * `sync --once` on a terminal shows how far each account's first sync is, on stderr, rewritten in
 * place ("Mail: 300 of 300 messages"), and clears the line at the end; through a pipe it prints only
 * the result. The terminal is a real pseudo-terminal (util-linux's `script`).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { startDovecot, type Dovecot, type DovecotUser } from '../support/dovecot.ts';
import { appendMessages, realisticMessages } from '../support/mail-fixtures.ts';
import { tempProfile } from '../support/profile.ts';

function inTerminal(command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', () => resolve(output));
  });
}

describe('sync --once progress', () => {
  const user: DovecotUser = { user: 'gail', password: `tty-${randomBytes(8).toString('hex')}` };
  const profile = tempProfile();
  let dovecot: Dovecot;
  let accountId = '';
  const cli = (args: string[], stdin?: string) => runCli([...args, '--profile', profile.dir], stdin === undefined ? {} : { stdin });

  beforeAll(async () => {
    dovecot = await startDovecot({ users: [user] });
    await appendMessages(dovecot, user, realisticMessages(300, new Date()));
    const added = await cli(['account', 'add', 'imap', '--name', 'Mail', '--host', '127.0.0.1', '--port', String(dovecot.port), '--security', 'plain', '--user', user.user, '--password-stdin', '--json'], `${user.password}\n`);
    expect(added.stderr).toBe('');
    accountId = (JSON.parse(added.stdout) as { account: { id: string } }).account.id;
  }, 60_000);

  afterAll(async () => {
    if (accountId) await cli(['account', 'remove', accountId]);
    await dovecot?.stop();
    profile.remove();
  });

  it('draws a progress line on a terminal and clears it, and prints nothing of it through a pipe', async () => {
    const output = await inTerminal(`${process.execPath} bin/groundswell.js sync --once --profile ${profile.dir}`);
    expect(output).toContain('\r\x1b[KMail: 0 of 300 messages');
    expect(output).toContain('\r\x1b[KMail: 300 of 300 messages');
    // The line is cleared before the result is printed.
    const cleared = output.lastIndexOf('\r\x1b[K');
    expect(output.slice(cleared + 4)).toMatch(/^\s*Synced 1 account\(s\); \d+ unread\./);
    const piped = await cli(['sync', '--once']);
    expect(piped.code).toBe(0);
    expect(piped.stderr).toBe('');
    expect(piped.stdout).toContain('Synced 1 account(s)');
  });
});
