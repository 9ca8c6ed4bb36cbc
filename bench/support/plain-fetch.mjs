// The reference for the cli-sync bench, as a user could write it in ten lines: start Node, connect,
// log in, select INBOX, one FETCH of every message's envelope and flags, log out, exit.
import { ImapFlow } from 'imapflow';

const [host, port, user, pass, count] = process.argv.slice(2);
const client = new ImapFlow({ host, port: Number(port), secure: false, doSTARTTLS: false, auth: { user, pass }, logger: false });
client.on('error', () => {});
await client.connect();
await client.mailboxOpen('INBOX');
const messages = await client.fetchAll('1:*', { envelope: true, flags: true, internalDate: true, uid: true });
await client.logout();
if (messages.length !== Number(count)) {
  console.error(`plain fetch saw ${messages.length} of ${count} messages`);
  process.exit(1);
}
