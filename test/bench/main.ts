/**
 * `npm run bench`: every figure printed with its ratio to a baseline measured in the same run.
 * Options: --duration S (load duration per ingest run, default 8), --only server|sync|till.
 */
import { parseArgs } from 'node:util';
import { freshPgSchema } from '../server/helpers.ts';
import { benchServer } from './server.ts';
import { printFigure } from './stats.ts';
import { benchSync } from './sync-push.ts';
import { benchTill } from './till.ts';

const { values } = parseArgs({ options: { duration: { type: 'string', default: '8' }, only: { type: 'string' } } });
const durationS = Number(values.duration);

process.stdout.write(`Kasir QRIS benchmarks — node ${process.version}, ${new Date().toISOString()}\n\n`);
if (!values.only || values.only === 'server') {
  process.stdout.write('sync-server (SQLite)\n');
  for (const f of await benchServer({ durationS })) printFigure(f);
  if (process.env.TEST_DATABASE_URL) {
    process.stdout.write('\nsync-server (PostgreSQL)\n');
    const s = await freshPgSchema(process.env.TEST_DATABASE_URL);
    try {
      for (const f of await benchServer({ durationS, databaseUrl: s.url })) printFigure(f);
    } finally {
      await s.drop();
    }
  }
}
if (!values.only || values.only === 'sync') {
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
if (!values.only || values.only === 'till') {
  process.stdout.write('\ntill (Chromium through the web host; till core on SQLite)\n');
  for (const f of await benchTill({ samples: 30 })) printFigure(f);
}
process.exit(0);
