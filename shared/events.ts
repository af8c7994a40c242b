/**
 * Events the server publishes to a store's tills, both pulled by cursor (`GET /v1/sync/pull`) and pushed live
 * (`GET /v1/sync/live`). `seq` is the store-wide, strictly increasing cursor.
 */
import { z } from 'zod';
import { CatalogProductSchema } from './schemas/catalog-api.ts';
import { PaymentViewSchema } from './schemas/sync-api.ts';

export const PaymentUpdatedEventSchema = z.object({
  seq: z.number().int().positive(),
  type: z.literal('payment.updated'),
  store_id: z.string(),
  at: z.number().int(),
  payment: PaymentViewSchema,
});

/** Products of the store's catalog that changed (shared/schemas/catalog-api.ts explains the versions). */
export const CatalogUpdatedEventSchema = z.object({
  seq: z.number().int().positive(),
  type: z.literal('catalog.updated'),
  store_id: z.string(),
  at: z.number().int(),
  products: z.array(CatalogProductSchema),
});

export const SyncEventSchema = z.discriminatedUnion('type', [PaymentUpdatedEventSchema]);
export type SyncEvent = z.infer<typeof SyncEventSchema>;
export type SyncEventType = SyncEvent['type'];

export const PullResponseSchema = z.object({ events: z.array(SyncEventSchema), cursor: z.number().int() });
export type PullResponse = z.infer<typeof PullResponseSchema>;

/**
 * Every event a store's tills receive: payment changes and catalog changes. `SyncEvent`/`LiveFrame` above are
 * the payment-only view older code reads (a catalog frame does not parse as one and is skipped there); the
 * till reads these.
 */
export const StoreEventSchema = z.discriminatedUnion('type', [PaymentUpdatedEventSchema, CatalogUpdatedEventSchema]);
export type StoreEvent = z.infer<typeof StoreEventSchema>;
export type CatalogUpdatedEvent = z.infer<typeof CatalogUpdatedEventSchema>;
export const StorePullResponseSchema = z.object({ events: z.array(StoreEventSchema), cursor: z.number().int() });
export const StoreLiveFrameSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('hello'), cursor: z.number().int(), server_time: z.number().int() }),
  z.object({ kind: z.literal('event'), event: StoreEventSchema }),
]);
export type StoreLiveFrame = z.infer<typeof StoreLiveFrameSchema>;

/** Frames on the live WebSocket, server → till. The till resumes with `?cursor=N`: it misses nothing. */
export const LiveFrameSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('hello'), cursor: z.number().int(), server_time: z.number().int() }),
  z.object({ kind: z.literal('event'), event: SyncEventSchema }),
]);
export type LiveFrame = z.infer<typeof LiveFrameSchema>;
