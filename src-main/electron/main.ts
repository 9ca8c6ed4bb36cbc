/**
 * The Electron shell: one window, the hub in a utility process of its own (src-main/hub-process),
 * the contract relayed between them over IPC. Kept thin on purpose: what to serve, where the page
 * may go, which permissions it gets and when to notify are decided in the plain modules beside it.
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, Notification, protocol, session, shell, utilityProcess } from 'electron';
import type { IpcMainInvokeEvent } from 'electron';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL, isCallName } from '../../src-shared/api.ts';
import type { HubEvents } from '../../src-shared/api.ts';
import { fail } from '../../src-shared/result.ts';
import { resolveProfileDir } from '../common/profile-dir.ts';
import { hubProcessArgs } from '../hub-process/protocol.ts';
import { HubSupervisor } from '../hub-process/supervisor.ts';
import { HUB_ENV, HUB_EXEC_ARGV } from '../hub-process/memory-settings.ts';
import { APP_INDEX_URL, APP_SCHEME, isAppPage, resolveAppRequest } from './app-protocol.ts';
import { notifyNewItems } from './notifications.ts';
import type { DesktopShell } from './notifications.ts';
import { allowPermission, decideNavigation, opensInBrowser, WINDOW_CONTENT_SECURITY_POLICY } from './window-policy.ts';
import { loadWindowState, saveWindowState } from './window-state.ts';

const profileFlag = process.argv.find((arg) => arg.startsWith('--profile='))?.slice('--profile='.length);
const profileDir = resolveProfileDir(profileFlag);
app.setPath('userData', profileDir);

// Before 'ready': a standard scheme has an origin and relative URLs, a secure one counts as https.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let window: BrowserWindow | undefined;
  let supervisor: HubSupervisor | undefined;
  let serviceEverRan = false;
  const rendererDir = join(__dirname, '..', 'renderer');

  app.on('second-instance', () => bringWindowForward());

  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(({ url }) => {
      if (opensInBrowser(url)) void shell.openExternal(url);
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
      if (!details.isMainFrame) guard(details);
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });

  const desktop: DesktopShell = {
    notificationsSupported: () => Notification.isSupported(),
    windowFocused: () => window?.isFocused() ?? false,
    show: (text, onClick) => {
      const notification = new Notification(text);
      notification.on('click', onClick);
      notification.show();
    },
    bringWindowForward,
  };

  app.whenReady().then(() => {
    protocol.handle(APP_SCHEME, async (request) => {
      const found = resolveAppRequest(rendererDir, request.url, request.method);
      if (!found.ok) return new Response(found.message, { status: found.status, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
      return new Response(request.method === 'HEAD' ? null : await readFile(found.file), {
        headers: { 'Content-Type': found.contentType, 'Content-Security-Policy': WINDOW_CONTENT_SECURITY_POLICY, 'X-Content-Type-Options': 'nosniff' },
      });
    });
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
      if (name === 'inbox.notify') notifyNewItems(payload as HubEvents['inbox.notify'], desktop);
      if (name === 'service.status') serviceStarted(payload as HubEvents['service.status']);
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
    window = createWindow();
  }).catch((error: unknown) => {
    console.error(`Groundswell failed to start: ${(error as Error).message}`);
    app.exit(1);
  });

  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', (event) => {
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
    win.once('ready-to-show', () => win.show());
    win.on('close', () => {
      const bounds = win.getNormalBounds();
      saveWindowState(profileDir, { ...bounds, maximized: win.isMaximized() });
    });
    void win.loadURL(APP_INDEX_URL);
    return win;
  }
}
