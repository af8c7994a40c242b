import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { IpcInput } from '../../shared/ipc.ts';
import type { Logger } from '../core/errors.ts';
import { createHandlers } from '../core/handlers.ts';
import { launchSettings } from '../core/settings.ts';
import { TillCore, type TillCoreOptions } from '../core/till-core.ts';
import { createWebHost } from './server.ts';

export const DEFAULT_RENDERER_DIR = join(import.meta.dirname, '..', '..', 'dist', 'renderer');

export type StartWebHostOptions = {
  dataDir: string;
  /** 0 picks a free port. */
  port?: number;
  rendererDir?: string;
  /** Written into the settings before the core starts (validated like settings:set). */
  settings?: IpcInput<'settings:set'>;
  seedDemo?: boolean;
  log?: Logger;
  core?: Partial<TillCoreOptions>;
};

export type WebHost = {
  url: string;
  /** The customer display (its own, read-only token). */
  displayUrl: string;
  port: number;
  token: string;
  core: TillCore;
  close(): Promise<void>;
};

/** Starts a till core and its loopback web host (what `npm run till:web` runs; the e2e tests call it too). */
export async function startWebHost(o: StartWebHostOptions): Promise<WebHost> {
  const core = new TillCore({ dataDir: o.dataDir, ...(o.log ? { log: o.log } : {}), ...o.core });
  try {
    const handlers = createHandlers(core);
    const settings = o.settings && launchSettings(core.getSettings(), o.settings);
    if (settings && Object.keys(settings).length > 0) {
      const r = await handlers['settings:set'](settings);
      if (!r.ok) throw new Error(`invalid settings: ${r.error.message}`);
    }
    if (o.seedDemo) core.seedDemoCatalog();
    // 32 random bytes, base64url: unguessable, and valid in a URL fragment and a WebSocket sub-protocol.
    const token = randomBytes(32).toString('base64url');
    const displayToken = randomBytes(32).toString('base64url');
    const app = await createWebHost({
      core,
      handlers,
      token,
      displayToken,
      rendererDir: o.rendererDir ?? DEFAULT_RENDERER_DIR,
    });
    await app.listen({ host: '127.0.0.1', port: o.port ?? 5174 });
    const port = (app.server.address() as AddressInfo).port;
    core.start();
    return {
      url: `http://127.0.0.1:${port}/#token=${token}`,
      displayUrl: `http://127.0.0.1:${port}/#display=${displayToken}`,
      port,
      token,
      core,
      async close() {
        await app.close();
        core.close();
      },
    };
  } catch (e) {
    core.close();
    throw e;
  }
}
