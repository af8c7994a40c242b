import { describe, expect, it } from 'vitest';
import {
  forwardDisplay,
  type InvokeEventLike,
  pickCustomerDisplay,
  refuseDisplaySender,
} from '../../../electron/main/display-window.ts';
import { buildDisplayApi } from '../../../electron/preload/display-api.ts';
import { tillError } from '../../../shared/ipc.ts';
import { makeCore } from '../core/helpers.ts';

const rect = { x: 0, y: 0, width: 1920, height: 1080 };

describe('customer display window (Electron shell, pure parts)', () => {
  it('goes on the first monitor that is not the cashier’s, or nowhere special when there is one', () => {
    expect(pickCustomerDisplay([{ id: 1, bounds: rect }], 1)).toBeNull();
    expect(
      pickCustomerDisplay(
        [
          { id: 1, bounds: rect },
          { id: 7, bounds: { ...rect, x: 1920 } },
        ],
        1,
      ),
    ).toEqual({ id: 7, bounds: { ...rect, x: 1920 } });
  });

  it('refuses every till verb invoked from the display’s web contents', async () => {
    const registered = new Map<string, (e: InvokeEventLike, raw: unknown) => unknown>();
    const ipc = refuseDisplaySender(
      { handle: (c, l) => registered.set(c, l) },
      (e) => e.sender?.id === 42,
      () => tillError('FORBIDDEN', 'read-only'),
    );
    ipc.handle('sale:create', () => ({ ok: true, data: 'done' }));
    const call = registered.get('sale:create')!;
    expect(await call({ senderFrame: null, sender: { id: 42 } }, {})).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    expect(await call({ senderFrame: null, sender: { id: 1 } }, {})).toEqual({ ok: true, data: 'done' });
  });

  it('forwards the display state and nothing else, starting with the current one', () => {
    const core = makeCore();
    const sent: [string, unknown][] = [];
    const stop = forwardDisplay(core.events, core, { isDestroyed: () => false, send: (c, p) => sent.push([c, p]) });
    core.events.emit('connection:changed', core.status());
    core.counter.showCart({ lines: [] });
    stop();
    core.counter.showCart({ lines: [] });
    expect(sent.map(([c]) => c)).toEqual(['display:changed', 'display:changed']);
  });

  it('the display preload exposes only a display subscription', () => {
    const on = new Map<string, (e: unknown, p: unknown) => void>();
    const api = buildDisplayApi({
      on: (c, l) => on.set(c, l),
      removeListener: (c) => on.delete(c),
    });
    expect(Object.keys(api)).toEqual(['onDisplay']);
    const got: unknown[] = [];
    const off = api.onDisplay((s) => got.push(s));
    on.get('display:changed')!({}, { phase: 'idle', storeName: 'x' });
    off();
    expect(on.size).toBe(0);
    expect(got).toEqual([{ phase: 'idle', storeName: 'x' }]);
  });
});
