/**
 * The Electron shell's security settings and guards, as pure functions over the Electron objects they are
 * given, so they are unit-tested with plain objects (the Electron binary cannot run on the build machines).
 * The renderer is untrusted: it runs sandboxed with context isolation, talks only through the preload's verbs,
 * may not navigate, open windows or get any permission, and IPC answers only frames of our own app origin.
 */
import type { BrowserWindowConstructorOptions, Session, WebContents } from 'electron';

/** The renderer is served from a private scheme (see app-protocol.ts) rather than file://, so it has a
 * real origin that the IPC guard and the CSP can name, and file:// pages on disk cannot pose as the app. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'till';
export const APP_ENTRY_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

export function windowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 800,
    minWidth: 900,
    minHeight: 600,
    show: false,
    backgroundColor: '#ffffff',
    title: 'Kasir QRIS',
    autoHideMenuBar: true,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      devTools: true,
    },
  };
}

export function isAppUrl(url: string | undefined | null): boolean {
  if (typeof url !== 'string') return false;
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}

/** The minimum of a frame the guard needs (Electron's WebFrameMain has these). */
export type FrameLike = { url: string; parent: unknown } | null | undefined;

/** IPC is answered only for the app's own top-level frame: not a subframe, not a page it navigated to. */
export function isTrustedSender(frame: FrameLike): boolean {
  return !!frame && frame.parent === null && isAppUrl(frame.url);
}

type Preventable = { preventDefault(): void };
export type WebContentsLike = Pick<WebContents, 'on' | 'setWindowOpenHandler'>;

/** Denies every navigation away from the loaded page, every new window and every <webview>. */
export function hardenWebContents(contents: WebContentsLike): void {
  // The app is a single page with in-page (hash) routes, which do not fire will-navigate: deny all of it.
  contents.on('will-navigate', (e: Preventable) => e.preventDefault());
  contents.on('will-redirect', (e: Preventable) => e.preventDefault());
  contents.on('will-attach-webview', (e: Preventable) => e.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

export type SessionLike = Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'>;

/** A till needs no camera, microphone, notifications, geolocation, HID, serial...: every request is refused. */
export function hardenSession(s: SessionLike): void {
  s.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  s.setPermissionCheckHandler(() => false);
}
