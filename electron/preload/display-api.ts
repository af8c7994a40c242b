import { COUNTER_EVENTS, type DisplayState } from '../../shared/counter.ts';
import type { IpcRendererLike } from './api.ts';

export type DisplayApi = { onDisplay(cb: (s: DisplayState) => void): () => void };

export function buildDisplayApi(ipc: Pick<IpcRendererLike, 'on' | 'removeListener'>): DisplayApi {
  return Object.freeze({
    onDisplay(cb: (s: DisplayState) => void) {
      if (typeof cb !== 'function') return () => {};
      const listener = (_e: unknown, payload: unknown) => cb(payload as DisplayState);
      ipc.on(COUNTER_EVENTS.displayChanged, listener);
      return () => {
        ipc.removeListener(COUNTER_EVENTS.displayChanged, listener);
      };
    },
  });
}
