/**
 * `npm run bench`: every figure printed with its ratio to a baseline measured in the same run.
 * Options: --duration S (load duration per ingest run, default 8), --only server|sqlite|pg|sync|till|ws (server =
 * sqlite and pg; pg needs TEST_DATABASE_URL; ws = 10,000 live sockets, and two instances when pg is available),
 * --sockets N (ws: live sockets, default 10000). A bare word works too: `npm run bench -- pg`.
 */
import { parseArgs } from 'node:util';
import { freshPgSchema } from '../server/helpers.ts';
import { benchPgIngest } from './pg-ingest.ts';
import { benchServer } from './server.ts';
import { printFigure } from './stats.ts';
import { benchSync } from './sync-push.ts';
import { benchTill } from './till.ts';
import { fanoutFigures, runFanout } from './ws-fanout.ts';

const { values, positionals } = parseArgs({
  options: {
    duration: { type: 'string', default: '8' },
    only: { type: 'string' },
    sockets: { type: 'string', default: '10000' },
  },
  allowPositionals: true,
});
const durationS = Number(values.duration);
const only = values.only ?? positionals[0];
const want = (part: 'sqlite' | 'pg' | 'sync' | 'till' | 'ws') =>
  !only || only === part || (only === 'server' && (part === 'sqlite' || part === 'pg'));

process.stdout.write(`Kasir QRIS benchmarks — node ${process.version}, ${new Date().toISOString()}\n\n`);
if (want('sqlite')) {
  process.stdout.write('sync-server (SQLite)\n');
  for (const f of await benchServer({ durationS })) printFigure(f);
}
if (want('pg')) {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    process.stdout.write('\nsync-server (PostgreSQL): skipped, TEST_DATABASE_URL is not set\n');
  } else {
    process.stdout.write('\nsync-server (PostgreSQL)\n');
    for (const stores of [100, 1]) {
      const s = await freshPgSchema(url);
      try {
        for (const f of await benchPgIngest({ durationS, databaseUrl: s.url, stores })) printFigure(f);
      } finally {
        await s.drop();
      }
    }
    const s = await freshPgSchema(url);
    try {
      for (const f of await benchServer({ durationS, databaseUrl: s.url, ingest: false })) printFigure(f);
    } finally {
      await s.drop();
    }
  }
}
if (want('sync')) {
  process.stdout.write('\noutbox sync (till core → POST /v1/sync/push, SQLite server)\n');
  for (const f of await benchSync()) printFigure(f);
  if (process.env.TEST_DATABASE_URL) {
    process.stdout.write('\noutbox sync (PostgreSQL server)\n');
    const s = await freshPgSchema(process.env.TEST_DATABASE_URL);
    try {
      for (const f of await benchSync({ databaseUrl: s.url })) printFigure(f);
    } finally {
      await s.drop();
    }
  }
}
if (want('till')) {
  process.stdout.write('\ntill (Chromium through the web host; till core on SQLite)\n');
  for (const f of await benchTill({ samples: 30 })) printFigure(f);
}
if (want('ws')) {
  // 10 tills per store, as a chain's larger shops have; 100 events/s to random stores (each of 1,000 stores an
  // event every 10 s, busier than a shop's rush hour).
  const sockets = Number(values.sockets);
  const devicesPerStore = 10;
  const run = (n: number, extra: { databaseUrl?: string; twoInstances?: boolean } = {}) =>
    runFanout({
      stores: Math.max(1, Math.round(n / devicesPerStore)),
      devicesPerStore,
      events: 2_000,
      ratePerS: 100,
      ...extra,
    });
  process.stdout.write('\nlive sockets (one instance, SQLite; tills in another process)\n');
  const base = await run(Math.round(sockets / 10));
  const big = await run(sockets);
  for (const f of fanoutFigures(`${big.sockets} sockets`, big, base)) printFigure(f);
  for (const f of fanoutFigures(`${base.sockets} sockets`, base)) printFigure(f);
  const url = process.env.TEST_DATABASE_URL;
  if (!url) process.stdout.write('\nlive sockets across two instances: skipped, TEST_DATABASE_URL is not set\n');
  else {
    process.stdout.write('\nlive sockets across two instances (PostgreSQL; tills on A, webhooks into B)\n');
    const s = await freshPgSchema(url);
    try {
      const two = await run(sockets, { databaseUrl: s.url, twoInstances: true });
      for (const f of fanoutFigures(`${two.sockets} sockets, A→B`, two, big)) printFigure(f);
    } finally {
      await s.drop();
    }
  }
}
process.exit(0);
