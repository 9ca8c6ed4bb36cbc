/**
 * Search through the whole hub against real servers: IMAP mail found by who it went to, by its
 * sender's address and by having attachments (from the server's BODYSTRUCTURE, no download), the
 * CLI's count; and a Matrix message found on its own, whose room opens at it however far back it lies.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboxItem } from '../../src-shared/domain.ts';
import { runCli } from '../support/cli.ts';
import { startDovecot, type Dovecot, type DovecotUser } from '../support/dovecot.ts';
import { appendMessages, rfc822, type FixtureMessage } from '../support/mail-fixtures.ts';
import { AliceHub, eventually, startMatrixWorld, value, type MatrixWorld } from '../support/matrix-world.ts';
import { tempProfile } from '../support/profile.ts';

function message(n: number, parts: { from: string; to?: string; subject: string; content: string }): FixtureMessage {
  const date = new Date(Date.now() - (10 - n) * 3600_000);
  const messageId = `<find${n}@fixtures.test>`;
  return { kind: 'search', raw: rfc822({ ...parts, date, messageId }), date, flags: [], messageId, expect: { title: parts.subject, sender: parts.from } };
}

describe('search of IMAP mail through the hub and the CLI', () => {
  const user: DovecotUser = { user: 'gina', password: `s-${randomBytes(8).toString('hex')}` };
  const profile = tempProfile();
  let dovecot: Dovecot;
  let accountId = '';
  const cli = (...args: string[]) => runCli([...args, '--profile', profile.dir]);
  const found = async (query: string) => (JSON.parse((await cli('search', query, '--json')).stdout) as InboxItem[]).map((i) => i.title).sort();

  beforeAll(async () => {
    dovecot = await startDovecot({ users: [user] });
    await appendMessages(dovecot, user, [
      message(1, {
        from: 'Hana Ito <hana@example.test>',
        to: 'Bob Stone <bob@stone.test>',
        subject: 'Contract draft',
        content: [
          'Content-Type: multipart/mixed; boundary="m1"',
          '',
          '--m1',
          'Content-Type: text/plain; charset=utf-8',
          '',
          'The contract is attached.',
          '--m1',
          'Content-Type: application/pdf',
          'Content-Disposition: attachment; filename="contract.pdf"',
          'Content-Transfer-Encoding: base64',
          '',
          Buffer.from('%PDF-1.4 contract').toString('base64'),
          '--m1--',
          '',
        ].join('\n'),
      }),
      message(2, {
        from: 'Newsletter <news@letters.test>',
        subject: 'Our spring letter',
        content: [
          'Content-Type: multipart/related; boundary="r2"',
          '',
          '--r2',
          'Content-Type: text/html; charset=utf-8',
          '',
          '<p>Spring is here</p><img src="cid:logo">',
          '--r2',
          'Content-Type: image/png',
          'Content-ID: <logo>',
          'Content-Disposition: inline',
          'Content-Transfer-Encoding: base64',
          '',
          Buffer.from('not a png').toString('base64'),
          '--r2--',
          '',
        ].join('\n'),
      }),
      message(3, { from: 'Ivo Petrov <ivo@petrov.test>', to: 'Carla Diaz <carla@diaz.test>', subject: 'Lunch plans', content: 'Content-Type: text/plain\n\nNoon at the usual place?\n' }),
    ]);
    const add = await runCli(
      ['account', 'add', 'imap', '--name', 'Mail', '--host', '127.0.0.1', '--port', String(dovecot.port), '--security', 'plain', '--user', user.user, '--password-stdin', '--json', '--profile', profile.dir],
      { stdin: `${user.password}\n` },
    );
    expect(add.code, add.stderr).toBe(0);
    accountId = (JSON.parse(add.stdout) as { account: { id: string } }).account.id;
    expect((await cli('sync', '--once')).code).toBe(0);
  }, 60_000);

  afterAll(async () => {
    if (accountId) await cli('account', 'remove', accountId);
    await dovecot?.stop();
    profile.remove();
  });

  it('finds mail with attachments, and not mail whose only extra part is an inline logo', async () => {
    expect(await found('has:attachment')).toEqual(['Contract draft']);
  });

  it('finds mail by a recipient and by the sender’s address', async () => {
    expect(await found('to:bob')).toEqual(['Contract draft']);
    expect(await found('to:carla@diaz.test')).toEqual(['Lunch plans']);
    expect(await found('from:ivo@petrov.test')).toEqual(['Lunch plans']);
    expect(await found('from:letters')).toEqual(['Our spring letter']);
  });

  it('prints the count, and explains a wrong operator', async () => {
    const run = await cli('search', 'source:mail');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^3 matches:/);
    const json = await cli('search', 'source:mail', '--json');
    expect(json.stderr.trim()).toBe('3 matches.');
    const wrong = await cli('search', 'has:link');
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/has: only knows attachment/);
  });
});

describe('search of Matrix messages through the hub', () => {
  let world: MatrixWorld;
  let alice: AliceHub;

  beforeAll(async () => {
    world = await startMatrixWorld();
    alice = new AliceHub(world);
  });
  afterAll(async () => {
    await alice?.dispose();
    await world?.stop();
  });

  it('finds one message of a room, and opens the room at it after a restart, however far back it lies', async () => {
    await alice.signIn();
    alice.hub.startConnectors();
    const roomId = await world.bob.createRoom({ name: 'Harbour watch', preset: 'private_chat', invite: [world.aliceId()] });
    const invite = await alice.room(roomId, 'the invitation');
    await value(alice.hub.call('chat.respondToInvite', { itemId: invite.id, accept: true }));
    const pelican = await world.bob.sendText(roomId, 'A pelican landed on the pier this morning.');
    await eventually('the message indexed', async () => (await value(alice.hub.call('inbox.search', { text: 'pelican' }))).total === 1 || undefined);
    for (let n = 1; n <= 120; n++) await world.bob.sendText(roomId, `Tide report ${n}: calm.`);
    await eventually('the room up to date', async () => ((await alice.room(roomId)).snippet.includes('Tide report 120') ? true : undefined), 30_000);

    const results = await value(alice.hub.call('inbox.search', { text: 'pelic' }));
    expect(results.total).toBe(1);
    const [room] = results.items;
    expect(room).toMatchObject({ source: 'chat', title: 'Harbour watch', snippet: 'A pelican landed on the pier this morning.' });
    expect(results.hits[room!.id]).toMatchObject({ messageId: pelican, snippet: [[2, 7]] });

    // After a restart the room's timeline starts at its latest page; asking around the hit pages back to it.
    await alice.restart();
    await alice.room(roomId);
    const latest = await eventually('the latest page', async () => {
      const result = await alice.hub.call('chat.timeline', { itemId: room!.id });
      return result.ok ? result.value : undefined;
    }, 30_000);
    expect(latest.messages.some((m) => m.id === pelican)).toBe(false);
    const opened = await eventually('the timeline around the hit', async () => {
      const result = await alice.hub.call('chat.timeline', { itemId: room!.id, around: pelican });
      return result.ok ? result.value : undefined;
    }, 30_000);
    expect(opened.messages.some((m) => m.id === pelican)).toBe(true);
    // The search still finds it, from the store, after the restart.
    expect((await value(alice.hub.call('inbox.search', { text: 'pelican' }))).hits[room!.id]?.messageId).toBe(pelican);
  }, 120_000);
});
