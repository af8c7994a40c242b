import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { seedDemoCatalog } from '../../../electron/core/catalog/demo-catalog.ts';
import { MigrationError, migrate, readMigrations } from '../../../electron/core/db/migrate.ts';
import { openDatabase } from '../../../electron/core/db/open.ts';
import { countOutbox, listOutbox } from '../../../electron/core/db/repos/outbox-repo.ts';
import { findActiveByCode, insertProduct, listProducts } from '../../../electron/core/db/repos/products-repo.ts';
import { getSaleLines } from '../../../electron/core/db/repos/sales-repo.ts';
import { readSettings, writeSettings } from '../../../electron/core/db/repos/settings-repo.ts';
import { advanceCursor, readSyncState } from '../../../electron/core/db/repos/sync-state-repo.ts';
import { recordSale } from '../../../electron/core/sales/sales.ts';
import { newId } from '../../../shared/ids.ts';
import { rupiah } from '../../../shared/money.ts';
import { tempDir } from './helpers.ts';

describe('migrations', () => {
  it('migrates an empty database from zero and records every file', () => {
    const db = new Database(':memory:');
    const files = readMigrations();
    expect(files.length).toBeGreaterThan(0);
    expect(migrate(db, files)).toEqual(files.map((f) => f.id));
    const applied = db.prepare('SELECT id FROM schema_migrations ORDER BY id').all() as { id: string }[];
    expect(applied.map((r) => r.id)).toEqual(files.map((f) => f.id));
    // A second run applies nothing.
    expect(migrate(db, files)).toEqual([]);
    db.close();
  });

  it('opens a file database in WAL with full sync, foreign keys and a busy timeout', () => {
    const db = openDatabase({ dataDir: join(tempDir(), 'nested', 'till') });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    db.close();
  });

  it('refuses a database whose applied migrations are not a prefix of the files', () => {
    const dir = tempDir();
    const db = new Database(join(dir, 'x.sqlite'));
    const files = readMigrations();
    migrate(db, files);
    db.prepare('INSERT INTO schema_migrations (id, applied_at) VALUES (?, 0)').run('0999_from_the_future');
    expect(() => migrate(db, files)).toThrow(MigrationError);
    db.close();
  });

  it('rolls a failing migration back completely, recording nothing', () => {
    const dir = tempDir();
    const migDir = join(dir, 'migrations');
    mkdirSync(migDir);
    writeFileSync(join(migDir, '0001_ok.sql'), 'CREATE TABLE a (x INTEGER);');
    writeFileSync(join(migDir, '0002_bad.sql'), 'CREATE TABLE b (x INTEGER); INSERT INTO nope VALUES (1);');
    const db = new Database(':memory:');
    expect(() => migrate(db, readMigrations(migDir))).toThrow();
    const applied = db.prepare('SELECT id FROM schema_migrations').all() as { id: string }[];
    expect(applied.map((r) => r.id)).toEqual(['0001_ok']);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'b'").get()).toEqual({ n: 0 });
    db.close();
  });

  it('rejects a migration file that is not NNNN_name.sql', () => {
    const migDir = join(tempDir(), 'm');
    mkdirSync(migDir);
    writeFileSync(join(migDir, '1_bad.sql'), 'SELECT 1;');
    expect(() => readMigrations(migDir)).toThrow(MigrationError);
  });
});

describe('repositories', () => {
  it('seeds the demo catalog once and finds products by SKU or barcode', () => {
    const db = openDatabase({ dataDir: tempDir() });
    expect(seedDemoCatalog(db).inserted).toBe(13);
    expect(seedDemoCatalog(db).inserted).toBe(0);
    const all = listProducts(db);
    expect(all).toHaveLength(13);
    const air = all.find((p) => p.sku === 'AIR-600')!;
    expect(air.price).toBe(3500);
    expect(findActiveByCode(db, air.barcode!)?.id).toBe(air.id);
    expect(findActiveByCode(db, 'AIR-600')?.id).toBe(air.id);
    expect(findActiveByCode(db, 'nope')).toBeNull();
    expect(listProducts(db, { query: 'mie' }).map((p) => p.sku)).toEqual(['MIE-GRG']);
    // LIKE wildcards typed by a cashier are literal characters.
    expect(listProducts(db, { query: '%' })).toEqual([]);
    db.close();
  });

  it('hides inactive products unless asked', () => {
    const db = openDatabase({ dataDir: tempDir() });
    insertProduct(db, { id: newId(), sku: 'OLD', barcode: null, name: 'Old', price: rupiah(1000), active: false }, 1);
    expect(listProducts(db)).toEqual([]);
    expect(listProducts(db, { includeInactive: true })).toHaveLength(1);
    expect(findActiveByCode(db, 'OLD')).toBeNull();
    db.close();
  });

  it('refuses fractional or negative money at the database level too', () => {
    const db = openDatabase({ dataDir: tempDir() });
    const bad = (price: number) => () =>
      insertProduct(db, { id: newId(), sku: `S${price}`, barcode: null, name: 'x', price: price as never }, 1);
    expect(bad(10.5)).toThrow(/CHECK/);
    expect(bad(-1)).toThrow(/CHECK/);
    db.close();
  });

  it('stores settings as JSON values and moves the sync cursor only forward', () => {
    const db = openDatabase({ dataDir: tempDir() });
    writeSettings(db, { serverUrl: 'http://x', deviceToken: null, skipped: undefined });
    expect(readSettings(db)).toEqual({ serverUrl: 'http://x', deviceToken: null });
    advanceCursor(db, 7, 100);
    advanceCursor(db, 3, 200);
    expect(readSyncState(db)).toEqual({ cursor: 7, lastSyncedAt: 200 });
    db.close();
  });
});

describe('sale + outbox atomicity', () => {
  it('writes the sale, its lines and its outbox row together, priced from the catalog', () => {
    const db = openDatabase({ dataDir: tempDir() });
    seedDemoCatalog(db);
    const [a, b] = listProducts(db);
    const sale = recordSale(
      db,
      {
        lines: [
          { productId: a!.id, qty: 2 },
          { productId: b!.id, qty: 1 },
        ],
        discount: { kind: 'percent_bp', value: 1000 },
      },
      1_000,
    );
    const subtotal = a!.price * 2 + b!.price;
    expect(sale.subtotal).toBe(subtotal);
    expect(sale.discountAmount).toBe(Math.round(subtotal / 10));
    expect(sale.total).toBe(subtotal - sale.discountAmount);
    expect(getSaleLines(db, sale.id).map((l) => [l.productId, l.qty, l.lineTotal])).toEqual([
      [a!.id, 2, a!.price * 2],
      [b!.id, 1, b!.price],
    ]);
    const out = listOutbox(db);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ kind: 'sale.created', entityId: sale.id, attempts: 0, parked: false });
    expect(countOutbox(db)).toEqual({ pending: 1, parked: 0 });
    db.close();
  });

  it('leaves nothing behind when any part of the sale fails', () => {
    const db = openDatabase({ dataDir: tempDir() });
    seedDemoCatalog(db);
    const [a] = listProducts(db);
    // The second line names an unknown product: the first line must not survive either.
    expect(() =>
      recordSale(
        db,
        {
          lines: [
            { productId: a!.id, qty: 1 },
            { productId: newId(), qty: 1 },
          ],
        },
        1,
      ),
    ).toThrow(/unknown product/);
    const n = (t: string) => (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
    expect([n('sales'), n('sale_lines'), n('outbox')]).toEqual([0, 0, 0]);
    // And a failing outbox write in the same transaction rolls the sale back with it.
    expect(() =>
      db.transaction(() => {
        recordSale(db, { lines: [{ productId: a!.id, qty: 1 }] }, 1);
        db.prepare(
          "INSERT INTO outbox (id, mutation_id, kind, entity_id, payload, created_at, next_attempt_at) VALUES ('x',999,'k','e','not json',1,1)",
        ).run();
      })(),
    ).toThrow(/CHECK/);
    expect([n('sales'), n('sale_lines'), n('outbox')]).toEqual([0, 0, 0]);
    db.close();
  });
});
