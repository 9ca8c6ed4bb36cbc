/**
 * `groundswell` — the command-line client and the `serve` entry point.
 * Exit codes: 0 ok, 1 usage or user error, 2 connection or authentication problem.
 */
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import type { HubClient, CallName, CallParams } from '../../src-shared/api.ts';
import type { AccountView, InboxItem } from '../../src-shared/domain.ts';
import type { AppError } from '../../src-shared/result.ts';
import { unreadSummary } from '../../src-shared/unread-summary.ts';
import { Hub } from '../hub/hub.ts';
import type { HubOptions } from '../hub/hub.ts';
import { ProfileLockedError, resolveProfileDir, runningHub } from '../hub/profile.ts';
import { inProcessClient } from './in-process-client.ts';
import { accountChanges, accountInput, browserSignInFlagOf, kindFlags, kindUsage, stdinFlagsOf } from './kind-flags.ts';
import { addressesOf, composeNew, forwardByMail, MailCommandFailure, readAttachments, replyByMail } from './mail-commands.ts';
import { signInWithBrowser } from './browser-sign-in.ts';
import { runMailCommand } from './read-mail-commands.ts';
import { addMailByAddress, MAIL_FLAGS, MAIL_USAGE, mailSecretsOf, MailSetupFailure } from './mail-setup.ts';
import { openSystemBrowser, type BrowserOpener } from './open-browser.ts';
import { syncProgress } from './sync-progress.ts';
import { itemJson, parseView, runTriageCommand } from './triage-commands.ts';
import { ATTENTION_COMMANDS, ATTENTION_USAGE, runAttentionCommand } from './attention-commands.ts';

export const USAGE = `Usage: groundswell <command> [options]

Commands:
  serve [--port N]                      run the hub and the UI on 127.0.0.1 (prints the address)
  account add mail --email ADDR [--password-stdin] [--name N]
                   finds the IMAP and SMTP settings of ADDR (autoconfig), prints them and where they
                   came from, and adds the account (with the password), sending through the SMTP
                   server found (receive only, said so, where none is); --imap-host --imap-port
                   --imap-security --imap-user --smtp-host --smtp-port --smtp-security --smtp-user
                   --smtp-password-stdin --address --from-name override what was found
  account add imap --host H --port P --security tls|starttls|plain --user U --password-stdin
                   [--name N] [--window-days D] [--max-messages M] [--address A] [--from-name N]
                   [--smtp-host H --smtp-port P --smtp-security tls|starttls|plain]
                   [--smtp-user U --smtp-password-stdin]   (two secrets: one per line on stdin,
                   the IMAP password first)
  account add imap --oauth google|microsoft|PROVIDER --user ADDRESS [--host H …]
                                        sign in in the browser (OAuth2); the URL is printed
                                        where no browser can be opened
  account add matrix (--user @u:server | --homeserver URL --user U) --password-stdin [--name N]
  account add matrix --user @u:server --sso [--idp ID]   single sign-on in the browser
  account add feed --url URL [--name N] [--interval SECONDS] [--folder F]
                   [--alerts notify|badge|silent] [--keyword WORD]...
                   [--user U --password-stdin | --token-stdin]
  account add KIND --help               the flags of any kind this Groundswell knows
  account update ID [--name N] [...]    rename; the kind's own flags change its settings
                   (imap: --host --port --security --user --window-days --max-messages,
                   --address --from-name --smtp-host --smtp-port --smtp-security --smtp-user
                   --smtp-password-stdin (an empty line: back to the IMAP password),
                   feed: --interval --folder --alerts --keyword; checked with the server first)
  account list [--json]
  account remove ID
  sync --once [--account ID]            connect, catch up, exit
  inbox [--json] [--source mail|chat|feed] [--account ID] [--unread] [--limit N] [--after CURSOR]
        [--view inbox|snoozed|done|starred|all]   (default inbox: neither done nor snoozed)
                                        the newest N items (default 50, any number; read 500 at a time
                                        and printed as they come); when more remain, prints
                                        "next: CURSOR" on stderr, so stdout (and --json's array) stays
                                        only items: pass it as --after CURSOR for the next page
  inbox --counts [--json]               the unread totals (per source, priority apart): the same
                                        summary the sidebar, the window title, the tray and badge show
  read ID... | unread ID...             mark items read or unread (also on the server)
  read --all [--source S] [--account ID]   mark every unread item of the Inbox read
  done ID... | undone ID...             mark done (mail moves to the archive mailbox) or back to the Inbox
  star ID... | unstar ID...             star (mail: \\Flagged) or unstar
  snooze ID... (--until ISO-8601 | --for 2h|30m|1d)   hide until then; back unread, with a notification
  unsnooze ID...                        bring snoozed items back now
  delete ID... [--yes]                  mail moves to the trash; deleting there again removes it
                                        for good and needs --yes
  spam ID...                            mail moves to the junk mailbox
  undo                                  reverse the last of these actions, on the server too
  search QUERY [--json] [--limit N] [--newest]   at most N matches (1 to 500), best first (by source)
                                        or newest first; QUERY takes the search box's syntax:
                                        "a phrase", from: to: in: source: is: has:attachment
                                        before: after: (2026-03-01, 7d), and -word after \`--\`
  show ID [--json]                      a mail's headers, text and attachment list (not marked read)
  attachments ID [--json]               the attachments of a mail: number, name, type, size
  attachment save ID INDEX --out FILE   fetch attachment INDEX (from 1) from the server and write it
                                        to FILE (or into the folder FILE under its own name); an
                                        existing file is never overwritten
  send ROOM_ID --text-stdin [--account ID]   post a message to a Matrix room (markdown allowed)
  reply ID --text-stdin [--all]         a mail item: reply by mail (--all: reply all), the original
                                        quoted; a chat item: answer the newest message from someone else
  forward ID --to ADDR[,ADDR] --text-stdin [--attach FILE]...   forward a mail item, quoted below
  compose --account ID --to ADDR --subject S --text-stdin [--attach FILE]...   a new mail message
                                        (mail text is markdown; it also becomes the HTML part)
  feeds import-opml FILE                follow every feed in an OPML file (folders kept)
  feeds export-opml [FILE]              write the followed feeds as OPML (to stdout without FILE)
  preferences [--json]                  print the preferences
  preferences set NAME JSON             change one, e.g. preferences set oauthProviders
                                        '[{"id":"google","clientId":"…","clientSecret":"…"}]'
${ATTENTION_USAGE}

Every command takes --profile DIR (default: $GROUNDSWELL_PROFILE, else the OS app-data folder).`;

/** The flags every command shares; `account add` and `account update` add their kind's own (kind-flags.ts). */
const OPTIONS = {
  profile: { type: 'string' },
  port: { type: 'string' },
  name: { type: 'string' },
  'text-stdin': { type: 'boolean' },
  json: { type: 'boolean' },
  once: { type: 'boolean' },
  account: { type: 'string' },
  source: { type: 'string' },
  unread: { type: 'boolean' },
  limit: { type: 'string' },
  after: { type: 'string' },
  view: { type: 'string' },
  until: { type: 'string' },
  for: { type: 'string' },
  all: { type: 'boolean' },
  to: { type: 'string', multiple: true },
  subject: { type: 'string' },
  attach: { type: 'string', multiple: true },
  newest: { type: 'boolean' },
  counts: { type: 'boolean' },
  yes: { type: 'boolean' },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];
/** The kind's own flags, as parsed for `account add` / `account update`. */
type KindValues = Record<string, string | boolean | string[] | undefined>;

class UsageError extends Error {}

/** An error already worded for the user, with the exit code it deserves. */
class CliFailure extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number) {
    super(message);
    this.exitCode = exitCode;
  }
}

export interface CliOptions {
  /** The account kinds of an in-process hub (tests register their own); a running hub uses its own. */
  kinds?: HubOptions['kinds'];
  /** How a sign-in's page is opened; the system browser unless given. */
  openBrowser?: BrowserOpener;
  /** Ends a long-running command (`watch`) as Ctrl+C would (tests). */
  stop?: Promise<void>;
}

export async function main(
  argv: string[],
  io = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin },
  options: CliOptions = {},
): Promise<number> {
  // `account add KIND` and `account update ID` take their kind's flags, known only once the hub says which kinds
  // it has; everything else is parsed strictly here.
  const first = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: false });
  const [firstCommand, firstSub] = first.positionals;
  const kindCommand = firstCommand === 'account' && (firstSub === 'add' || firstSub === 'update');
  // watch, rules, quiet, pause and why parse their own flags (attention-commands.ts).
  const attentionCommand = firstCommand !== undefined && ATTENTION_COMMANDS.has(firstCommand);
  let values: Values;
  let positionals: string[];
  try {
    if (kindCommand || attentionCommand) ({ values, positionals } = { values: first.values as Values, positionals: first.positionals });
    else ({ values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true }));
  } catch (error) {
    io.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
    return 1;
  }
  const [command, ...rest] = positionals;
  if ((values.help && !kindCommand) || command === undefined || command === 'help') {
    io.stdout.write(USAGE + '\n');
    return command === undefined && !values.help ? 1 : 0;
  }
  const profileDir = resolveProfileDir(typeof values.profile === 'string' ? values.profile : undefined);
  try {
    if (command === 'serve') return await serve(profileDir, values, io.stdout);
    if (kindCommand) return await withClient(profileDir, options, (client) => accountWithKind(client, argv, io, options.openBrowser ?? openSystemBrowser), io.stderr);
    if (attentionCommand) {
      return await runAttentionCommand(argv, {
        profileDir,
        ...(options.kinds ? { kinds: options.kinds } : {}),
        out: io.stdout,
        err: io.stderr,
        usage: (message) => new UsageError(message),
        failure: (message, exitCode) => new CliFailure(message, exitCode),
        caller: callerOf,
        withClient: (work) => withClient(profileDir, options, work, io.stderr),
        ...(options.stop ? { stop: options.stop } : {}),
      });
    }
    const textOnStdin = (command === 'send' || command === 'reply' || command === 'forward' || command === 'compose') && values['text-stdin'];
    const input = textOnStdin ? await readStdin(io.stdin) : undefined;
    return await withClient(profileDir, options, (client) => run(client, command, rest, values, input, io.stdout, io.stderr), io.stderr);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`${error.message}\n\n${USAGE}\n`);
      return 1;
    }
    if (error instanceof CliFailure || error instanceof MailCommandFailure) {
      io.stderr.write(`groundswell: ${error.message}\n`);
      return error.exitCode;
    }
    if (error instanceof ProfileLockedError) {
      io.stderr.write(`groundswell: ${error.message}\n`);
      return 1;
    }
    io.stderr.write(`groundswell: ${(error as Error).message}\n`);
    return 1;
  }
}

/** `account add KIND …` and `account update ID …`, with the flags of that kind. */
async function accountWithKind(
  client: HubClient, argv: string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream; stdin: NodeJS.ReadableStream }, openBrowser: BrowserOpener,
): Promise<number> {
  const call = callerOf(client);
  const kinds = await call('kinds.list', {});
  const [, sub, target] = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: false }).positionals;
  const print = (text: string) => io.stdout.write(text + '\n');
  if (sub === 'add' && target === 'mail' && !kinds.some((k) => k.kind === 'mail')) {
    const { values } = strictParse(argv, MAIL_FLAGS);
    if (values['help']) {
      print(MAIL_USAGE);
      return 0;
    }
    // Without a password the settings are still looked up and printed; adding needs one (or OAuth2).
    const stdinText = values['password-stdin'] === true || values['smtp-password-stdin'] === true ? await readStdin(io.stdin) : undefined;
    try {
      // With --json, stdout is only the account; what was found goes to stderr.
      const report = values['json'] ? (line: string) => io.stderr.write(line + '\n') : print;
      const { password, smtpPassword } = mailSecretsOf(values, stdinText);
      const view = await addMailByAddress(call, values, password, report, (kind, input) => signInWithBrowser(call, kind, input, openBrowser, io.stderr), smtpPassword);
      if (values['json']) print(JSON.stringify(view, null, 2));
      else print(`Added ${view.account.displayName} (${view.account.id}): ${view.summary}.`);
    } catch (error) {
      if (error instanceof MailSetupFailure) throw new CliFailure(error.message, 1);
      throw error;
    }
    return 0;
  }
  if (sub === 'add') {
    const kind = kinds.find((k) => k.kind === target);
    if (!kind) throw new UsageError(`account add takes mail (by address), ${kinds.map((k) => k.kind).join(', ')}.`);
    const { values } = strictParse(argv, kindFlags(kind, false));
    if (values['help']) {
      print(kindUsage(kind));
      return 0;
    }
    const secrets = stdinFlagsOf(kind, values);
    const browser = browserSignInFlagOf(kind, values);
    if (browser) {
      if (secrets.length > 0) throw new UsageError(`--${browser.flag} signs in in the browser: give no --${secrets[0]!.flag}-stdin with it.`);
      const input = accountInput(kind, values, undefined);
      const signInId = await signInWithBrowser(call, kind.kind, input, openBrowser, io.stderr);
      const view = await call('accounts.add', { kind: kind.kind, input: { ...input, signInId } });
      if (values['json']) print(JSON.stringify(view, null, 2));
      else print(`Added ${view.account.displayName} (${view.account.id}): ${view.summary}.`);
      return 0;
    }
    const missing = kind.fields.find((f) => f.type === 'secret' && f.required && secrets.length === 0);
    if (missing) throw new UsageError(`Pass the ${missing.label.toLowerCase()} on standard input with --${missing.flag}-stdin (it never goes on the command line).`);
    const stdinText = secrets.length > 0 ? await readStdin(io.stdin) : undefined;
    const view = await call('accounts.add', { kind: kind.kind, input: accountInput(kind, values, stdinText) });
    if (values['json']) print(JSON.stringify(view, null, 2));
    else print(`Added ${view.account.displayName} (${view.account.id}): ${view.summary}.`);
    return 0;
  }
  if (!target) throw new UsageError('account update needs the account id (see `groundswell account list`).');
  const accounts = await call('accounts.list', {});
  const view = accounts.find((a) => a.account.id === target);
  if (!view) throw new CliFailure(`No account has the id ${target}; see \`groundswell account list\`.`, 1);
  const kind = kinds.find((k) => k.kind === view.account.kind);
  const { values } = strictParse(argv, kind ? kindFlags(kind, true) : {});
  const stdinText = kind && stdinFlagsOf(kind, values).length > 0 ? await readStdin(io.stdin) : undefined;
  const changes = accountChanges(kind, values, stdinText);
  if (Object.keys(changes).length === 0) throw new UsageError('account update needs something to change: --name, or one of the kind\'s flags (see `account add KIND --help`).');
  const updated = await call('accounts.update', { accountId: target, changes });
  if (values['json']) print(JSON.stringify(updated, null, 2));
  else print(`Updated ${updated.account.displayName} (${updated.account.id}): ${updated.summary}.`);
  return 0;
}

function strictParse(argv: string[], extra: NonNullable<ParseArgsConfig['options']>): { values: KindValues } {
  try {
    return { values: parseArgs({ args: argv, options: { ...OPTIONS, ...extra }, allowPositionals: true, strict: true }).values as KindValues };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function callerOf(client: HubClient) {
  return async <C extends CallName>(name: C, params: CallParams<C>) => {
    const result = await client.call(name, params);
    if (!result.ok) throw new CliFailure(result.error.message, exitCodeFor(result.error));
    return result.value;
  };
}

async function withClient(profileDir: string, options: CliOptions, work: (client: HubClient) => Promise<number>, stderr: NodeJS.WritableStream): Promise<number> {
  const running = runningHub(profileDir);
  if (running?.endpoint) {
    const { connectRemote } = await import('./hub-clients.ts');
    const remote = await connectRemote(running.endpoint.port, running.endpoint.token).catch(() => {
      throw new CliFailure(`A Groundswell hub (process ${running.pid}) holds this profile but does not answer. Quit it and try again.`, 2);
    });
    try {
      return await work(remote);
    } finally {
      remote.close();
    }
  }
  // A command's hub lives for one command: search indexes what it needs when it runs (catchUpSearchIndex).
  const hub = Hub.open({ profileDir, searchIndexInBackground: false, ...(options.kinds ? { kinds: options.kinds } : {}) });
  // Only the open that found the damage has a notice, so each is printed once.
  for (const notice of hub.notices) stderr.write(`groundswell: ${notice.message}\n`);
  try {
    return await work(inProcessClient(hub));
  } finally {
    await hub.dispose();
  }
}

async function run(
  client: HubClient, command: string, rest: string[], values: Values, stdinText: string | undefined, out: NodeJS.WritableStream, err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  const call = callerOf(client);
  const print = (text: string) => out.write(text + '\n');
  const printJson = (value: unknown) => out.write(JSON.stringify(value, null, 2) + '\n');

  switch (command) {
    case 'account': {
      const [sub, arg] = rest;
      if (sub === 'list') {
        const accounts = await call('accounts.list', {});
        if (values.json) printJson(accounts);
        else if (accounts.length === 0) print('No accounts yet. Add one with: groundswell account add mail --email ADDR --password-stdin (or imap, matrix, feed: see --help).');
        else for (const view of accounts) print(formatAccount(view));
        return 0;
      }
      if (sub === 'remove') {
        if (!arg) throw new UsageError('account remove needs the account id (see `groundswell account list`).');
        await call('accounts.remove', { accountId: arg });
        print(`Removed account ${arg}.`);
        return 0;
      }
      throw new UsageError(`Unknown account command ${JSON.stringify(sub ?? '')}.`);
    }
    case 'sync': {
      if (!values.once) throw new UsageError('sync needs --once (the live sync runs inside `groundswell serve` or the app).');
      const params = values.account ? { accountId: values.account } : {};
      // A long first sync shows how far it is, on a terminal only (a pipe gets the result alone).
      const progress = (err as NodeJS.WriteStream).isTTY ? syncProgress(client, call, err as NodeJS.WriteStream) : undefined;
      let result: { accounts: number };
      try {
        result = await call('sync.once', params);
      } finally {
        progress?.stop();
      }
      const counts = await call('inbox.counts', {});
      if (values.json) printJson({ ...result, unread: counts.all });
      else print(`Synced ${result.accounts} account(s); ${counts.all} unread.`);
      return 0;
    }
    case 'inbox': {
      if (values.counts) {
        const summary = unreadSummary(await call('inbox.counts', {}));
        if (values.json) printJson(summary);
        else print([summary.headline, ...summary.sources.map((line) => `  ${line.text}`)].join('\n'));
        return 0;
      }
      const source = values.source;
      if (source !== undefined && source !== 'mail' && source !== 'chat' && source !== 'feed') {
        throw new UsageError('--source takes mail, chat or feed.');
      }
      const wanted = parseLimit(values.limit, Infinity);
      const filter: CallParams<'inbox.list'> = {
        ...(source ? { source } : {}),
        ...(values.account ? { accountId: values.account } : {}),
        ...(values.unread ? { unreadOnly: true } : {}),
        ...(values.view !== undefined ? { view: parseView(values.view, (message) => new UsageError(message)) } : {}),
      };
      // Page by page, each printed before the next is asked for: any --limit costs one page of memory.
      const list = values.json ? jsonArrayWriter() : undefined;
      let after = values.after;
      let shown = 0;
      let next: string | undefined;
      do {
        const page = await call('inbox.list', { ...filter, limit: Math.min(INBOX_PAGE, wanted - shown), ...(after !== undefined ? { after } : {}) });
        const text = list ? list.items(page.items.map(itemJson)) : page.items.map((item) => formatItem(item) + '\n').join('');
        if (!out.write(text)) await once(out, 'drain');
        shown += page.items.length;
        next = after = page.next;
        if (page.items.length === 0) break;
      } while (next !== undefined && shown < wanted);
      if (list) out.write(list.end());
      else if (shown === 0) print(values.after === undefined ? 'The inbox is empty.' : 'Nothing after that cursor.');
      if (next !== undefined) err.write(`next: ${next}\n`);
      return 0;
    }
    case 'read':
    case 'unread':
    case 'done':
    case 'undone':
    case 'star':
    case 'unstar':
    case 'snooze':
    case 'unsnooze':
    case 'delete':
    case 'spam':
    case 'undo':
      return runTriageCommand(call, command, rest, values, print, (message) => new UsageError(message));
    case 'send':
    case 'reply': {
      const [target] = rest;
      if (!target) throw new UsageError(command === 'send' ? 'send needs a room id (!abc:example.org).' : 'reply needs an item id (see `groundswell inbox --source chat`).');
      if (!values['text-stdin'] || stdinText === undefined) throw new UsageError(`Pass the message on standard input with --text-stdin.`);
      const text = stdinText.replace(/\r?\n$/, '');
      if (command === 'send') {
        await call('chat.send', { roomId: target, text, waitForDelivery: true, ...(values.account ? { accountId: values.account } : {}) });
      } else if ((await call('accounts.list', {})).some((a) => a.account.source === 'mail' && target.startsWith(`${a.account.id}:`))) {
        return await replyByMail(call, target, values.all === true, text, print, values.json === true);
      } else {
        const { messages } = await call('chat.timeline', { itemId: target });
        // The newest message someone else wrote: what "reply" answers.
        const parent = [...messages].reverse().find((m) => !m.mine && m.sendState === undefined && m.kind !== 'membership');
        if (!parent) throw new CliFailure('Nobody else has written in that room yet; use `send` instead.', 1);
        await call('chat.send', { itemId: target, text, replyToId: parent.id, waitForDelivery: true });
      }
      print('Sent.');
      return 0;
    }
    case 'show':
    case 'attachments':
    case 'attachment':
      return runMailCommand(call, command, rest, values, print, (message) => new UsageError(message), (message) => new CliFailure(message, 1));
    case 'forward':
    case 'compose': {
      if (!values['text-stdin'] || stdinText === undefined) throw new UsageError('Pass the message on standard input with --text-stdin.');
      const text = stdinText.replace(/\r?\n$/, '');
      const to = addressesOf(values.to);
      if (to.length === 0) throw new UsageError(`${command} needs --to ADDR (several: --to a@example.com,b@example.com).`);
      const attachments = await readAttachments(values.attach);
      if (command === 'forward') {
        const [target] = rest;
        if (!target) throw new UsageError('forward needs a mail item id (see `groundswell inbox --source mail`).');
        return await forwardByMail(call, target, to, text, attachments, print, values.json === true);
      }
      if (!values.account) throw new UsageError('compose needs --account ID (see `groundswell account list`).');
      if (values.subject === undefined) throw new UsageError('compose needs --subject S.');
      return await composeNew(call, { accountId: values.account, to, subject: values.subject, text, attachments }, print, values.json === true);
    }
    case 'search': {
      const text = rest.join(' ').trim();
      if (!text) throw new UsageError('search needs the words to look for.');
      const page = await call('inbox.search', { text, limit: parseLimit(values.limit, INBOX_PAGE), order: values.newest ? 'newest' : 'best' });
      const count = `${page.totalCapped ? 'More than ' : ''}${page.total} ${page.total === 1 ? 'match' : 'matches'}`;
      if (page.stillIndexing !== undefined) err.write(`Still indexing ${page.stillIndexing} items for search; run the search again in a moment to see them all.\n`);
      // --json keeps stdout the list of items; the count goes beside it, to stderr.
      if (values.json) {
        printJson(page.items.map(itemJson));
        err.write(`${count}.\n`);
      } else if (page.items.length === 0) print('Nothing matches.');
      else {
        print(page.items.length < page.total ? `${count}, the first ${page.items.length} shown:` : `${count}:`);
        for (const item of page.items) print(formatItem(item));
      }
      return 0;
    }
    case 'feeds': {
      const [sub, file] = rest;
      if (sub === 'import-opml') {
        if (!file) throw new UsageError('feeds import-opml needs the OPML file.');
        const opml = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
          throw new CliFailure(`Could not read ${file}: ${error.code === 'ENOENT' ? 'no such file' : error.message}.`, 1);
        });
        const result = await call('feeds.importOpml', { opml });
        if (values.json) printJson(result);
        else {
          print(`Imported ${result.added} feed(s).`);
          for (const skip of result.skipped) print(`Skipped ${skip.url}: ${skip.reason}`);
        }
        return 0;
      }
      if (sub === 'export-opml') {
        const { opml } = await call('feeds.exportOpml', {});
        if (file) {
          await writeFile(file, opml);
          print(`Wrote ${file}.`);
        } else out.write(opml.endsWith('\n') ? opml : `${opml}\n`);
        return 0;
      }
      throw new UsageError('feeds takes import-opml FILE or export-opml [FILE].');
    }
    case 'preferences': {
      const [sub, name, json] = rest;
      if (sub === undefined) {
        const preferences = await call('preferences.get', {});
        if (values.json) printJson(preferences);
        else for (const [key, value] of Object.entries(preferences)) print(`${key} = ${JSON.stringify(value)}`);
        return 0;
      }
      if (sub !== 'set' || !name || json === undefined) throw new UsageError('preferences takes no argument (print them) or set NAME JSON.');
      let value: unknown;
      try {
        value = JSON.parse(json);
      } catch {
        throw new UsageError(`The value of ${name} must be JSON (a string in quotes, true/false, a number, a list or an object).`);
      }
      const next = await call('preferences.set', { changes: { [name]: value } });
      print(`${name} = ${JSON.stringify(next[name as keyof typeof next])}`);
      return 0;
    }
    default:
      throw new UsageError(`Unknown command ${JSON.stringify(command)}.`);
  }
}

async function serve(profileDir: string, values: Values, out: NodeJS.WritableStream): Promise<number> {
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port takes a number from 0 to 65535.');
  const { startServer } = await import('../server/serve.ts');
  const hub = Hub.open({ profileDir });
  for (const notice of hub.notices) out.write(`${notice.message}\n`);
  const uiDir = fileURLToPath(new URL('../../dist/renderer/', import.meta.url));
  let server;
  try {
    server = await startServer({ hub, port, uiDir });
  } catch (error) {
    await hub.dispose();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new CliFailure(`Port ${port} is already in use; pick another with --port, or leave it out for a free one.`, 1);
    throw error;
  }
  hub.lockHandle.advertise({ port: server.port, token: server.token });
  hub.startConnectors();
  out.write(`Groundswell is running at ${server.url}\n(profile: ${profileDir}; press Ctrl+C to stop)\n`);
  await new Promise<void>((resolve) => {
    // A signal often arrives twice (from the terminal's process group and from a parent that
    // forwards it); the second must not kill us halfway through closing the store.
    const stop = () => resolve();
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await server.close();
  await hub.dispose();
  return 0;
}

/** The most inbox.list and inbox.search return at once. */
const INBOX_PAGE = 500;

function parseLimit(raw: string | undefined, max: number): number {
  if (raw === undefined) return 50;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1 || n > max) {
    throw new UsageError(max === Infinity ? '--limit takes a whole number from 1 up.' : `--limit takes a number from 1 to ${max}.`);
  }
  return n;
}

/**
 * A JSON array written as its items arrive, byte for byte what JSON.stringify(all, null, 2) would
 * print, without holding all of them.
 */
function jsonArrayWriter(): { items(items: unknown[]): string; end(): string } {
  let count = 0;
  return {
    items(items) {
      let text = '';
      for (const item of items) text += `${count++ === 0 ? '[\n' : ',\n'}  ${JSON.stringify(item, null, 2).replace(/\n/g, '\n  ')}`;
      return text;
    },
    end: () => (count === 0 ? '[]\n' : '\n]\n'),
  };
}

function exitCodeFor(error: AppError): number {
  return error.code === 'auth-failed' || error.code === 'connection-failed' || error.code === 'keychain-unavailable' ? 2 : 1;
}

function formatAccount(view: AccountView): string {
  const { account, status, unread } = view;
  return `${account.id}  ${account.kind.padEnd(6)}  ${account.displayName}  (${view.summary})  ${unread} unread  [${status.state}]`;
}

function formatItem(item: InboxItem): string {
  const when = new Date(item.timestamp).toISOString().slice(0, 16).replace('T', ' ');
  const marks = `${item.starred ? '★' : ' '}${item.pending ? '⟳' : ' '}`;
  return `${item.unread ? '●' : ' '}${marks} ${when}  ${item.source.padEnd(4)}  ${truncate(item.sender, 24).padEnd(24)}  ${truncate(item.title, 60)}  ${item.id}`;
}

function truncate(text: string, max: number): string {
  return text.length > max ? text.slice(0, max - 1) + '…' : text;
}

async function readStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}
