-- Till schema: draining the outbox to the server (POST /v1/sync/push).
-- Every outbox row gets a per-device mutation id, assigned from sync_state in the same transaction as the row;
-- the server applies each id once. Rows leave the outbox only when the server has acknowledged them.

ALTER TABLE outbox ADD COLUMN mutation_id INTEGER;
-- Rows written before this migration are numbered in the order they were made.
UPDATE outbox SET mutation_id = (
  SELECT count(*) FROM outbox o2
  WHERE o2.created_at < outbox.created_at OR (o2.created_at = outbox.created_at AND o2.id <= outbox.id)
);
CREATE UNIQUE INDEX outbox_mutation ON outbox (mutation_id);
-- The drain reads the oldest unparked entries in mutation order: an index in that order, not a sort per batch.
CREATE INDEX outbox_queue ON outbox (parked, mutation_id);
-- A row without an id could never be sent in order: refuse it rather than let it block the queue.
CREATE TRIGGER outbox_mutation_required BEFORE INSERT ON outbox WHEN NEW.mutation_id IS NULL
BEGIN
  SELECT RAISE(ABORT, 'outbox row without mutation_id');
END;
ALTER TABLE outbox ADD COLUMN parked_at INTEGER;

-- last_mutation_id: the last id handed out; acked_mutation_id: the last id the server acknowledged.
ALTER TABLE sync_state ADD COLUMN last_mutation_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sync_state ADD COLUMN acked_mutation_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sync_state ADD COLUMN last_pushed_at INTEGER;
UPDATE sync_state SET last_mutation_id = (SELECT coalesce(max(mutation_id), 0) FROM outbox) WHERE id = 1;
