/**
 * Registers the shared channel handlers (electron/core/handlers.ts) on ipcMain and forwards the core's push
 * events to the window. Each handler first checks who is asking; a refused sender gets a FORBIDDEN Result,
 * never an exception (an exception would reach the renderer as a bare message).
 */
import { IPC_CHANNELS, tillError } from '../../shared/ipc.ts';
import type { Result } from '../../shared/result.ts';
import type { TillEventBus } from '../core/events.ts';
import type { ChannelHandlers } from '../core/handlers.ts';
import { type FrameLike, isTrustedSender } from './security.ts';

/** What registration needs of ipcMain; Electron's IpcMainInvokeEvent has `senderFrame`. */
export type IpcMainLike = {
  handle(channel: string, listener: (event: { readonly senderFrame: unknown }, raw: unknown) => unknown): void;
};

export function registerIpcHandlers(
  ipcMain: IpcMainLike,
  handlers: ChannelHandlers,
  isTrusted: (frame: FrameLike) => boolean = isTrustedSender,
): void {
  for (const channel of IPC_CHANNELS) {
    ipcMain.handle(channel, async (event, raw): Promise<Result<unknown>> => {
      let frame: FrameLike;
      try {
        // senderFrame is null once the frame navigated or was destroyed; reading it can throw in that state.
        frame = event.senderFrame as FrameLike;
      } catch {
        frame = null;
      }
      if (!isTrusted(frame)) return tillError('FORBIDDEN', 'this page may not use the till');
      return handlers[channel](raw);
    });
  }
}

export type EventTarget = { isDestroyed(): boolean; send(channel: string, payload: unknown): void };

/** Sends every core event to the window while it lives; returns the unsubscribe function. */
export function forwardEvents(bus: TillEventBus, target: EventTarget): () => void {
  return bus.subscribe((name, payload) => {
    if (!target.isDestroyed()) target.send(name, payload);
  });
}
