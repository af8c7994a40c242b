/**
 * Offline detection that does not flap. Two kinds of evidence: the live socket's state, and whether HTTP
 * calls (pushes, payment calls) reached the server. One dropped socket or one failed request on a bad Wi-Fi
 * must not throw the screen into "offline" and back every few seconds, so:
 * - online → offline only after the socket has been down for `downAfterMs`, or after `failuresToOffline`
 *   consecutive requests failed to reach the server;
 * - offline → online only after the socket has stayed up for `upAfterMs` (a socket that connects and drops
 *   straight away does not count), or the socket is up and a request got through.
 * At start-up ('connecting') the first evidence either way decides at once: there is nothing to flap from.
 */
import type { ConnectionState } from '../../../shared/ipc.ts';

export type ConnectivityOptions = {
  onChange: (s: ConnectionState) => void;
  downAfterMs?: number;
  upAfterMs?: number;
  failuresToOffline?: number;
};

export class ConnectivityMonitor {
  readonly #o: Required<ConnectivityOptions>;
  #state: ConnectionState = 'connecting';
  #socketUp = false;
  #failures = 0;
  #timer: NodeJS.Timeout | null = null;

  constructor(o: ConnectivityOptions) {
    this.#o = { downAfterMs: 4_000, upAfterMs: 1_500, failuresToOffline: 2, ...o };
  }

  get state(): ConnectionState {
    return this.#state;
  }

  /** The live socket changed state ('connecting' counts as down). */
  socket(up: boolean): void {
    if (up === this.#socketUp) return;
    this.#socketUp = up;
    this.#clearTimer();
    if (up) {
      this.#failures = 0;
      if (this.#state === 'connecting') this.#set('online');
      else if (this.#state === 'offline') this.#after(this.#o.upAfterMs, () => this.#socketUp && this.#set('online'));
    } else if (this.#state !== 'offline') {
      this.#after(this.#o.downAfterMs, () => !this.#socketUp && this.#set('offline'));
    }
  }

  /** An HTTP call reached the server (any HTTP answer counts: the server is there). */
  requestOk(): void {
    this.#failures = 0;
    if (this.#state !== 'online' && this.#socketUp) {
      this.#clearTimer();
      this.#set('online');
    }
  }

  /** An HTTP call could not reach the server (network error, timeout, 5xx). */
  requestFailed(): void {
    this.#failures++;
    if (this.#failures >= this.#o.failuresToOffline && this.#state !== 'offline') {
      this.#clearTimer();
      this.#set('offline');
    }
  }

  /** Another server (or token) is another connection: forget the evidence about the old one and start over. */
  restart(): void {
    this.#clearTimer();
    this.#socketUp = false;
    this.#failures = 0;
    this.#set('connecting');
  }

  stop(): void {
    this.#clearTimer();
  }

  #after(ms: number, fn: () => void): void {
    this.#timer = setTimeout(() => {
      this.#timer = null;
      fn();
    }, ms);
    this.#timer.unref?.();
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #set(s: ConnectionState): void {
    if (s === this.#state) return;
    this.#state = s;
    this.#o.onChange(s);
  }
}
