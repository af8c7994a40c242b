/**
 * The customer display as a second Electron window: on the second monitor when there is one (full screen
 * there), otherwise a normal window beside the till. Its preload exposes only the display stream, it gets
 * only `display:changed` events, and any till verb it might invoke is refused by `refuseDisplaySender`.
 */
import { COUNTER_EVENTS } from '../../shared/counter.ts';
import type { TillEventBus } from '../core/events.ts';
import type { TillCore } from '../core/till-core.ts';

export type Rect = { x: number; y: number; width: number; height: number };
export type DisplayLike = { id: number; bounds: Rect };

/** The monitor for the customer: the first one that is not the cashier's (primary). */
export function pickCustomerDisplay(all: DisplayLike[], primaryId: number): DisplayLike | null {
  return all.find((d) => d.id !== primaryId) ?? null;
}

export const DISPLAY_ENTRY_HASH = '#display';

/** Sends the display state, and only that, to the display window while it lives. */
export function forwardDisplay(
  bus: TillEventBus,
  core: Pick<TillCore, 'counter'>,
  target: { isDestroyed(): boolean; send(channel: string, payload: unknown): void },
): () => void {
  const send = (payload: unknown) => {
    if (!target.isDestroyed()) target.send(COUNTER_EVENTS.displayChanged, payload);
  };
  send(core.counter.display());
  return bus.subscribe((name, payload) => {
    if (name === COUNTER_EVENTS.displayChanged) send(payload);
  });
}

export type InvokeEventLike = { readonly senderFrame: unknown; readonly sender?: { readonly id?: number } };
export type IpcMainWithSender = {
  handle(channel: string, listener: (event: InvokeEventLike, raw: unknown) => unknown): void;
};

/** Wraps an ipcMain-like object so that invokes from the display's web contents are refused outright. */
export function refuseDisplaySender(
  ipcMain: IpcMainWithSender,
  isDisplaySender: (event: InvokeEventLike) => boolean,
  refusal: () => unknown,
): IpcMainWithSender {
  return {
    handle(channel, listener) {
      ipcMain.handle(channel, (event, raw) => (isDisplaySender(event) ? refusal() : listener(event, raw)));
    },
  };
}
