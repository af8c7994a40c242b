import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import type { StoreLiveFrame as LiveFrame, StoreEvent as SyncEvent } from '../../../shared/events.ts';
import { PullQuerySchema } from '../../../shared/schemas/sync-api.ts';
import type { SyncEventRow } from '../db/schema.ts';
import { parseOr400 } from '../http-errors.ts';
import type { AbuseGuards } from '../plugins/abuse-limits.ts';
import { deviceAuth, deviceOf } from '../plugins/device-auth.ts';
import type { RelayHub } from '../relay/hub.ts';
import { readSyncEvents, type SyncEventPage } from '../repos/sync-events-repo.ts';
import type { ServerContext } from '../services/context.ts';

/** A stored event as the till receives it: the payload is the event's body (a payment view, changed products). */
const toEvent = (r: SyncEventRow): SyncEvent =>
  r.type === 'catalog.updated'
    ? ({
        seq: r.seq,
        type: r.type,
        store_id: r.store_id,
        at: r.created_at,
        products: (JSON.parse(r.payload) as { products: unknown[] }).products,
      } as SyncEvent)
    : ({
        seq: r.seq,
        type: r.type,
        store_id: r.store_id,
        at: r.created_at,
        payment: JSON.parse(r.payload),
      } as SyncEvent);

const PAGE = 500;
const HELD_BACK_RETRY_MS = 5;
const HELD_BACK_RETRY_MAX_MS = 1_000;

export function syncRoutes(app: FastifyInstance, ctx: ServerContext, hub: RelayHub, guards: AbuseGuards): void {
  // onRequest: authenticated before any body is read (plugins/device-auth.ts).
  const requireDevice = deviceAuth(ctx, guards);
  // Checked before the upgrade, so a bad cursor gets pull's 400 rather than a socket (it used to be read as 0:
  // a full replay).
  const validCursor = async (request: FastifyRequest) => {
    parseOr400(PullQuerySchema, request.query);
  };

  app.get('/v1/sync/pull', { onRequest: requireDevice }, async (request) => {
    const q = parseOr400(PullQuerySchema, request.query);
    const { rows } = await readSyncEvents(
      ctx.database.db,
      ctx.database.kind,
      deviceOf(request).store_id,
      q.cursor,
      q.limit,
    );
    return { events: rows.map(toEvent), cursor: rows.at(-1)?.seq ?? q.cursor };
  });

  // Authentication and the cursor are checked before the upgrade, so either gets a plain HTTP answer.
  const hooks = { websocket: true, onRequest: requireDevice, preValidation: validCursor } as const;
  app.get('/v1/sync/live', hooks, (socket: WebSocket, request) => {
    const device = deviceOf(request);
    let cursor = PullQuerySchema.parse(request.query).cursor;
    let pumping = false;
    let again = false;
    let closed = false;
    // Events committed behind a still-open older transaction are held back (repos/sync-events-repo.ts); no
    // NOTIFY need follow when that transaction ends, so look again after a short, growing pause.
    let retry: NodeJS.Timeout | null = null;
    let retryMs = HELD_BACK_RETRY_MS;
    const send = (f: LiveFrame) => socket.send(JSON.stringify(f));

    // Reads new events from the database in seq order; signals that arrive mid-read trigger one more pass.
    const pump = async (): Promise<void> => {
      if (pumping) {
        again = true;
        return;
      }
      pumping = true;
      if (retry) clearTimeout(retry);
      retry = null;
      try {
        let page: SyncEventPage;
        do {
          again = false;
          do {
            page = await readSyncEvents(ctx.database.db, ctx.database.kind, device.store_id, cursor, PAGE);
            for (const r of page.rows) {
              if (closed) return;
              send({ kind: 'event', event: toEvent(r) });
              cursor = r.seq;
            }
          } while (page.rows.length === PAGE);
        } while (again && !closed);
        if (page.heldBack && !closed) {
          retry = setTimeout(() => void pump(), retryMs);
          retryMs = Math.min(retryMs * 2, HELD_BACK_RETRY_MAX_MS);
        } else {
          retryMs = HELD_BACK_RETRY_MS;
        }
      } catch (err) {
        request.log.warn({ err }, 'live relay read failed; closing so the till resumes from its cursor');
        socket.close(1011, 'relay error');
      } finally {
        pumping = false;
      }
    };

    const unsubscribe = hub.subscribe(device.store_id, () => void pump());
    ctx.metrics.liveConnections.inc();
    socket.on('close', () => {
      closed = true;
      if (retry) clearTimeout(retry);
      unsubscribe();
      ctx.metrics.liveConnections.dec();
    });
    // Tills only listen; anything they send is ignored rather than trusted.
    socket.on('message', () => {});
    send({ kind: 'hello', cursor, server_time: ctx.now() });
    void pump();
  });
}
