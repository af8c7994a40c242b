import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './test/support/chromium.ts';

// The e2e suite drives the real system (sandboxes + sync-server + till web host) in Debian's Chromium.
// One worker: the build machines have two cores and every spec starts its own server and till.
export default defineConfig({
  testDir: './test/e2e',
  testMatch: '*.spec.ts',
  workers: 1,
  fullyParallel: false,
  // CI gets one retry: a spec that passes only on its retry is reported as flaky by `npm test`, not hidden.
  retries: process.env.CI ? 1 : 0,
  timeout: 120_000,
  expect: { timeout: 20_000 },
  outputDir: './test-results',
  reporter: [['list']],
  use: {
    viewport: { width: 1280, height: 800 },
    actionTimeout: 20_000,
    navigationTimeout: 30_000,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: CHROMIUM_PATH,
      args: CHROMIUM_ARGS,
    },
  },
});
