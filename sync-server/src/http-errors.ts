/** Typed HTTP errors: every caller mistake is a 4xx with a code from the contract; nothing leaks as a 5xx. */
import type { z } from 'zod';
import type { ApiErrorCode } from '../../shared/schemas/sync-api.ts';

export const STATUS_OF: Record<ApiErrorCode, number> = {
  INVALID_INPUT: 400,
  UNAUTHORIZED: 401,
  INVALID_SIGNATURE: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  ALREADY_PAID: 409,
  PAYLOAD_TOO_LARGE: 413,
  REQUEST_TIMEOUT: 408,
  HEADERS_TOO_LARGE: 431,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  NOT_SUPPORTED: 501,
  PROVIDER_REJECTED: 502,
  PROVIDER_UNAVAILABLE: 503,
  INTERNAL: 500,
  MUTATION_GAP: 409,
  MANAGER_REQUIRED: 401,
};

export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly code: ApiErrorCode;
  readonly status: number;
  constructor(code: ApiErrorCode, message: string) {
    super(message);
    this.code = code;
    this.status = STATUS_OF[code];
  }
}

/** Parses with a zod schema or throws a 400 whose message names the offending fields. */
export function parseOr400<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const msg = r.error.issues
    .slice(0, 5)
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
  throw new HttpError('INVALID_INPUT', msg);
}
