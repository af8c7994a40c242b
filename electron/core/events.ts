import { EventEmitter } from 'node:events';
import type { TillEventName, TillEventPayloads } from '../../shared/ipc.ts';

/** The core's push events, typed by shared/ipc.ts. Transports subscribe with `subscribe` and forward. */
export class TillEventBus {
  readonly #emitter = new EventEmitter();

  constructor() {
    // One listener per open window / browser tab; many tabs must not trip Node's leak warning.
    this.#emitter.setMaxListeners(0);
  }

  emit<E extends TillEventName>(name: E, payload: TillEventPayloads[E]): void {
    this.#emitter.emit('event', name, payload);
  }

  /** Receives every event; returns the unsubscribe function. A throwing listener cannot break the core. */
  subscribe(fn: <E extends TillEventName>(name: E, payload: TillEventPayloads[E]) => void): () => void {
    const l = (name: TillEventName, payload: TillEventPayloads[TillEventName]) => {
      try {
        fn(name, payload as never);
      } catch {
        // A transport that failed to forward (closed window, dead socket) is that transport's problem.
      }
    };
    this.#emitter.on('event', l);
    return () => this.#emitter.off('event', l);
  }
}
