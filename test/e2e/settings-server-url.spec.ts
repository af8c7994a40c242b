/**
 * Issue 6, defect 5 on the settings screen: a new server address is saved only with its device token, plain
 * http outside the shop's network needs the manager to confirm a warning, and the enrolled token never reaches
 * the new address (a recording HTTP server on a loopback port stands in for it).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { en } from '../../renderer/src/i18n/en.ts';
import { expect, ready, test } from './fixtures.ts';

test('a new server address needs the device token again, and public http needs a confirmed warning', async ({
  page,
  till,
}) => {
  const seen: (string | undefined)[] = [];
  const other = createServer((req, res) => {
    seen.push(req.headers.authorization);
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"code":"NOT_FOUND","message":"x"}}');
  });
  other.on('upgrade', (req, socket) => {
    seen.push(req.headers.authorization);
    socket.end('HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\n\r\n');
  });
  await new Promise<void>((ok) => other.listen(0, '127.0.0.1', ok));
  const otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
  try {
    await ready(page);
    await page.getByTestId('lang-en').click();
    await page.getByTestId('nav-settings').click();
    const url = page.getByTestId('settings-server-url');
    const token = page.getByTestId('settings-device-token');
    const save = page.getByTestId('settings-save');
    await expect(url).toHaveValue(till.system.serverUrl);
    await expect(save).toBeEnabled();

    // Another address without the token: nothing can be saved, and the screen says why.
    await url.fill(otherUrl);
    await expect(save).toBeDisabled();
    await expect(page.getByTestId('settings-token-note')).toHaveText(en.settings.tokenRequired);

    // Plain http to a public address: a warning, and saving waits for the manager's confirmation.
    await url.fill('http://kasir.example.com');
    await token.fill('some-token');
    await expect(page.getByTestId('settings-insecure-warning')).toContainText(en.settings.insecureWarning);
    await expect(save).toBeDisabled();
    await page.getByTestId('settings-allow-insecure').check();
    await expect(save).toBeEnabled();
    // https needs no confirmation.
    await url.fill('https://kasir.example.com');
    await expect(page.getByTestId('settings-insecure-warning')).toHaveCount(0);
    await expect(save).toBeEnabled();

    // The LAN address with its own token is saved; only that token ever reaches it.
    await url.fill(otherUrl);
    await expect(page.getByTestId('settings-insecure-warning')).toHaveCount(0);
    await token.fill('token-for-the-other-server');
    await save.click();
    await expect(page.getByTestId('settings-saved')).toBeVisible();
    await expect(page.getByTestId('connection')).not.toHaveAttribute('data-state', 'online');
    await expect.poll(() => seen.length).toBeGreaterThan(0);
    expect(seen.every((a) => a === 'Bearer token-for-the-other-server')).toBe(true);
    expect(seen).not.toContain(`Bearer ${till.deviceToken}`);

    // Going back to the real server needs its token again too; with it, the till is online once more.
    await url.fill(till.system.serverUrl);
    await expect(save).toBeDisabled();
    await token.fill(till.deviceToken);
    await save.click();
    await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'online', { timeout: 30_000 });
  } finally {
    other.closeAllConnections();
    await new Promise<void>((ok) => other.close(() => ok()));
  }
});
