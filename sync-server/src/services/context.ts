import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { TransactionBatcher } from '../db/batcher.ts';
import type { Database } from '../db/database.ts';
import type { Metrics } from '../metrics.ts';
import type { ProviderRouter } from '../providers/router.ts';

/** What the services need, built once per app. */
export type ServerContext = {
  config: Config;
  database: Database;
  /** Shared-commit transactions for the webhook hot path (see db/batcher.ts). */
  writes: TransactionBatcher;
  router: ProviderRouter;
  metrics: Metrics;
  log: Logger;
  now: () => number;
  /** Called after a transaction that appended events for a store has committed. */
  published: (storeId: string) => void;
};
