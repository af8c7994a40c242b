import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import type { StoreLiveFrame as LiveFrame, StoreEvent as SyncEvent } from '../../../shared/events.ts';
import { PullQuerySchema } from '../../../shared/schemas/sync-api.ts';
import type { SyncEventRow } from '../db/schema.ts';
import { parseOr400 } from '../http-errors.ts';
import type { AbuseGuards } from '../plugins/abuse-limits.ts';
import { deviceAuth, deviceOf } from '../plugins/device-auth.ts';
import type { RelayHub } from '../relay/hub.ts';
import { type FeedSubscriber, StoreFeeds } from '../relay/store-feed.ts';
import { readSyncEvents } from '../repos/sync-events-repo.ts';
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

/** One encoded frame per event, shared by every socket of the store. */
const encodeEvent = (r: SyncEventRow): Buffer =>
  Buffer.from(JSON.stringify({ kind: 'event', event: toEvent(r) } satisfies LiveFrame));

export function syncRoutes(app: FastifyInstance, ctx: ServerContext, hub: RelayHub, guards: AbuseGuards): void {
  // onRequest: authenticated before any body is read (plugins/device-auth.ts).
  const requireDevice = deviceAuth(ctx, guards);
  const feeds = new StoreFeeds(
    hub,
    (storeId, cursor, limit) => readSyncEvents(ctx.database.db, ctx.database.kind, storeId, cursor, limit),
    encodeEvent,
  );
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
    const sub: FeedSubscriber = {
      cursor: PullQuerySchema.parse(request.query).cursor,
      send: (frame) => socket.send(frame, { binary: false }),
      fail: (err) => {
        ctx.log.warn(
          { err, storeId: device.store_id },
          'live relay read failed; closing so the till resumes from its cursor',
        );
        socket.close(1011, 'relay error');
      },
    };
    // The hello goes out before the store's feed sends anything after the cursor.
    socket.send(JSON.stringify({ kind: 'hello', cursor: sub.cursor, server_time: ctx.now() } satisfies LiveFrame));
    const unsubscribe = feeds.subscribe(device.store_id, sub);
    ctx.metrics.liveConnections.inc();
    socket.on('close', () => {
      unsubscribe();
      ctx.metrics.liveConnections.dec();
    });
    // Tills only listen; anything they send is ignored rather than trusted.
    socket.on('message', () => {});
  });
}
