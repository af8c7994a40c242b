import { z } from 'zod';

/**
 * An identifier from a provider that we store and look up by: bounded and free of control characters (a NUL byte
 * cannot be stored in PostgreSQL text, and no provider id legitimately carries one). `min` is 0 where a provider
 * may echo our reference back empty.
 */
export const identifier = (min = 1) =>
  z
    .string()
    .min(min)
    .max(200)
    .refine((s) => !/\p{Cc}/u.test(s), 'must not contain control characters');

/** A short label from a provider we only display (a wallet name): unreadable or odd values become null. */
export function displayLabel(v: unknown): string | null {
  return typeof v === 'string' && v.length > 0 && v.length <= 60 && !/\p{Cc}/u.test(v) ? v : null;
}
