/**
 * The shell's configuration, parsed once from the environment (STYLE.md convention 12). `npm start` passes
 * the demo server and device token this way; a packaged till is configured on its settings screen instead.
 */
import { join } from 'node:path';
import type { IpcInput } from '../../shared/ipc.ts';

export type ShellConfig = Readonly<{
  dataDir: string;
  settings: IpcInput<'settings:set'>;
  seedDemo: boolean;
  /** The customer display window: `auto` opens it when a second monitor is connected. */
  customerDisplay: 'auto' | 'on' | 'off';
}>;

export function shellConfigFromEnv(env: Record<string, string | undefined>, userDataDir: string): ShellConfig {
  const settings: IpcInput<'settings:set'> = {};
  if (env.KASIR_SERVER_URL) settings.serverUrl = env.KASIR_SERVER_URL;
  if (env.KASIR_DEVICE_TOKEN) settings.deviceToken = env.KASIR_DEVICE_TOKEN;
  // Plain http to a server outside the shop's network, confirmed by whoever set up this launch.
  if (env.KASIR_ALLOW_INSECURE === '1') settings.allowInsecure = true;
  if (env.KASIR_STORE_NAME) settings.storeName = env.KASIR_STORE_NAME;
  if (env.KASIR_DEVICE_NAME) settings.deviceName = env.KASIR_DEVICE_NAME;
  return Object.freeze({
    dataDir: env.KASIR_DATA_DIR || join(userDataDir, 'till'),
    settings,
    seedDemo: env.KASIR_SEED_DEMO === '1',
    customerDisplay: env.KASIR_CUSTOMER_DISPLAY === '1' ? 'on' : env.KASIR_CUSTOMER_DISPLAY === '0' ? 'off' : 'auto',
  });
}
