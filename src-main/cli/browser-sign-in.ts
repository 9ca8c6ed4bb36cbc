/**
 * A sign-in in the system browser from the command line (OAuth2 for mail, Matrix single sign-on):
 * the hub starts it and listens on 127.0.0.1; this opens the page, or prints its address where no
 * browser can be opened, and waits for the browser to come back. `account add mail --email` (mail
 * autoconfig) calls it too when the provider's settings say OAuth2.
 */
import type { CallName, CallParams, HubCalls } from '../../src-shared/api.ts';
import type { BrowserOpener } from './open-browser.ts';

/** Calls the hub and throws the failure as the CLI reports it. */
export type HubCaller = <C extends CallName>(name: C, params: CallParams<C>) => Promise<HubCalls[C]['result']>;

/**
 * Starts the sign-in for an account of `kind` (`input` names the provider: `oauthProvider` for
 * mail, or just `host`, the mail server autoconfig found, whose provider is then looked up;
 * `identityProvider` for Matrix), and resolves with the sign-in's id once it is complete: pass it
 * as `signInId` in the `accounts.add` input, e.g. `{ ...found.input, signInId }` with no password.
 */
export async function signInWithBrowser(
  call: HubCaller, kind: string, input: Record<string, unknown>, openBrowser: BrowserOpener, stderr: NodeJS.WritableStream,
): Promise<string> {
  const { signInId, url } = await call('signIn.start', { kind, input });
  const opened = await openBrowser(url).catch(() => false);
  stderr.write(
    opened
      ? `Sign in in the browser window that just opened. If none did, open this address:\n${url}\n`
      : `Open this address in a browser to sign in (Groundswell waits up to 10 minutes):\n${url}\n`,
  );
  // Ctrl+C ends the wait: the hub stops listening and says so, instead of leaving the listener behind.
  const cancel = () => void call('signIn.cancel', { signInId }).catch(() => undefined);
  process.once('SIGINT', cancel);
  try {
    await call('signIn.wait', { signInId });
  } finally {
    process.off('SIGINT', cancel);
  }
  stderr.write('Signed in; checking with the server…\n');
  return signInId;
}
