import { v7 } from 'uuid';

/** Client-generated, time-ordered ids (UUIDv7): made once at creation and used as idempotency keys. */
export function newId(): string {
  return v7();
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
