/**
 * The Electron shell: one window, the hub in a utility process of its own (src-main/hub-process),
 * the contract relayed between them over IPC, a tray and a badge. Kept thin on purpose: what to
 * serve, where the page may go, which permissions it gets, what the tray and badge show, when a
 * notification is raised or replaced and what closing the window does are decided in the plain
 * modules beside it.
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, nativeImage, Notification, protocol, session, shell, Tray, utilityProcess } from 'electron';
import type { IpcMainInvokeEvent, MenuItemConstructorOptions } from 'electron';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL, isCallName } from '../../src-shared/api.ts';
import type { HubEvents } from '../../src-shared/api.ts';
import { fail } from '../../src-shared/result.ts';
import { resolveProfileDir } from '../common/profile-dir.ts';
import { hubProcessArgs } from '../hub-process/protocol.ts';
import { HubSupervisor } from '../hub-process/supervisor.ts';
import { HUB_ENV, HUB_EXEC_ARGV } from '../hub-process/memory-settings.ts';
import { APP_INDEX_URL, APP_SCHEME, isAppPage, resolveAppRequest } from './app-protocol.ts';
import { saveDialogFor, windowOpenAction } from './downloads.ts';
import type { AttentionSettings, RaisedNotification } from '../../src-shared/attention.ts';
import { DEFAULT_PREFERENCES, type Preferences } from '../../src-shared/preferences.ts';
import { unreadSummary, type UnreadSummary } from '../../src-shared/unread-summary.ts';
import type { UnreadCounts } from '../../src-shared/api.ts';
import { APP_ID } from './app-identity.ts';
import { showBadge } from './badge.ts';
import { encodePng, overlayIconPixels, trayIconPixels } from './count-icon.ts';
import { autostartEntry, loginItemSettings, onWindowClose, showWindowAtStart } from './desktop-lifecycle.ts';
import { NotificationPresenter } from './notification-presenter.ts';
import { nextTrayRefresh, trayModel, type TrayAction, type TrayMenuItem } from './tray-model.ts';
import { allowPermission, decideFrameNavigation, decideNavigation, opensInBrowser, WINDOW_CONTENT_SECURITY_POLICY } from './window-policy.ts';
import { loadWindowState, saveWindowState } from './window-state.ts';

const profileFlag = process.argv.find((arg) => arg.startsWith('--profile='))?.slice('--profile='.length);
const profileDir = resolveProfileDir(profileFlag);
app.setPath('userData', profileDir);
// Windows shows notifications only for the AppUserModelId its Start-menu shortcut carries.
if (process.platform === 'win32') app.setAppUserModelId(APP_ID);

// Before 'ready': a standard scheme has an origin and relative URLs, a secure one counts as https.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let window: BrowserWindow | undefined;
  let supervisor: HubSupervisor | undefined;
  let serviceEverRan = false;
  let tray: Tray | undefined;
  let quitting = false;
  let preferences: Preferences = { ...DEFAULT_PREFERENCES };
  let attention: AttentionSettings | null = null;
  let summary: UnreadSummary = unreadSummary(null);
  let trayTimer: NodeJS.Timeout | undefined;
  let countsAsked = false;
  const rendererDir = join(__dirname, '..', 'renderer');

  app.on('second-instance', () => bringWindowForward());
  // macOS: a click on the dock icon brings back a window hidden to the tray.
  app.on('activate', () => bringWindowForward());

  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(({ url }) => {
      const action = windowOpenAction(url, opensInBrowser);
      if (action === 'browser') void shell.openExternal(url);
      if (action === 'download') contents.downloadURL(url);
      return { action: 'deny' };
    });
    const guard = (details: { url: string; preventDefault(): void }) => {
      const decision = decideNavigation(details.url);
      if (decision.allow) return;
      details.preventDefault();
      if (decision.openInBrowser) void shell.openExternal(decision.openInBrowser);
    };
    contents.on('will-navigate', guard);
    contents.on('will-redirect', guard);
    // The main frame's navigations already went through will-navigate; this catches subframes.
    contents.on('will-frame-navigate', (details) => {
      if (details.isMainFrame) return;
      const decision = decideFrameNavigation(details.url);
      if (decision.allow) return;
      details.preventDefault();
      if (decision.openInBrowser) void shell.openExternal(decision.openInBrowser);
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });

  const notifications = new NotificationPresenter({
    supported: () => Notification.isSupported(),
    windowFocused: () => window?.isFocused() ?? false,
    show: (content, handlers) => {
      const notification = new Notification({ title: content.title, body: content.body, silent: content.silent });
      notification.on('click', handlers.clicked);
      notification.on('close', handlers.closed);
      notification.show();
      return { close: () => notification.close() };
    },
    openItem: (itemId) => {
      bringWindowForward();
      window?.webContents.send(IPC_EVENT_CHANNEL, 'window.openItem', { itemId });
    },
  });

  app.whenReady().then(() => {
    protocol.handle(APP_SCHEME, async (request) => {
      const found = resolveAppRequest(rendererDir, request.url, request.method);
      if (!found.ok) return new Response(found.message, { status: found.status, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
      return new Response(request.method === 'HEAD' ? null : await readFile(found.file), {
        headers: { 'Content-Type': found.contentType, 'Content-Security-Policy': WINDOW_CONTENT_SECURITY_POLICY, 'X-Content-Type-Options': 'nosniff' },
      });
    });
    // An attachment saved from the reading pane: always through a save dialog, never opened.
    session.defaultSession.on('will-download', (_event, item) => item.setSaveDialogOptions(saveDialogFor(item.getFilename(), app.getPath('downloads'))));
    session.defaultSession.setPermissionRequestHandler((_contents, permission, callback, details) => callback(allowPermission(permission, details.requestingUrl)));
    session.defaultSession.setPermissionCheckHandler((_contents, permission, requestingOrigin) => allowPermission(permission, requestingOrigin));

    const hub = new HubSupervisor({
      fork: (modulePath, args) =>
        utilityProcess.fork(modulePath, args, {
          serviceName: 'Groundswell hub',
          stdio: 'inherit',
          // The hub runs for as long as the app: a small young generation and two malloc arenas (memory-settings.ts).
          execArgv: [...HUB_EXEC_ARGV],
          env: { ...process.env, ...HUB_ENV },
        }),
      modulePath: join(__dirname, 'hub-process.cjs'),
      args: hubProcessArgs({ profileDir, uiDir: rendererDir }),
    });
    supervisor = hub;
    hub.on((name, payload) => {
      window?.webContents.send(IPC_EVENT_CHANNEL, name, payload);
      if (name === 'attention.notification') notifications.present(payload as RaisedNotification);
      if (name === 'attention.changed') {
        attention = payload as HubEvents['attention.changed'];
        drawTray();
      }
      if (name === 'preferences.changed') applyPreferences(payload as Preferences);
      if (name === 'inbox.changed' || name === 'accounts.changed') askCounts();
      if (name === 'service.status') {
        serviceStarted(payload as HubEvents['service.status']);
        if ((payload as HubEvents['service.status']).state === 'running') void readHubState();
      }
    });
    hub.start();

    ipcMain.handle(IPC_CALL_CHANNEL, async (event: IpcMainInvokeEvent, name: unknown, params: unknown) => {
      // Only our own window, showing our own page, may call the hub.
      if (!window || event.sender !== window.webContents || !isAppPage(event.senderFrame?.url ?? '')) {
        return fail('internal', 'Refused a call from an unknown page.');
      }
      if (!isCallName(name)) return fail('invalid-input', `Unknown call ${JSON.stringify(name)}.`);
      return hub.call(name, params);
    });

    Menu.setApplicationMenu(null);
    tray = createTray();
    const win = createWindow();
    window = win;
    // Shown once the page is drawn and the preferences say whether to start in the tray (a hub slow to answer does not keep it hidden).
    const drawn = new Promise<void>((resolve) => win.once('ready-to-show', () => resolve()));
    const known = Promise.race([readHubState(), new Promise((resolve) => setTimeout(resolve, 3000))]);
    void Promise.all([drawn, known]).then(() => {
      if (showWindowAtStart(preferences, { argv: process.argv, trayShown: tray !== undefined })) win.show();
    });
  }).catch((error: unknown) => {
    console.error(`Groundswell failed to start: ${(error as Error).message}`);
    app.exit(1);
  });

  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', () => {
    quitting = true;
  });
  app.on('will-quit', (event) => {
    notifications.dispose();
    tray?.destroy();
    tray = undefined;
    if (trayTimer) clearTimeout(trayTimer);
    if (!supervisor) return;
    event.preventDefault();
    const stopping = supervisor;
    supervisor = undefined;
    void stopping.stop().finally(() => app.exit(0));
  });

  /**
   * A hub that could not open the profile at all (another Groundswell holds it) ends the app with
   * its message, as before; one that fails later leaves the window up with the banner.
   */
  function serviceStarted(status: HubEvents['service.status']): void {
    if (status.state === 'running') serviceEverRan = true;
    if (status.state !== 'failed' || serviceEverRan) return;
    dialog.showErrorBox('Groundswell', status.message ?? 'Groundswell could not open its profile.');
    supervisor = undefined;
    app.exit(1);
  }

  /** Preferences, attention settings and counts, read at start and again after the hub process restarts. */
  async function readHubState(): Promise<void> {
    const [prefs, settings] = await Promise.all([supervisor?.call('preferences.get', {}), supervisor?.call('attention.get', {})]);
    if (prefs?.ok) applyPreferences(prefs.value as Preferences);
    if (settings?.ok) attention = settings.value as AttentionSettings;
    await readCounts();
  }

  /** Bursts of inbox changes become one `inbox.counts` at a time. */
  function askCounts(): void {
    if (countsAsked) return;
    countsAsked = true;
    setTimeout(() => {
      countsAsked = false;
      void readCounts();
    }, 100);
  }

  async function readCounts(): Promise<void> {
    const counts = await supervisor?.call('inbox.counts', {});
    if (counts?.ok) summary = unreadSummary(counts.value as UnreadCounts);
    drawTray();
    showBadge(summary, {
      platform: process.platform,
      setBadgeCount: (count) => app.setBadgeCount(count),
      setOverlayIcon: (png, description) => window?.setOverlayIcon(png === null ? null : nativeImage.createFromBuffer(png), description),
      drawOverlay: (text) => encodePng(overlayIconPixels(text)),
    });
  }

  function applyPreferences(next: Preferences): void {
    const loginChanged = next.startAtLogin !== preferences.startAtLogin || next.startMinimised !== preferences.startMinimised;
    preferences = next;
    notifications.setEnabled(next.desktopNotifications);
    if (loginChanged) startAtLogin(next);
  }

  /** macOS and Windows have login items; Linux desktops read ~/.config/autostart. */
  function startAtLogin(prefs: Preferences): void {
    if (!app.isPackaged) return; // a development run must not register itself
    if (process.platform === 'linux') {
      const dir = join(process.env['XDG_CONFIG_HOME'] ?? join(homedir(), '.config'), 'autostart');
      const file = join(dir, 'groundswell.desktop');
      const entry = autostartEntry(prefs, process.env['APPIMAGE'] ?? process.execPath);
      try {
        if (entry === null) rmSync(file, { force: true });
        else {
          mkdirSync(dir, { recursive: true });
          writeFileSync(file, entry);
        }
      } catch (error) {
        console.error(`Could not change ${file}: ${(error as Error).message}`);
      }
      return;
    }
    app.setLoginItemSettings(loginItemSettings(prefs));
  }

  function createTray(): Tray | undefined {
    try {
      const created = new Tray(nativeImage.createFromBuffer(encodePng(trayIconPixels('')), { scaleFactor: 2 }));
      created.on('click', () => bringWindowForward());
      return created;
    } catch (error) {
      // A Linux desktop without a status area: the window is the only way in, so it never hides.
      console.error(`No tray icon: ${(error as Error).message}`);
      return undefined;
    }
  }

  function drawTray(): void {
    if (!tray) return;
    const now = Date.now();
    const model = trayModel(summary, attention, now);
    tray.setImage(nativeImage.createFromBuffer(encodePng(trayIconPixels(model.iconText)), { scaleFactor: 2 }));
    tray.setToolTip(model.tooltip);
    tray.setContextMenu(Menu.buildFromTemplate(model.menu.map(menuItem)));
    if (trayTimer) clearTimeout(trayTimer);
    const refresh = nextTrayRefresh(attention, now);
    if (refresh !== undefined) trayTimer = setTimeout(drawTray, Math.min(refresh - now + 50, 2 ** 31 - 1));
  }

  function menuItem(item: TrayMenuItem): MenuItemConstructorOptions {
    if (item.type === 'separator') return { type: 'separator' };
    if (item.type === 'submenu') return { label: item.label, submenu: item.items.map(menuItem) };
    const action = item.action;
    return { label: item.label, enabled: item.enabled, ...(action ? { click: () => void trayAction(action) } : {}) };
  }

  async function trayAction(action: TrayAction): Promise<void> {
    switch (action.kind) {
      case 'open':
        return bringWindowForward();
      case 'quit':
        quitting = true;
        return app.quit();
      case 'pause':
      case 'resume': {
        const result = await supervisor?.call('attention.pause', { until: action.kind === 'pause' ? action.until : null });
        if (result?.ok) attention = result.value as AttentionSettings;
        return drawTray();
      }
      default:
        return action satisfies never;
    }
  }

  function bringWindowForward(): void {
    if (window?.isMinimized()) window.restore();
    window?.show();
    window?.focus();
  }

  function createWindow(): BrowserWindow {
    const state = loadWindowState(profileDir);
    const win = new BrowserWindow({
      width: state.width,
      height: state.height,
      ...(state.x !== undefined && state.y !== undefined ? { x: state.x, y: state.y } : {}),
      minWidth: 720,
      minHeight: 480,
      title: 'Groundswell',
      show: false,
      webPreferences: {
        preload: join(__dirname, 'preload.cjs'),
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        webSecurity: true,
        spellcheck: true,
      },
    });
    if (state.maximized) win.maximize();
    win.on('close', (event) => {
      const bounds = win.getNormalBounds();
      saveWindowState(profileDir, { ...bounds, maximized: win.isMaximized() });
      if (onWindowClose(preferences, { quitting, trayShown: tray !== undefined }) === 'hide') {
        event.preventDefault();
        win.hide();
      }
    });
    void win.loadURL(APP_INDEX_URL);
    return win;
  }
}
