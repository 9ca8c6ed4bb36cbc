/**
 * The Electron shell: one window, the hub in this process, the contract over IPC. Kept thin on
 * purpose — everything that is not window, preload or IPC lives in the hub.
 */
import { app, BrowserWindow, ipcMain, Menu, Notification, session, shell } from 'electron';
import type { IpcMainInvokeEvent } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL, isCallName } from '../../src-shared/api.ts';
import type { HubEvents } from '../../src-shared/api.ts';
import { fail } from '../../src-shared/result.ts';
import { Hub } from '../hub/hub.ts';
import { ProfileLockedError, resolveProfileDir } from '../hub/profile.ts';
import { CONTENT_SECURITY_POLICY, startServer } from '../server/serve.ts';
import type { RunningServer } from '../server/serve.ts';
import { loadWindowState, saveWindowState } from './window-state.ts';

/** Links the user may open in the system browser; everything else is refused. */
const EXTERNAL_PROTOCOLS = new Set(['https:', 'http:', 'mailto:']);

const profileFlag = process.argv.find((arg) => arg.startsWith('--profile='))?.slice('--profile='.length);
const profileDir = resolveProfileDir(profileFlag);
app.setPath('userData', profileDir);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let window: BrowserWindow | undefined;
  let hub: Hub | undefined;
  let endpoint: RunningServer | undefined;
  const rendererIndex = join(__dirname, '..', 'renderer', 'index.html');
  const rendererUrl = pathToFileURL(rendererIndex).href;

  app.on('second-instance', () => {
    if (window?.isMinimized()) window.restore();
    window?.focus();
  });

  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(({ url }) => {
      openExternal(url);
      return { action: 'deny' };
    });
    contents.on('will-navigate', (event, url) => {
      if (url !== rendererUrl) {
        event.preventDefault();
        openExternal(url);
      }
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });

  app.whenReady().then(async () => {
    try {
      hub = Hub.open({ profileDir });
    } catch (error) {
      const message = error instanceof ProfileLockedError ? error.message : `Groundswell could not open its profile: ${(error as Error).message}`;
      const { dialog } = await import('electron');
      dialog.showErrorBox('Groundswell', message);
      app.exit(1);
      return;
    }
    session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
    });
    session.defaultSession.setPermissionRequestHandler((_contents, permission, callback) => callback(permission === 'notifications'));

    ipcMain.handle(IPC_CALL_CHANNEL, async (event: IpcMainInvokeEvent, name: unknown, params: unknown) => {
      // Only our own window, showing our own page, may call the hub.
      if (!window || event.sender !== window.webContents || event.senderFrame?.url !== rendererUrl) {
        return fail('internal', 'Refused a call from an unknown page.');
      }
      if (!isCallName(name)) return fail('invalid-input', `Unknown call ${JSON.stringify(name)}.`);
      return hub!.call(name, params as never);
    });
    hub.on((name, payload) => {
      window?.webContents.send(IPC_EVENT_CHANNEL, name, payload);
      if (name === 'inbox.notify') showNotifications(payload as HubEvents['inbox.notify']);
    });

    // The CLI talks to the running app through the same local endpoint `serve` uses.
    endpoint = await startServer({ hub, uiDir: join(__dirname, '..', 'renderer') });
    hub.lockHandle.advertise({ port: endpoint.port, token: endpoint.token });
    hub.startConnectors();

    Menu.setApplicationMenu(null);
    window = createWindow(rendererIndex);
  }).catch((error: unknown) => {
    console.error(`Groundswell failed to start: ${(error as Error).message}`);
    app.exit(1);
  });

  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', (event) => {
    if (!hub) return;
    event.preventDefault();
    const closing = hub;
    hub = undefined;
    void Promise.allSettled([endpoint?.close(), closing.dispose()]).then(() => app.exit(0));
  });

  /** The window shows its own toast; the desktop hears only when the user is elsewhere. */
  function showNotifications({ items }: HubEvents['inbox.notify']): void {
    if (!Notification.isSupported() || window?.isFocused()) return;
    const [first] = items;
    if (!first) return;
    const notification = new Notification(
      items.length === 1
        ? { title: `${first.accountName}: ${first.title}`, body: first.snippet }
        : { title: `${items.length} new alerts`, body: items.slice(0, 3).map((i) => `${i.accountName}: ${i.title}`).join('\n') },
    );
    notification.on('click', () => {
      window?.show();
      window?.focus();
    });
    notification.show();
  }

  function createWindow(indexFile: string): BrowserWindow {
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
    void win.loadFile(indexFile);
    return win;
  }
}

function openExternal(url: string): void {
  try {
    if (EXTERNAL_PROTOCOLS.has(new URL(url).protocol)) void shell.openExternal(url);
  } catch {
    // Not a URL: nothing to open.
  }
}
