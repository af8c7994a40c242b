/**
 * sync-server entry point.
 *   npm run server                       start serving (configuration from the environment)
 *   npm run server -- enrol-device --store S --name N [--store-name X] [--provider xendit|midtrans]
 *   npm run server -- set-provider --store S --provider xendit|midtrans
 *   npm run server -- set-static-qris --store S --qris '<the printed static QRIS payload>'
 *   npm run server -- set-offline-limits --store S --max-amount N --max-unverified N
 *   npm run server -- add-manager --store S --email E [--replace]
 *       password from KQ_MANAGER_PASSWORD, else read from stdin (one line; hidden when typed at a terminal)
 *   npm run server -- migrate
 *
 * Without DATA_DIR or DATABASE_URL the database is ./data/server/server.sqlite, the very file `npm start`
 * uses (it runs its server in <KASIR_DATA_DIR or ./data>/server), so the commands above act on the demo store.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatRupiah } from '../../shared/money.ts';
import { ProviderIdSchema } from '../../shared/schemas/sync-api.ts';
import { buildApp } from './app.ts';
import { ConfigError, loadConfig, maskedConfig } from './config.ts';
import { openDatabase } from './db/database.ts';
import { setOfflineLimits, setStaticQris, setStoreProvider } from './repos/stores-repo.ts';
import { enrolDevice } from './services/devices.ts';
import { addManager, ManagerInputError, normalizeEmail } from './services/managers.ts';
import { checkStaticQris } from './services/offline-qris.ts';

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

/** Where a server database lived before DATA_DIR defaulted to ./data/server (beside npm start's). */
const LEGACY_SQLITE = join('data', 'server.sqlite');

/** What a command acts on, for messages: the operator must be able to tell which database said "no store". */
const where = (c: ReturnType<typeof loadConfig>) =>
  c.database.kind === 'sqlite' ? resolve(c.database.file) : 'the PostgreSQL database in DATABASE_URL';

async function main(argv: string[]): Promise<void> {
  const [command = 'serve', ...rest] = argv;
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (e) {
    fail(e instanceof ConfigError ? e.message : String(e));
  }
  // A database made under the old default must not be silently replaced by an empty one in the new place.
  if (
    process.env.DATA_DIR === undefined &&
    config.database.kind === 'sqlite' &&
    existsSync(LEGACY_SQLITE) &&
    !existsSync(config.database.file)
  ) {
    fail(
      `found a server database at ./${LEGACY_SQLITE}, but the default is now ${config.database.file}: ` +
        `move it there (with its -wal/-shm files) or set DATA_DIR=./data`,
    );
  }

  if (command === 'serve') {
    const { app } = await buildApp({ config });
    app.log.info({ config: maskedConfig(config) }, 'configuration');
    await app.listen({ host: config.host, port: config.port });
    const stop = async () => {
      await app.close();
      process.exit(0);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    return;
  }

  const { values } = parseArgs({
    args: rest,
    options: {
      store: { type: 'string' },
      name: { type: 'string' },
      'store-name': { type: 'string' },
      provider: { type: 'string' },
      qris: { type: 'string' },
      'max-amount': { type: 'string' },
      'max-unverified': { type: 'string' },
      email: { type: 'string' },
      replace: { type: 'boolean' },
    },
    strict: true,
  });
  const database = openDatabase(config.database);
  try {
    await database.migrate();
    if (command === 'migrate') {
      process.stdout.write('database is up to date\n');
    } else if (command === 'enrol-device') {
      if (!values.store || !values.name) fail('usage: enrol-device --store STORE_ID --name DEVICE_NAME');
      const provider = ProviderIdSchema.safeParse(values.provider ?? config.defaultProvider);
      if (!provider.success) fail('--provider must be xendit or midtrans');
      const r = await enrolDevice(database.db, {
        storeId: values.store,
        storeName: values['store-name'],
        deviceName: values.name,
        provider: provider.data,
        now: Date.now(),
      });
      process.stderr.write(
        `${r.storeCreated ? 'created store' : 'store'} ${values.store}; enrolled device ${r.deviceId}.\n` +
          'The token below is shown once. Paste it into the till settings.\n',
      );
      process.stdout.write(`${r.token}\n`);
    } else if (command === 'set-provider') {
      const provider = ProviderIdSchema.safeParse(values.provider);
      if (!values.store || !provider.success) fail('usage: set-provider --store STORE_ID --provider xendit|midtrans');
      if (!(await setStoreProvider(database.db, values.store, provider.data))) {
        fail(`no store ${values.store} in ${where(config)} (set DATA_DIR or DATABASE_URL to the server's database)`);
      }
      process.stdout.write(`store ${values.store} now uses ${provider.data}\n`);
    } else if (command === 'set-static-qris') {
      if (!values.store || !values.qris) fail("usage: set-static-qris --store STORE_ID --qris '<static QRIS payload>'");
      let payload: string;
      try {
        payload = checkStaticQris(values.qris);
      } catch (e) {
        fail(e instanceof Error ? e.message : String(e));
      }
      // A printed QRIS is not one whose payments a provider notifies us of: its offline payments go to review.
      if (
        !(await setStaticQris(database.db, values.store, {
          static_qris: payload,
          static_provider: null,
          static_ref: null,
        }))
      ) {
        fail(`no store ${values.store} in ${where(config)}`);
      }
      process.stdout.write(
        `store ${values.store} takes offline QRIS on this static QRIS; payments to it go to review\n`,
      );
    } else if (command === 'set-offline-limits') {
      const amount = Number(values['max-amount']);
      const unverified = Number(values['max-unverified']);
      if (
        !values.store ||
        !Number.isSafeInteger(amount) ||
        amount < 0 ||
        !Number.isSafeInteger(unverified) ||
        unverified < 0
      ) {
        fail('usage: set-offline-limits --store STORE_ID --max-amount RUPIAH --max-unverified RUPIAH');
      }
      if (
        !(await setOfflineLimits(database.db, values.store, {
          offline_max_amount: amount,
          offline_max_unverified: unverified,
        }))
      ) {
        fail(`no store ${values.store} in ${where(config)}`);
      }
      process.stdout.write(
        `store ${values.store}: offline QRIS up to ${formatRupiah(amount)} each, ${formatRupiah(unverified)} unverified per till\n`,
      );
    } else if (command === 'add-manager') {
      if (!values.store || !values.email) fail('usage: add-manager --store STORE_ID --email EMAIL [--replace]');
      const password = process.env.KQ_MANAGER_PASSWORD ?? (await readPassword());
      try {
        const r = await addManager(database.db, {
          storeId: values.store,
          email: values.email,
          password,
          now: Date.now(),
          replace: values.replace === true,
        });
        process.stdout.write(
          r.created
            ? `added manager ${normalizeEmail(values.email)} to store ${values.store}; sign in at /admin\n`
            : `set a new password for manager ${normalizeEmail(values.email)} of store ${values.store}\n`,
        );
      } catch (e) {
        if (e instanceof ManagerInputError)
          fail(`${e.message}${e.message.startsWith('no store') ? ` in ${where(config)}` : ''}`);
        throw e;
      }
    } else {
      fail(
        `unknown command ${command}; use serve, enrol-device, set-provider, set-static-qris, set-offline-limits, add-manager or migrate`,
      );
    }
  } finally {
    await database.close();
  }
}

/**
 * One line from stdin: piped (CI, scripts) or typed at a terminal, where it is not echoed. The trailing newline
 * is not part of the password.
 */
async function readPassword(): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const c of stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  }
  process.stderr.write('password for the manager: ');
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  let line = '';
  try {
    for await (const chunk of stdin) {
      for (const ch of chunk as string) {
        if (ch === '\r' || ch === '\n') return line;
        if (ch === '\u0003') fail('\ncancelled');
        if (ch === '\u007f') line = line.slice(0, -1);
        else line += ch;
      }
    }
    return line;
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    process.stderr.write('\n');
  }
}

main(process.argv.slice(2)).catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
