import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { startSystem } from '../../scripts/system.ts';
import { buildQris, template, tlv, toDynamic } from '../../shared/qris/index.ts';
import { openDatabase } from '../../sync-server/src/db/database.ts';
import { migrationFactories } from '../../sync-server/src/db/migrations/index.ts';
import { getStore } from '../../sync-server/src/repos/stores-repo.ts';
import { authenticateDevice } from '../../sync-server/src/services/devices.ts';
import { freshPgSchema, PG_URL } from './helpers.ts';

const root = join(import.meta.dirname, '../..');
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'kasir-cli-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function dbConfig(dir: string) {
  if (!PG_URL)
    return {
      cfg: { kind: 'sqlite' as const, file: join(dir, 'server', 'server.sqlite') },
      env: { DATA_DIR: join(dir, 'server') },
      drop: async () => {},
    };
  const s = await freshPgSchema();
  return { cfg: { kind: 'postgres' as const, url: s.url }, env: { DATABASE_URL: s.url }, drop: s.drop };
}

describe('enrol-device', () => {
  it('prints a token once, stores only its hash, and the token authenticates the device', async () => {
    const dir = tmp();
    const { cfg, env, drop } = await dbConfig(dir);
    const r = spawnSync(
      process.execPath,
      [
        'sync-server/src/main.ts',
        'enrol-device',
        '--store',
        'toko-1',
        '--name',
        'Kasir 1',
        '--store-name',
        'Toko Satu',
      ],
      {
        cwd: root,
        env: { ...process.env, ...env, LOG_LEVEL: 'silent' },
        encoding: 'utf8',
      },
    );
    expect(r.status, r.stderr).toBe(0);
    const token = r.stdout.trim();
    expect(token).toMatch(/^kq1\.[0-9a-f-]{36}\.[A-Za-z0-9_-]{43}$/);
    const database = openDatabase(cfg);
    try {
      const device = await authenticateDevice(database.db, token);
      expect(device).toMatchObject({ store_id: 'toko-1', name: 'Kasir 1' });
      expect(device!.token_hash).not.toContain(token.split('.')[2]);
      expect(
        await authenticateDevice(database.db, `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`),
      ).toBeNull();
    } finally {
      await database.close();
      await drop();
    }
  });

  it('refuses missing arguments with a one-line reason and a non-zero exit', () => {
    const r = spawnSync(process.execPath, ['sync-server/src/main.ts', 'enrol-device', '--store', 'x'], {
      cwd: root,
      env: { ...process.env, DATA_DIR: join(tmp(), 'server') },
      encoding: 'utf8',
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('the CLI and npm start share one database by default', () => {
  /** The CLI as `npm run server` runs it: from `cwd`, with no DATA_DIR or DATABASE_URL of its own. */
  const cli = (cwd: string, args: string[], extra: Record<string, string> = {}) => {
    const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'silent', ...extra };
    if (!('DATA_DIR' in extra)) delete env.DATA_DIR;
    delete env.DATABASE_URL;
    return spawnSync(process.execPath, [join(root, 'sync-server/src/main.ts'), ...args], {
      cwd,
      env,
      encoding: 'utf8',
    });
  };

  it('set-provider finds the demo store of a database made the way npm start makes it', async () => {
    const project = tmp();
    // scripts/start.ts: startSystem({ dataDir: <project>/data }) and the demo store toko-demo.
    const sys = await startSystem({ dataDir: join(project, 'data'), port: 0 });
    try {
      await sys.enrolDevice({ storeId: 'toko-demo', storeName: 'Toko Demo Kasir', deviceName: 'Kasir 1' });
      // While npm start's server is running, as an operator would.
      const r = cli(project, ['set-provider', '--store', 'toko-demo', '--provider', 'midtrans']);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('store toko-demo now uses midtrans');
      expect((await getStore(sys.server.ctx.database.db, 'toko-demo'))?.provider).toBe('midtrans');
    } finally {
      await sys.stop();
    }
  });

  it('says which database has no such store', () => {
    const project = tmp();
    const r = cli(project, ['set-provider', '--store', 'toko-lain', '--provider', 'xendit']);
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`no store toko-lain in ${join(realpathSync(project), 'data/server/server.sqlite')}`);
  });

  it('does not silently start empty beside a database kept under the old default ./data', () => {
    const project = tmp();
    expect(
      cli(project, ['enrol-device', '--store', 'toko-lama', '--name', 'Kasir 1'], { DATA_DIR: './data' }).status,
    ).toBe(0);
    const refused = cli(project, ['set-provider', '--store', 'toko-lama', '--provider', 'midtrans']);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toContain('DATA_DIR=./data');
    expect(existsSync(join(project, 'data', 'server', 'server.sqlite'))).toBe(false);
    const kept = cli(project, ['set-provider', '--store', 'toko-lama', '--provider', 'midtrans'], {
      DATA_DIR: './data',
    });
    expect(kept.status, kept.stderr).toBe(0);
  });
});

describe('migrations', () => {
  it('migrates an empty database from zero, and a second run applies nothing', async () => {
    const { cfg, drop } = await dbConfig(tmp());
    const database = openDatabase(cfg);
    try {
      expect(await database.migrate()).toEqual(Object.keys(migrationFactories));
      expect(await database.migrate()).toEqual([]);
    } finally {
      await database.close();
      await drop();
    }
  });

  it('refuses to start when the applied migrations are not a prefix of the known ones', async () => {
    const { cfg, drop } = await dbConfig(tmp());
    const database = openDatabase(cfg);
    try {
      await database.migrate();
      await sql`insert into kysely_migration (name, timestamp) values ('0000-from-the-future', '2030-01-01')`.execute(
        database.db,
      );
      await expect(database.migrate()).rejects.toThrow(/migration/i);
    } finally {
      await database.close();
      await drop();
    }
  });
});

describe('offline QRIS commands', () => {
  const cliIn = (dir: string, args: string[]) =>
    spawnSync(process.execPath, [join(root, 'sync-server/src/main.ts'), ...args], {
      cwd: dir,
      env: { ...process.env, DATA_DIR: join(dir, 'server'), LOG_LEVEL: 'silent' },
      encoding: 'utf8',
    });

  it('registers a printed static QRIS (validated by the codec) and the store limits', async () => {
    const dir = tmp();
    expect(cliIn(dir, ['enrol-device', '--store', 'toko-a', '--name', 'Kasir 1']).status).toBe(0);
    // reference/qris.md V01 is dynamic (01=12): refused; a static one is taken.
    const printed = buildQris([
      tlv('00', '01'),
      tlv('01', '11'),
      template('26', [tlv('00', 'ID.CO.QRIS.WWW'), tlv('01', '936000140000012345')]),
      template('51', [tlv('00', 'ID.CO.QRIS.WWW'), tlv('02', 'ID1020000000017'), tlv('03', 'UMI')]),
      tlv('52', '5411'),
      tlv('53', '360'),
      tlv('58', 'ID'),
      tlv('59', 'TOKO A'),
      tlv('60', 'BANDUNG'),
    ]);
    const dynamic = toDynamic(printed, { amount: 1_000 });
    const refused = cliIn(dir, ['set-static-qris', '--store', 'toko-a', '--qris', dynamic]);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('dynamic, not static');
    const broken = cliIn(dir, ['set-static-qris', '--store', 'toko-a', '--qris', `${printed.slice(0, -4)}0000`]);
    expect(broken.status).not.toBe(0);
    expect(cliIn(dir, ['set-static-qris', '--store', 'toko-a', '--qris', printed]).status).toBe(0);
    expect(
      cliIn(dir, ['set-offline-limits', '--store', 'toko-a', '--max-amount', '250000', '--max-unverified', '1000000'])
        .status,
    ).toBe(0);
    expect(
      cliIn(dir, ['set-offline-limits', '--store', 'toko-a', '--max-amount', 'lots', '--max-unverified', '1']).status,
    ).toBe(2);
    const database = openDatabase({ kind: 'sqlite', file: join(dir, 'server', 'server.sqlite') });
    try {
      expect(await getStore(database.db, 'toko-a')).toMatchObject({
        static_qris: printed,
        static_provider: null,
        offline_max_amount: 250_000,
        offline_max_unverified: 1_000_000,
      });
    } finally {
      await database.close();
    }
  }, 120_000);
});
