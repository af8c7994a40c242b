/**
 * A sync-server in its own process, so the chaos test can SIGKILL it mid-push and start it again on the same
 * database and port. Configuration comes from the environment, exactly as `npm run server` takes it.
 */
import { writeSync } from 'node:fs';

/** The parent may already have stopped listening (it is about to kill us): never die of EPIPE for that. */
const say = (line: string) => {
  try {
    writeSync(1, `${line}\n`);
  } catch {}
};

import { buildApp } from '../../sync-server/src/app.ts';
import { loadConfig } from '../../sync-server/src/config.ts';

const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
const { app } = await buildApp({ config, sweeper: false });
await app.listen({ host: config.host, port: config.port });
say('READY');
