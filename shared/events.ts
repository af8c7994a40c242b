/**
 * Events the server publishes to a store's tills, both pulled by cursor (`GET /v1/sync/pull`) and pushed live
 * (`GET /v1/sync/live`). `seq` is the store-wide, strictly increasing cursor.
 */
import { z } from 'zod';
import { PaymentViewSchema } from './schemas/sync-api.ts';

export const PaymentUpdatedEventSchema = z.object({
  seq: z.number().int().positive(),
  type: z.literal('payment.updated'),
  store_id: z.string(),
  at: z.number().int(),
  payment: PaymentViewSchema,
});

export const SyncEventSchema = z.discriminatedUnion('type', [PaymentUpdatedEventSchema]);
export type SyncEvent = z.infer<typeof SyncEventSchema>;
export type SyncEventType = SyncEvent['type'];

export const PullResponseSchema = z.object({ events: z.array(SyncEventSchema), cursor: z.number().int() });
export type PullResponse = z.infer<typeof PullResponseSchema>;

/** Frames on the live WebSocket, server → till. The till resumes with `?cursor=N`: it misses nothing. */
export const LiveFrameSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('hello'), cursor: z.number().int(), server_time: z.number().int() }),
  z.object({ kind: z.literal('event'), event: SyncEventSchema }),
]);
export type LiveFrame = z.infer<typeof LiveFrameSchema>;
