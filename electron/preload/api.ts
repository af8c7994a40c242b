/**
 * The till API as the preload exposes it: one verb per channel (built from TILL_METHODS), plus onEvent. The
 * renderer gets no ipcRenderer, no generic send and never the Electron event object.
 */
import { isTillEventName, TILL_METHODS, type TillApi } from '../../shared/ipc.ts';

export type IpcRendererLike = {
  invoke(channel: string, input: unknown): Promise<unknown>;
  on(channel: string, listener: (event: unknown, payload: unknown) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, payload: unknown) => void): unknown;
};

export function buildTillApi(ipc: IpcRendererLike): TillApi {
  const api: Record<string, unknown> = {};
  for (const [method, channel] of Object.entries(TILL_METHODS)) {
    api[method] = (input?: unknown) => ipc.invoke(channel, input);
  }
  api.onEvent = (name: unknown, cb: unknown) => {
    // Only the contract's events: the page cannot subscribe to arbitrary IPC channels through this.
    if (!isTillEventName(name) || typeof cb !== 'function') return () => {};
    const listener = (_event: unknown, payload: unknown) => (cb as (p: unknown) => void)(payload);
    ipc.on(name, listener);
    return () => {
      ipc.removeListener(name, listener);
    };
  };
  return Object.freeze(api) as TillApi;
}
