import { describe, expect, it } from 'vitest';
import { createHandlers } from '../../../electron/core/handlers.ts';
import { forwardEvents, registerIpcHandlers } from '../../../electron/main/ipc.ts';
import { APP_ENTRY_URL } from '../../../electron/main/security.ts';
import { buildTillApi } from '../../../electron/preload/api.ts';
import { IPC_CHANNELS, TILL_EVENTS, TILL_METHODS } from '../../../shared/ipc.ts';
import { makeCore } from '../core/helpers.ts';

type Listener = (event: { senderFrame: unknown }, raw: unknown) => unknown;

function fakeIpcMain() {
  const handlers = new Map<string, Listener>();
  return {
    handle: (channel: string, l: Listener) => {
      if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
      handlers.set(channel, l);
    },
    handlers,
  };
}

const appFrame = { url: APP_ENTRY_URL, parent: null };

describe('IPC handler registration', () => {
  it('registers exactly one handler per contract channel', () => {
    const ipc = fakeIpcMain();
    registerIpcHandlers(ipc, createHandlers(makeCore()));
    expect([...ipc.handlers.keys()].sort()).toEqual([...IPC_CHANNELS].sort());
  });

  it('answers the app frame, refuses other senders with FORBIDDEN, and never throws', async () => {
    const core = makeCore();
    core.seedDemoCatalog();
    const ipc = fakeIpcMain();
    registerIpcHandlers(ipc, createHandlers(core));
    const list = ipc.handlers.get('catalog:list')!;
    const ok = (await list({ senderFrame: appFrame }, undefined)) as { ok: boolean; data: unknown[] };
    expect(ok.ok).toBe(true);
    expect(ok.data).toHaveLength(13);
    for (const senderFrame of [
      null,
      { url: 'https://evil.example/', parent: null },
      { url: APP_ENTRY_URL, parent: appFrame },
      { url: 'file:///tmp/x.html', parent: null },
    ]) {
      expect(await list({ senderFrame }, undefined)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
    // A destroyed frame throws on access in Electron: still a FORBIDDEN Result.
    const destroyed = {
      get senderFrame(): unknown {
        throw new Error('Render frame was disposed');
      },
    };
    expect(await list(destroyed, undefined)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    // Hostile input from the trusted frame is still validated.
    const sale = ipc.handlers.get('sale:create')!;
    expect(await sale({ senderFrame: appFrame }, { lines: [{ productId: 'x', qty: -1 }] })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
  });

  it('forwards core events to a live window and stops when it is destroyed or unsubscribed', () => {
    const core = makeCore();
    const sent: string[] = [];
    let destroyed = false;
    const off = forwardEvents(core.events, { isDestroyed: () => destroyed, send: (name) => sent.push(name) });
    core.events.emit(TILL_EVENTS.connectionChanged, core.status());
    destroyed = true;
    core.events.emit(TILL_EVENTS.connectionChanged, core.status());
    destroyed = false;
    off();
    core.events.emit(TILL_EVENTS.connectionChanged, core.status());
    expect(sent).toEqual([TILL_EVENTS.connectionChanged]);
  });
});

describe('preload API', () => {
  function fakeIpcRenderer() {
    const calls: [string, unknown][] = [];
    const listeners = new Map<string, Set<(e: unknown, p: unknown) => void>>();
    return {
      calls,
      listeners,
      invoke: async (c: string, input: unknown) => {
        calls.push([c, input]);
        return { ok: true, data: c };
      },
      on: (c: string, l: (e: unknown, p: unknown) => void) => {
        const set = listeners.get(c) ?? new Set();
        set.add(l);
        listeners.set(c, set);
      },
      removeListener: (c: string, l: (e: unknown, p: unknown) => void) => listeners.get(c)?.delete(l),
    };
  }

  it('exposes one verb per channel and nothing that sends to an arbitrary channel', async () => {
    const ipc = fakeIpcRenderer();
    const api = buildTillApi(ipc);
    expect(Object.keys(api).sort()).toEqual([...Object.keys(TILL_METHODS), 'onEvent'].sort());
    expect(Object.isFrozen(api)).toBe(true);
    await api.createSale({ lines: [] });
    await api.getStatus();
    expect(ipc.calls).toEqual([
      [TILL_METHODS.createSale, { lines: [] }],
      [TILL_METHODS.getStatus, undefined],
    ]);
  });

  it('subscribes only to contract events and never hands the Electron event to the page', () => {
    const ipc = fakeIpcRenderer();
    const api = buildTillApi(ipc);
    const got: unknown[] = [];
    const off = api.onEvent(TILL_EVENTS.paymentUpdated, (p) => got.push(p));
    const electronEvent = { sender: 'ipcRenderer' };
    for (const l of ipc.listeners.get(TILL_EVENTS.paymentUpdated) ?? []) l(electronEvent, { id: 'p1' });
    expect(got).toEqual([{ id: 'p1' }]);
    off();
    expect(ipc.listeners.get(TILL_EVENTS.paymentUpdated)?.size).toBe(0);
    (api.onEvent as (n: string, cb: () => void) => () => void)('sale:create', () => {});
    expect(ipc.listeners.has('sale:create')).toBe(false);
  });
});
