import { describe, expect, it } from 'vitest';
import { shellConfigFromEnv } from '../../../electron/main/config.ts';
import {
  APP_ENTRY_URL,
  hardenSession,
  hardenWebContents,
  isAppUrl,
  isTrustedSender,
  windowOptions,
} from '../../../electron/main/security.ts';

describe('window options', () => {
  it('isolates the renderer: sandbox, context isolation, no node, our preload only', () => {
    const o = windowOptions('/app/dist-electron/preload.cjs');
    expect(o.show).toBe(false);
    expect(o.webPreferences).toMatchObject({
      preload: '/app/dist-electron/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });
});

describe('app origin', () => {
  it('recognises only app://till URLs', () => {
    expect(isAppUrl(APP_ENTRY_URL)).toBe(true);
    expect(isAppUrl('app://till/assets/x.js')).toBe(true);
    for (const u of [
      'file:///app/dist/renderer/index.html',
      'http://127.0.0.1:5174/',
      'app://evil/index.html',
      'app://user:pw@till/',
      'https://till/',
      'not a url',
      '',
      undefined,
      null,
    ])
      expect(isAppUrl(u)).toBe(false);
  });

  it('trusts only the top frame of our own origin as an IPC sender', () => {
    expect(isTrustedSender({ url: APP_ENTRY_URL, parent: null })).toBe(true);
    expect(isTrustedSender({ url: APP_ENTRY_URL, parent: { url: APP_ENTRY_URL } })).toBe(false);
    expect(isTrustedSender({ url: 'https://evil.example/', parent: null })).toBe(false);
    expect(isTrustedSender(null)).toBe(false);
    expect(isTrustedSender(undefined)).toBe(false);
  });
});

/** A plain stand-in for WebContents that records the listeners the guard installs. */
function fakeContents() {
  const listeners = new Map<string, (e: { preventDefault(): void }, ...a: unknown[]) => void>();
  let openHandler: ((d: { url: string }) => { action: string }) | null = null;
  const contents = {
    on(name: string, l: (e: { preventDefault(): void }) => void) {
      listeners.set(name, l);
      return contents;
    },
    setWindowOpenHandler(h: (d: { url: string }) => { action: string }) {
      openHandler = h;
    },
  };
  const fire = (name: string, url: string) => {
    let prevented = false;
    const l = listeners.get(name);
    if (!l) throw new Error(`no ${name} listener`);
    l({ preventDefault: () => (prevented = true) }, url);
    return prevented;
  };
  return { contents, fire, open: (url: string) => openHandler?.({ url }) };
}

describe('web contents guards', () => {
  it('denies navigation, redirects, webviews and new windows', () => {
    const f = fakeContents();
    hardenWebContents(f.contents as never);
    expect(f.fire('will-navigate', 'https://evil.example/')).toBe(true);
    expect(f.fire('will-navigate', APP_ENTRY_URL)).toBe(true);
    expect(f.fire('will-redirect', 'https://evil.example/')).toBe(true);
    expect(f.fire('will-attach-webview', 'https://evil.example/')).toBe(true);
    expect(f.open('https://evil.example/')).toEqual({ action: 'deny' });
    expect(f.open(APP_ENTRY_URL)).toEqual({ action: 'deny' });
  });

  it('refuses every permission request and check', () => {
    let request: ((wc: unknown, p: string, cb: (ok: boolean) => void) => void) | null = null;
    let check: ((wc: unknown, p: string) => boolean) | null = null;
    hardenSession({
      setPermissionRequestHandler: (h: typeof request) => {
        request = h;
      },
      setPermissionCheckHandler: (h: typeof check) => {
        check = h;
      },
    } as never);
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'hid', 'serial', 'openExternal']) {
      const answers: boolean[] = [];
      request!(null, p, (ok) => answers.push(ok));
      expect(answers).toEqual([false]);
      expect(check!(null, p)).toBe(false);
    }
  });
});

describe('shell configuration', () => {
  it('reads the launcher environment and defaults the data folder under userData', () => {
    expect(shellConfigFromEnv({}, '/home/k/.config/Kasir')).toEqual({
      dataDir: '/home/k/.config/Kasir/till',
      settings: {},
      seedDemo: false,
      customerDisplay: 'auto',
    });
    const c = shellConfigFromEnv(
      {
        KASIR_DATA_DIR: '/d',
        KASIR_SERVER_URL: 'http://127.0.0.1:3000',
        KASIR_DEVICE_TOKEN: 't',
        KASIR_STORE_NAME: 'Toko Satu',
        KASIR_DEVICE_NAME: 'Kasir 2',
        KASIR_SEED_DEMO: '1',
        KASIR_CUSTOMER_DISPLAY: '1',
      },
      '/u',
    );
    expect(c).toEqual({
      dataDir: '/d',
      settings: { serverUrl: 'http://127.0.0.1:3000', deviceToken: 't', storeName: 'Toko Satu', deviceName: 'Kasir 2' },
      seedDemo: true,
      customerDisplay: 'on',
    });
    expect(shellConfigFromEnv({ KASIR_CUSTOMER_DISPLAY: '0' }, '/u').customerDisplay).toBe('off');
    expect(Object.isFrozen(c)).toBe(true);
    expect(
      shellConfigFromEnv({ KASIR_SERVER_URL: 'http://kasir.example.com', KASIR_ALLOW_INSECURE: '1' }, '/u').settings,
    ).toEqual({ serverUrl: 'http://kasir.example.com', allowInsecure: true });
  });
});
