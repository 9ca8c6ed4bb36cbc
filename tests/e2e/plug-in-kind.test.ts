/**
 * A kind the renderer has no screen of its own for, in Debian's chromium against a hub that
 * registers the test-only notes kind (tests/support/kinds/notes): the Add account dialog lists it
 * from `kinds.list`, draws its form from its fields, puts the form's and the hub's refusals beside
 * the Folder field, adds it; its settings show its type and its changeable fields, saved with
 * `accounts.update`. Screenshots light, dark and 800×600 go to test-results/e2e.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountView } from '../../src-shared/domain.ts';
import { removeAllAccounts, runCli } from '../support/cli.ts';
import { tempProfile } from '../support/profile.ts';
import { startServe, type ServeProcess } from '../support/serve-process.ts';

const SHOTS = 'test-results/e2e';

describe('a plug-in kind in a browser', () => {
  const profile = tempProfile();
  const notes = mkdtempSync(join(tmpdir(), 'gs-notes-'));
  let serve: ServeProcess;
  let browser: Browser;
  let page: Page;

  const shot = (name: string) => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
  const shotThemesAndSmall = async (name: string): Promise<void> => {
    await page.emulateMedia({ colorScheme: 'light' });
    await shot(`${name}-light`);
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot(`${name}-dark`);
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 800, height: 600 });
    await shot(`${name}-800x600`);
    await page.setViewportSize({ width: 1360, height: 860 });
  };
  const sources = () => page.getByRole('navigation', { name: 'Sources' });
  const accountsFromHub = async () => JSON.parse((await runCli(['account', 'list', '--json', '--profile', profile.dir])).stdout) as AccountView[];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    writeFileSync(join(notes, 'Groceries.txt'), 'Milk, bread, coffee.');
    writeFileSync(join(notes, 'Ideas.txt'), 'A tray icon that shows the unread count.');
    serve = await startServe(profile.dir, 30_000, ['tests/support/serve-with-notes.ts', profile.dir]);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    page = await browser.newPage({ viewport: { width: 1360, height: 860 }, colorScheme: 'light' });
  });

  afterAll(async () => {
    await browser?.close();
    await removeAllAccounts(profile.dir);
    await serve?.stop();
    profile.remove();
    rmSync(notes, { recursive: true, force: true });
  });

  it('offers the kind the hub lists, with a form drawn from its fields, and refuses beside the field', async () => {
    await page.goto(serve.url);
    await sources().getByRole('button', { name: 'Add account' }).click();
    const add = page.getByRole('dialog', { name: 'Add account' });
    await add.getByRole('radio', { name: 'Notes folder' }).check();
    const folder = add.getByRole('textbox', { name: 'Folder' });
    await folder.waitFor();
    await add.getByRole('textbox', { name: 'Notes shown' }).waitFor();

    // Checked in the page: the hub is not asked about an empty required field.
    await add.getByRole('button', { name: 'Add account' }).click();
    await expect.poll(() => folder.getAttribute('aria-invalid')).toBe('true');
    expect(await add.innerText()).toContain('Enter the folder.');
    await shotThemesAndSmall('50-add-plug-in-kind-error');

    // The hub's answer: the kind checks that the folder exists.
    await folder.fill(join(notes, 'missing'));
    await add.getByRole('button', { name: 'Add account' }).click();
    await expect.poll(() => add.innerText(), { timeout: 10_000 }).toContain('is not a folder');
    expect(await folder.getAttribute('aria-invalid')).toBe('true');
    expect(await accountsFromHub()).toEqual([]);

    await folder.fill(notes);
    await add.getByRole('button', { name: 'Add account' }).click();
    await add.waitFor({ state: 'hidden', timeout: 20_000 });
    const inbox = page.getByRole('listbox', { name: 'Inbox' });
    await expect.poll(() => inbox.getByRole('option').count(), { timeout: 20_000 }).toBe(2);
    expect(await inbox.innerText()).toContain('Groceries');
  });

  it('shows its type and changeable fields in its settings, and saves a change through the hub', async () => {
    await sources().getByRole('button', { name: /^Account settings for / }).click();
    const settings = page.getByRole('dialog', { name: 'Account settings' });
    await settings.waitFor();
    expect(await settings.locator('.facts').innerText()).toMatch(/Type\s+Notes folder/);
    const section = settings.getByRole('region', { name: 'Notes folder' });
    expect(await section.getByRole('textbox', { name: 'Folder' }).inputValue()).toBe(notes);
    const shown = section.getByRole('textbox', { name: 'Notes shown' });
    expect(await shown.inputValue()).toBe('100');
    // Nothing to sign in again with: the kind keeps no secret.
    expect(await settings.getByRole('button', { name: 'Sign in again' }).count()).toBe(0);
    await shotThemesAndSmall('51-plug-in-kind-settings');

    await shown.fill('1');
    await section.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(async () => ((await accountsFromHub())[0]!.account.settings as { maxNotes: number }).maxNotes, { timeout: 10_000 }).toBe(1);
    await page.keyboard.press('Escape');
    await settings.waitFor({ state: 'hidden' });
  });
});
