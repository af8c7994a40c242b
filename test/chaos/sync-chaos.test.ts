/**
 * Chaos: 1,000 cash sales rung up on a till core whose every connection to the server goes through a proxy
 * that cuts connections at random, while the till core process is SIGKILLed and restarted at least 100 times
 * and the sync-server process is SIGKILLed and restarted during pushes. Afterwards the server must hold every
 * sale exactly once, the till's queue must be empty with nothing parked, and the totals must match to the
 * rupiah. Runs on SQLite, and on PostgreSQL when KQ_TEST_DATABASE_URL is set.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { build } from 'esbuild';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/system.ts';
import { newId } from '../../shared/ids.ts';
import { openDatabase } from '../../sync-server/src/db/database.ts';
import { enrolDevice } from '../../sync-server/src/services/devices.ts';
import { freshPgSchema, PG_URL } from '../server/helpers.ts';
import { startChaosProxy } from './tcp-proxy.ts';

const SALES = 1_000;
const TILL_KILLS = 100;
const here = import.meta.dirname;
const root = join(here, '..', '..');
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

/**
 * The children are bundled once (esbuild, as the Electron build does) so that each of the 100+ restarts costs
 * one file to load rather than hundreds of TypeScript modules: restarts are the test's running time.
 * The bundle lives under node_modules so that the native better-sqlite3 it leaves external resolves.
 */
let bundleDir = '';
beforeAll(async () => {
  bundleDir = join(root, 'node_modules', '.cache', `kq-chaos-${process.pid}`);
  mkdirSync(bundleDir, { recursive: true });
  cleanups.push(() => rmSync(bundleDir, { recursive: true, force: true }));
  // Bundled CommonJS dependencies still call require(); give the ESM bundle one.
  const banner =
    "import { createRequire as __kqRequire } from 'node:module'; const require = __kqRequire(import.meta.url);";
  await Promise.all(
    ['till-child', 'server-child'].map((name) =>
      build({
        entryPoints: [join(here, `${name}.ts`)],
        outfile: join(bundleDir, `${name}.mjs`),
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node24',
        // pg-listen's pg-format reads __dirname, which an ESM bundle does not have: load those from node_modules.
        external: ['better-sqlite3', 'pg-native', 'pg-listen', '@node-rs/argon2'],
        banner: { js: banner },
        logLevel: 'warning',
      }),
    ),
  );
  // The till core finds its SQL migrations beside its code.
  cpSync(join(root, 'electron/core/db/migrations'), join(bundleDir, 'migrations'), { recursive: true });
}, 120_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rand = (a: number, b: number) => a + Math.floor(Math.random() * (b - a));

type Child = { p: ChildProcess; lines: string[]; exited: Promise<NodeJS.Signals | number | null> };

function startChild(file: string, args: string[], env: NodeJS.ProcessEnv = process.env): Child {
  const p = spawn(process.execPath, [join(bundleDir, file.replace(/\.ts$/, '.mjs')), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    // V8's compile cache: each restart skips compiling the bundle again (restarts are the running time).
    env: { ...env, NODE_COMPILE_CACHE: join(bundleDir, 'v8-cache') },
  });
  const lines: string[] = [];
  let buf = '';
  p.stdout!.on('data', (c: Buffer) => {
    buf += c.toString();
    let nl = buf.indexOf('\n');
    while (nl >= 0) {
      lines.push(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
      nl = buf.indexOf('\n');
    }
  });
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    p.on('exit', (code, signal) => resolve(signal ?? code)),
  );
  return { p, lines, exited };
}

async function waitLine(c: Child, line: string, ms = 30_000): Promise<boolean> {
  const end = Date.now() + ms;
  let exited = false;
  void c.exited.then(() => {
    exited = true;
  });
  while (!c.lines.includes(line)) {
    if (exited || Date.now() > end) return false;
    await sleep(5);
  }
  return true;
}

async function kill(c: Child): Promise<void> {
  if (c.p.exitCode === null && c.p.signalCode === null) c.p.kill('SIGKILL');
  await c.exited;
}

const log = (m: string) => process.stderr.write(`[chaos] ${m}\n`);

async function chaos(kind: 'sqlite' | 'postgres') {
  const dir = mkdtempSync(join(tmpdir(), 'kasir-chaos-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const pg = kind === 'postgres' ? await freshPgSchema() : null;
  if (pg) cleanups.push(() => pg.drop());
  const serverDir = join(dir, 'server');
  const dbConfig = pg
    ? ({ kind: 'postgres', url: pg.url } as const)
    : ({ kind: 'sqlite', file: join(serverDir, 'server.sqlite') } as const);

  // Enrol the till directly in the server's database, as `npm run server -- enrol-device` does.
  const storeId = `store-${newId().slice(-12)}`;
  const setup = openDatabase(dbConfig);
  await setup.migrate();
  const { token, deviceId } = await enrolDevice(setup.db, {
    storeId,
    deviceName: 'Kasir chaos',
    provider: 'xendit',
    now: Date.now(),
  });
  await setup.close();

  const port = await freePort();
  const env = { ...process.env, HOST: '127.0.0.1', PORT: String(port), DATA_DIR: serverDir };
  if (pg) Object.assign(env, { DATABASE_URL: pg.url });
  let server = startChild('server-child.ts', [], env);
  cleanups.push(() => kill(server));
  expect(await waitLine(server, 'READY')).toBe(true);

  const proxy = await startChaosProxy({ upstreamPort: port, refuseRate: 0.2, maxLifetimeMs: 120 });
  cleanups.push(() => proxy.close());
  const tillUrl = `http://127.0.0.1:${proxy.port}`;
  const tillDir = join(dir, 'till');

  // The server is killed every 0.4–1.5 s while the till pushes after every sale, and started again.
  let serverKills = 0;
  let stopServerKiller = false;
  const serverKiller = (async () => {
    while (!stopServerKiller) {
      await sleep(rand(400, 1_500));
      if (stopServerKiller) break;
      await kill(server);
      serverKills++;
      await sleep(rand(0, 300));
      for (;;) {
        server = startChild('server-child.ts', [], env);
        if (await waitLine(server, 'READY')) break;
        await kill(server); // the port may still be held for a moment: try again
        await sleep(50);
      }
    }
  })();

  let tillKills = 0;
  let finished = false;
  while (!finished) {
    const till = startChild('till-child.ts', [tillDir, tillUrl, token, String(SALES), '15']);
    const ready = await waitLine(till, 'READY');
    if (tillKills < TILL_KILLS) {
      // Somewhere in the middle of making sales and pushing them: after commit, mid-push, mid-acknowledgement.
      // Counted in sales rather than milliseconds, so that a slow machine still spreads the sales over the lives.
      const k = rand(0, Math.floor((1.6 * SALES) / TILL_KILLS));
      const end = Date.now() + 20_000;
      while (ready && till.lines.filter((l) => l === 'SALE').length < k && !till.lines.includes('DONE')) {
        if (Date.now() > end || till.p.exitCode !== null) break;
        await sleep(2);
      }
      await sleep(rand(0, 40));
      if (till.lines.includes('DONE')) finished = true;
      else tillKills++;
      await kill(till);
      if (tillKills % 20 === 0) log(`till kills ${tillKills}, server kills ${serverKills}, cuts ${proxy.cuts()}`);
      continue;
    }
    // Enough kills: stop the chaos and let the last till drain on a healthy network.
    stopServerKiller = true;
    await serverKiller;
    proxy.calm();
    finished = await waitLine(till, 'DONE', 60_000);
    await kill(till);
    if (!finished) throw new Error('the till did not drain its queue after the chaos stopped');
  }
  stopServerKiller = true;
  await serverKiller;

  // The till's own record: never deleted, so it is the ground truth of what was sold.
  const tdb = new Database(join(tillDir, 'till.sqlite'), { readonly: true });
  const tillSales = tdb.prepare('SELECT id, total FROM sales ORDER BY id').all() as { id: string; total: number }[];
  const outbox = tdb.prepare('SELECT count(*) AS n, coalesce(sum(parked), 0) AS parked FROM outbox').get() as {
    n: number;
    parked: number;
  };
  // A kill between a sale's commit and its payment leaves that sale open (unpaid) on the till: it is still a
  // sale the server must hold, and its missing payment must stay missing there too.
  const tillCash = tdb
    .prepare(`SELECT count(*) AS n, coalesce(sum(amount), 0) AS s FROM payments WHERE method = 'cash'`)
    .get() as { n: number; s: number };
  const tillLines = (tdb.prepare('SELECT count(*) AS n FROM sale_lines').get() as { n: number }).n;
  const lastMutation = (tdb.prepare('SELECT last_mutation_id AS n FROM sync_state').get() as { n: number }).n;
  tdb.close();

  const check = openDatabase(dbConfig);
  try {
    const db = check.db;
    const serverSales = await db
      .selectFrom('sales')
      .select(['id', 'total'])
      .where('store_id', '=', storeId)
      .orderBy('id')
      .execute();
    const cash = await db
      .selectFrom('cash_payments')
      .select([sql<number>`count(*)`.as('n'), sql<number>`coalesce(sum(amount), 0)`.as('s')])
      .where('store_id', '=', storeId)
      .executeTakeFirstOrThrow();
    const lines = await db
      .selectFrom('sale_lines')
      .innerJoin('sales', 'sales.id', 'sale_lines.sale_id')
      .select(sql<number>`count(*)`.as('n'))
      .where('sales.store_id', '=', storeId)
      .executeTakeFirstOrThrow();
    const mutations = await db
      .selectFrom('sync_mutations')
      .select(['outcome', sql<number>`count(*)`.as('n')])
      .where('device_id', '=', deviceId)
      .groupBy('outcome')
      .execute();
    const mark = await db
      .selectFrom('device_sync')
      .select('last_mutation_id')
      .where('device_id', '=', deviceId)
      .executeTakeFirstOrThrow();

    const sum = (xs: { total: number }[]) => xs.reduce((a, x) => a + Number(x.total), 0);
    process.stdout.write(
      `[chaos ${kind}] sales=${tillSales.length} till kills=${tillKills} server kills=${serverKills} ` +
        `connection cuts=${proxy.cuts()} total=Rp ${sum(tillSales)} cash payments=${tillCash.n}\n`,
    );
    expect(tillSales).toHaveLength(SALES);
    expect(outbox).toEqual({ n: 0, parked: 0 });
    // Every sale exactly once, each with its own total, and the money the same to the rupiah.
    expect(serverSales.map((s) => [s.id, Number(s.total)])).toEqual(tillSales.map((s) => [s.id, s.total]));
    expect(sum(serverSales)).toBe(sum(tillSales));
    expect({ n: Number(cash.n), s: Number(cash.s) }).toEqual(tillCash);
    expect(tillCash.n).toBeGreaterThan(SALES * 0.9);
    expect(Number(lines.n)).toBe(tillLines);
    // Each mutation applied once: one log row per id, all applied, and the server's mark is the till's last id.
    expect(mutations.map((m) => [m.outcome, Number(m.n)])).toEqual([['applied', SALES + tillCash.n]]);
    expect(Number(mark.last_mutation_id)).toBe(lastMutation);
    expect(lastMutation).toBe(SALES + tillCash.n);
    // And the chaos really happened.
    expect(tillKills).toBeGreaterThanOrEqual(TILL_KILLS);
    expect(serverKills).toBeGreaterThanOrEqual(5);
    expect(proxy.cuts()).toBeGreaterThan(50);
  } finally {
    await check.close();
  }
}

// Like the server suite: the default run is SQLite; CI's PostgreSQL pass (KQ_TEST_DATABASE_URL set) runs PostgreSQL.
describe('sync under chaos', () => {
  it.skipIf(PG_URL)(
    'SQLite: every sale exactly once after random connection cuts, 100+ till kills and server kills mid-push',
    async () => {
      await chaos('sqlite');
    },
    900_000,
  );

  it.skipIf(!PG_URL)(
    'PostgreSQL: every sale exactly once after random connection cuts, 100+ till kills and server kills mid-push',
    async () => {
      await chaos('postgres');
    },
    900_000,
  );
});
