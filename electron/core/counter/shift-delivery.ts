/**
 * Delivers closed-shift reports (outbox kind `shift.closed`) to `POST /v1/shifts`. Small and isolated on
 * purpose: the sync issue's generic push will carry every outbox kind, and then this file goes away.
 * The row is removed only after a 2xx; network errors, 5xx and 429 retry with backoff and jitter; any other
 * 4xx parks the row with the server's reason (never deleted: a manager must see it).
 */
import type { Database } from 'better-sqlite3';
import { ApiErrorSchema } from '../../../shared/schemas/sync-api.ts';
import { ackShiftOutbox, dueShiftOutbox, parkShiftOutbox, retryShiftOutbox } from '../db/repos/counter-repo.ts';
import { classify } from '../sync/server-api.ts';

export type ShiftDeliveryTarget = { baseUrl: string; token: string; fetch?: typeof fetch; timeoutMs?: number };

const MAX_BACKOFF_MS = 5 * 60_000;

export function backoffMs(attempts: number, random = Math.random): number {
  const base = Math.min(MAX_BACKOFF_MS, 1_000 * 2 ** Math.min(attempts, 20));
  return Math.round(base / 2 + random() * (base / 2));
}

/** One pass over the due rows; returns how many the server acknowledged. */
export async function deliverShiftReports(db: Database, t: ShiftDeliveryTarget, now: () => number): Promise<number> {
  const doFetch = t.fetch ?? globalThis.fetch;
  let acked = 0;
  for (const row of dueShiftOutbox(db, now())) {
    let res: Response;
    try {
      res = await doFetch(`${t.baseUrl.replace(/\/+$/, '')}/v1/shifts`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(row.payload),
        signal: AbortSignal.timeout(t.timeoutMs ?? 8_000),
      });
    } catch (e) {
      if (!db.open) return acked;
      retryShiftOutbox(db, row.id, e instanceof Error ? e.message : String(e), now() + backoffMs(row.attempts));
      // The server is not there: the other rows would fail the same way.
      break;
    }
    if (!db.open) return acked;
    if (res.ok) {
      ackShiftOutbox(db, row.id);
      acked++;
      continue;
    }
    const body = ApiErrorSchema.safeParse(await res.json().catch(() => undefined));
    const message = body.success ? `${body.data.error.code}: ${body.data.error.message}` : `HTTP ${res.status}`;
    const code = classify(res.status, body.success ? body.data.error.code : '');
    if (code === 'SERVER_UNREACHABLE' || code === 'UNAUTHORIZED') {
      // A revoked or mistyped token is fixed on the settings screen; the report must still go out then.
      retryShiftOutbox(db, row.id, message, now() + backoffMs(row.attempts));
    } else {
      parkShiftOutbox(db, row.id, message);
    }
  }
  return acked;
}
