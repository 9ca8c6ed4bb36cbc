/**
 * What the Electron shell would show for some counts — the tray's model and the badge on macOS and
 * Windows — through its own plain modules with the platform's calls recorded, and a `serve`-style
 * server on a harness hub so the CLI attaches to it. For renderer tests, which may not reach into
 * src-main themselves.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UnreadCounts } from '../../src-shared/api.ts';
import { unreadSummary, type UnreadSummary } from '../../src-shared/unread-summary.ts';
import { showBadge, type BadgeShown } from '../../src-main/electron/badge.ts';
import { trayModel } from '../../src-main/electron/tray-model.ts';
import type { Hub } from '../../src-main/hub/hub.ts';
import { startServer } from '../../src-main/server/serve.ts';

export interface DesktopSurfaces {
  /** What is drawn on the tray icon, and the menu's count lines. */
  tray: { icon: string; lines: string[] };
  /** app.setBadgeCount on macOS: what it showed and the calls made. */
  mac: { shown: BadgeShown; asked: unknown[] };
  /** The Windows overlay: the drawn text (here as the "PNG") and its description. */
  windows: { shown: BadgeShown; asked: unknown[] };
}

function badgeOn(platform: NodeJS.Platform, summary: UnreadSummary): { shown: BadgeShown; asked: unknown[] } {
  const asked: unknown[] = [];
  const shown = showBadge(summary, {
    platform,
    setBadgeCount: (n) => (asked.push(n), true),
    setOverlayIcon: (png, description) => void asked.push(png === null ? null : png.toString(), description),
    drawOverlay: (text) => Buffer.from(text),
  });
  return { shown, asked };
}

export function desktopSurfaces(counts: UnreadCounts): DesktopSurfaces {
  const summary = unreadSummary(counts);
  const tray = trayModel(summary, null, Date.now());
  return {
    tray: { icon: tray.iconText, lines: tray.menu.flatMap((i) => (i.type === 'item' && !i.enabled ? [i.label] : [])) },
    mac: badgeOn('darwin', summary),
    windows: badgeOn('win32', summary),
  };
}

/** Serves the hub as `groundswell serve` does and announces it in the profile's lock, so `groundswell …` run as a process attaches to it. */
export async function serveForCli(hub: Hub): Promise<{ close(): Promise<void> }> {
  const uiDir = mkdtempSync(join(tmpdir(), 'gs-cli-ui-'));
  const server = await startServer({ hub, port: 0, uiDir });
  hub.lockHandle.advertise({ port: server.port, token: server.token });
  return {
    close: async () => {
      await server.close();
      rmSync(uiDir, { recursive: true, force: true });
    },
  };
}
