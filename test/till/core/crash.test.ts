import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DB_FILE_NAME } from '../../../electron/core/db/open.ts';
import { makeCore, tempDir } from './helpers.ts';

const child = join(import.meta.dirname, 'sale-burst-child.ts');

/** Runs the burst child and SIGKILLs it once it has reported `killAfter` committed sales. */
function burstAndKill(dataDir: string, killAfter: number) {
  return new Promise<{ committed: string[]; signal: NodeJS.Signals | null; code: number | null }>((resolve, reject) => {
    const p = spawn(process.execPath, [child, dataDir, '200'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const committed: string[] = [];
    let buf = '';
    let killed = false;
    p.stdout.on('data', (chunk: Buffer) => {
      buf += chunk.toString();
      let nl = buf.indexOf('\n');
      while (nl >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        nl = buf.indexOf('\n');
        // Lines already in the pipe when the kill is sent were committed too: keep reading them.
        if (line.startsWith('COMMITTED ')) committed.push(line.slice('COMMITTED '.length));
        if (!killed && committed.length >= killAfter) {
          killed = true;
          p.kill('SIGKILL');
        }
      }
    });
    p.on('error', reject);
    p.on('close', (code, signal) => resolve({ committed, signal, code }));
  });
}

describe('crash safety', () => {
  it('keeps every reported sale whole with its outbox row after a SIGKILL mid-burst', async () => {
    const dataDir = tempDir('till-crash-');
    const killAfter = 20 + Math.floor(Math.random() * 80);
    const run = await burstAndKill(dataDir, killAfter);
    // The child must really have died mid-burst, or this test would prove nothing.
    expect(run.signal).toBe('SIGKILL');
    expect(run.committed.length).toBeGreaterThanOrEqual(killAfter);
    expect(run.committed.length).toBeLessThan(200);
    expect(new Set(run.committed).size).toBe(run.committed.length);

    // Restart: the core reopens the same files (WAL recovery, migration prefix check) and keeps working.
    const core = makeCore({ dataDir });
    const db = core.db;
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('foreign_key_check')).toEqual([]);

    const sales = db.prepare('SELECT id, subtotal, total FROM sales').all() as {
      id: string;
      subtotal: number;
      total: number;
    }[];
    const ids = new Set(sales.map((s) => s.id));
    for (const id of run.committed) expect(ids.has(id)).toBe(true);
    // At most the one sale whose COMMITTED line the kill cut off can exist beyond those reported.
    expect(sales.length - run.committed.length).toBeLessThanOrEqual(1);

    const lineStats = db.prepare(
      'SELECT count(*) AS n, coalesce(sum(line_total), 0) AS sum FROM sale_lines WHERE sale_id = ?',
    );
    const outboxOf = db.prepare('SELECT kind, payload FROM outbox WHERE entity_id = ?');
    for (const s of sales) {
      const l = lineStats.get(s.id) as { n: number; sum: number };
      expect(l.n).toBeGreaterThan(0);
      expect(l.sum).toBe(s.subtotal);
      const out = outboxOf.all(s.id) as { kind: string; payload: string }[];
      expect(out.map((o) => o.kind)).toEqual(['sale.created']);
      expect((JSON.parse(out[0]!.payload) as { lines: unknown[] }).lines).toHaveLength(l.n);
    }
    const orphans = db
      .prepare(
        `SELECT (SELECT count(*) FROM sale_lines WHERE sale_id NOT IN (SELECT id FROM sales)) AS lines,
                (SELECT count(*) FROM outbox WHERE entity_id NOT IN (SELECT id FROM sales)) AS outbox,
                (SELECT count(*) FROM outbox) AS total_outbox`,
      )
      .get() as { lines: number; outbox: number; total_outbox: number };
    expect(orphans).toEqual({ lines: 0, outbox: 0, total_outbox: sales.length });

    // The restarted till records the next sale normally.
    const p = core.listCatalog(undefined)[0]!;
    const next = core.createSale({ lines: [{ productId: p.id, qty: 1 }] });
    expect(core.status().pendingOutbox).toBe(sales.length + 1);
    core.close();
    // And the files are still readable by a plain SQLite connection.
    const plain = new Database(join(dataDir, DB_FILE_NAME), { readonly: true });
    expect(plain.prepare('SELECT count(*) AS n FROM sales WHERE id = ?').get(next.id)).toEqual({ n: 1 });
    plain.close();
  });
});
