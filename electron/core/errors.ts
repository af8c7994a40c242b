import type { TillErrorCode } from '../../shared/ipc.ts';

/**
 * Thrown inside the core for an expected refusal (bad state, server down...). The channel handlers turn it
 * into a `Result` error with the same code; anything else becomes INTERNAL and is logged, never shown raw.
 */
export class TillFailure extends Error {
  override readonly name = 'TillFailure';
  readonly code: TillErrorCode;
  constructor(code: TillErrorCode, message: string = code) {
    super(message);
    this.code = code;
  }
}

export const fail = (code: TillErrorCode, message?: string): TillFailure => new TillFailure(code, message);

export type Logger = {
  info(msg: string, extra?: Record<string, unknown>): void;
  warn(msg: string, extra?: Record<string, unknown>): void;
  error(msg: string, extra?: Record<string, unknown>): void;
};

const line = (level: string, msg: string, extra?: Record<string, unknown>) => {
  const e = extra?.err;
  const err = e instanceof Error ? { name: e.name, message: e.message, stack: e.stack } : e;
  process.stderr.write(`${JSON.stringify({ level, time: Date.now(), msg, ...extra, ...(e ? { err } : {}) })}\n`);
};

/** JSON lines on stderr; `info` is dropped unless asked for, so tests and the web host stay quiet. */
export function stderrLogger(verbose = false): Logger {
  return {
    info: (m, x) => (verbose ? line('info', m, x) : undefined),
    warn: (m, x) => line('warn', m, x),
    error: (m, x) => line('error', m, x),
  };
}

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };
