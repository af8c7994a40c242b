import { sql } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { AnyDb, Dialect } from './index.ts';

/**
 * Store managers and their dashboard (issue 8): managers with argon2id password hashes, sessions kept only as a
 * SHA-256 of their id (a copy of the database opens no session), an append-only audit log, the queue state each
 * till reports with its pushes, and a payment's review resolution.
 */
export const m0009Managers = (dialect: Dialect): Migration => ({
  async up(db: AnyDb) {
    const serial = dialect === 'postgres' ? 'bigserial' : 'integer';

    await db.schema
      .createTable('managers')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
      /** Lower-cased and trimmed; unique per store (one person may manage several stores, one login each). */
      .addColumn('email', 'text', (c) => c.notNull())
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('managers_store_email', ['store_id', 'email'])
      .execute();
    await db.schema.createIndex('managers_email').on('managers').column('email').execute();

    await db.schema
      .createTable('manager_sessions')
      /** sha256(session id) hex: the cookie carries the id, the database only its hash. */
      .addColumn('id_hash', 'text', (c) => c.primaryKey())
      .addColumn('manager_id', 'text', (c) => c.notNull().references('managers.id'))
      /** The CSRF token for this session (useless without the session cookie, which is HttpOnly). */
      .addColumn('csrf_secret', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('manager_sessions_manager').on('manager_sessions').column('manager_id').execute();
    await db.schema.createIndex('manager_sessions_expires').on('manager_sessions').column('expires_at').execute();

    await db.schema
      .createTable('audit_log')
      .addColumn('id', serial, (c) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
      /** null for server-wide entries no store's manager sees. */
      .addColumn('store_id', 'text', (c) => c.references('stores.id'))
      .addColumn('at', 'bigint', (c) => c.notNull())
      /** manager | device | provider | sweeper | system */
      .addColumn('actor_kind', 'text', (c) => c.notNull())
      .addColumn('actor_id', 'text')
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('subject_type', 'text')
      .addColumn('subject_id', 'text')
      /** A JSON object. */
      .addColumn('detail', 'text')
      .execute();
    await db.schema.createIndex('audit_log_store').on('audit_log').columns(['store_id', 'id']).execute();
    await db.schema
      .createIndex('audit_log_subject')
      .on('audit_log')
      .columns(['store_id', 'subject_type', 'subject_id'])
      .execute();
    // Append-only in the database itself, not only by convention: an UPDATE or DELETE fails.
    if (dialect === 'postgres') {
      await sql`create function audit_log_append_only() returns trigger language plpgsql as $$
        begin raise exception 'audit_log is append-only'; end $$`.execute(db);
      await sql`create trigger audit_log_no_change before update or delete on audit_log
        for each row execute function audit_log_append_only()`.execute(db);
    } else {
      await sql`create trigger audit_log_no_update before update on audit_log
        begin select raise(abort, 'audit_log is append-only'); end`.execute(db);
      await sql`create trigger audit_log_no_delete before delete on audit_log
        begin select raise(abort, 'audit_log is append-only'); end`.execute(db);
    }

    // What the till says about its queue at each push (device_sync already has last_push_at and clock_skew_ms;
    // devices has last_seen_at). Times are converted to the server's clock.
    for (const col of ['queue_depth', 'parked', 'oldest_unsynced_at', 'unverified_amount', 'state_reported_at']) {
      await db.schema.alterTable('device_sync').addColumn(col, 'bigint').execute();
    }

    // A manager's resolution of a payment in the review queue.
    await db.schema.alterTable('payments').addColumn('reviewed_at', 'bigint').execute();
    await db.schema.alterTable('payments').addColumn('reviewed_by', 'text').execute();
    await db.schema.alterTable('payments').addColumn('review_note', 'text').execute();
    await db.schema.createIndex('payments_review').on('payments').columns(['store_id', 'status', 'late']).execute();
    await db.schema
      .createIndex('cash_payments_store_created')
      .on('cash_payments')
      .columns(['store_id', 'client_created_at'])
      .execute();

    // A manager's replay of a stored delivery points at the delivery it replays.
    await db.schema.alterTable('webhook_events').addColumn('replay_of', 'bigint').execute();
    await db.schema.createIndex('webhook_events_payment').on('webhook_events').columns(['payment_id', 'id']).execute();
  },
});
