/** What crosses a boundary that must never throw (IPC, the web bridge): a value or a typed error. */
export type AppError = { code: string; message: string; retryable: boolean };
export type Result<T> = { ok: true; data: T } | { ok: false; error: AppError };

export const ok = <T>(data: T): Result<T> => ({ ok: true, data });
export const err = (code: string, message = code, retryable = false): { ok: false; error: AppError } => ({
  ok: false,
  error: { code, message, retryable },
});
