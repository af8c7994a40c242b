import { sql } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { AnyDb, Dialect } from './index.ts';

/**
 * Webhook bodies become bytes (bytea / BLOB) instead of text. PostgreSQL text cannot hold a NUL byte, so a
 * delivery containing one failed with a 500 and lost its audit row; and decoding bytes that are not UTF-8 to
 * text replaced them, so what was stored was not what the provider sent. Existing bodies were stored as the
 * UTF-8 decoding of what arrived, so their UTF-8 encoding is the best bytes there are.
 */
export const m0003RawBytes = (dialect: Dialect): Migration => ({
  async up(db: AnyDb) {
    if (dialect === 'postgres') {
      await sql`alter table webhook_events alter column raw_body type bytea using convert_to(raw_body, 'UTF8')`.execute(
        db,
      );
      return;
    }
    // SQLite cannot change a column's type: add the new column, copy, drop the old one and take its name.
    await db.schema
      .alterTable('webhook_events')
      .addColumn('raw_bytes', 'blob', (c) => c.notNull().defaultTo(sql`x''`))
      .execute();
    await sql`update webhook_events set raw_bytes = cast(raw_body as blob)`.execute(db);
    await db.schema.alterTable('webhook_events').dropColumn('raw_body').execute();
    await db.schema.alterTable('webhook_events').renameColumn('raw_bytes', 'raw_body').execute();
  },
});
