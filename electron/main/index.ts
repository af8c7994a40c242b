/**
 * The Electron main process: deliberately thin. It wires Electron's objects to the pure pieces (security.ts,
 * app-protocol.ts, ipc.ts) and to the till core; all behaviour lives in electron/core and the renderer.
 * Bundled to dist-electron/main.cjs by scripts/build-electron.ts (better-sqlite3 stays external).
 */
import { join } from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, protocol, screen, session } from 'electron';
import { tillError } from '../../shared/ipc.ts';
import { stderrLogger } from '../core/errors.ts';
import { createHandlers } from '../core/handlers.ts';
import { launchSettings } from '../core/settings.ts';
import { quitPrompt } from '../core/sync/risk.ts';
import { TillCore } from '../core/till-core.ts';
import { appProtocolHandler } from './app-protocol.ts';
import { shellConfigFromEnv } from './config.ts';
import { DISPLAY_ENTRY_HASH, forwardDisplay, pickCustomerDisplay, refuseDisplaySender } from './display-window.ts';
import { forwardEvents, registerIpcHandlers } from './ipc.ts';
import { APP_ENTRY_URL, APP_SCHEME, hardenSession, hardenWebContents, windowOptions } from './security.ts';

// In the bundle this folder is dist-electron/ (esbuild maps import.meta.dirname to __dirname).
const here = import.meta.dirname;
const rendererDir = join(here, '..', 'dist', 'renderer');
const log = stderrLogger();

// Two tills on one database would fight over the sale sequence and the live link: one instance only.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
  app.on('web-contents-created', (_e, contents) => hardenWebContents(contents));
  void app.whenReady().then(start, (e: unknown) => {
    log.error('electron failed to start', { err: e });
    app.exit(1);
  });
}

let win: BrowserWindow | null = null;
let displayWin: BrowserWindow | null = null;

async function start(): Promise<void> {
  const config = shellConfigFromEnv(process.env, app.getPath('userData'));
  const core = new TillCore({ dataDir: config.dataDir, log });
  const handlers = createHandlers(core);
  const settings = launchSettings(core.getSettings(), config.settings);
  if (Object.keys(settings).length > 0) {
    const r = await handlers['settings:set'](settings);
    if (!r.ok) log.error('ignoring invalid settings from the environment', { error: r.error });
  }
  if (config.seedDemo) core.seedDemoCatalog();

  hardenSession(session.defaultSession);
  protocol.handle(APP_SCHEME, appProtocolHandler(rendererDir));
  // The customer display's window may never call a till verb, whatever its page does.
  registerIpcHandlers(
    refuseDisplaySender(
      ipcMain,
      (e) => displayWin !== null && !displayWin.isDestroyed() && e.sender?.id === displayWin.webContents.id,
      () => tillError('FORBIDDEN', 'the customer display is read-only'),
    ),
    handlers,
  );
  core.start();

  const open = () => {
    win = new BrowserWindow(windowOptions(join(here, 'preload.cjs')));
    const stop = forwardEvents(core.events, win.webContents);
    win.once('ready-to-show', () => win?.show());
    // Closing the till (window close, Cmd/Alt+F4, app quit) while the server lacks some of its data asks
    // first and says what is at risk; the data stays on this till either way (electron/core/sync/risk.ts).
    let confirmedClose = false;
    win.on('close', (e) => {
      if (confirmedClose || !win) return;
      const prompt = quitPrompt(core.status(), core.getSettings().language);
      if (!prompt) return;
      const choice = dialog.showMessageBoxSync(win, {
        type: 'warning',
        title: prompt.title,
        message: prompt.message,
        detail: prompt.detail,
        buttons: prompt.buttons,
        defaultId: 0,
        cancelId: 0,
        noLink: true,
      });
      if (choice === 1) confirmedClose = true;
      else e.preventDefault();
    });
    win.on('closed', () => {
      stop();
      win = null;
    });
    void win.loadURL(APP_ENTRY_URL);
  };
  open();
  const target = pickCustomerDisplay(screen.getAllDisplays(), screen.getPrimaryDisplay().id);
  if (config.customerDisplay === 'on' || (config.customerDisplay === 'auto' && target)) openDisplay();

  function openDisplay(): void {
    const opts = windowOptions(join(here, 'display-preload.cjs'));
    displayWin = new BrowserWindow({
      ...opts,
      ...(target ? { ...target.bounds, fullscreen: true } : { width: 800, height: 600 }),
    });
    const dw = displayWin;
    let stop: (() => void) | null = null;
    dw.webContents.on('did-finish-load', () => {
      stop?.();
      stop = forwardDisplay(core.events, core, dw.webContents);
    });
    dw.once('ready-to-show', () => dw.show());
    dw.on('closed', () => {
      stop?.();
      displayWin = null;
    });
    void dw.loadURL(`${APP_ENTRY_URL}${DISPLAY_ENTRY_HASH}`);
  }

  app.on('second-instance', () => {
    if (!win) return open();
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', () => core.close());
}
