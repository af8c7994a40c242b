import { describe, expect, it } from 'vitest';
import { buildApp } from '../../sync-server/src/app.ts';
import { ConfigError, loadConfig, maskedConfig } from '../../sync-server/src/config.ts';

describe('server configuration', () => {
  it('refuses invalid settings at boot with the offending variable named', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ XENDIT_SECRET_KEY: 'xnd_development_x' })).toThrow(/together/);
    expect(() => loadConfig({ PAYMENT_TTL_SECONDS: '1' })).toThrow(/PAYMENT_TTL_SECONDS/);
  });

  it('chooses the Midtrans environment from the key and marks loopback base URLs as sandboxes', () => {
    expect(loadConfig({ MIDTRANS_SERVER_KEY: 'SB-Mid-server-x' }).midtrans).toMatchObject({
      baseUrl: 'https://api.sandbox.midtrans.com',
      mode: 'live',
    });
    expect(loadConfig({ MIDTRANS_SERVER_KEY: 'Mid-server-x' }).midtrans?.baseUrl).toBe('https://api.midtrans.com');
    const local = loadConfig({
      XENDIT_SECRET_KEY: 'k',
      XENDIT_CALLBACK_TOKEN: 't',
      XENDIT_BASE_URL: 'http://127.0.0.1:4010',
    });
    expect(local.xendit?.mode).toBe('sandbox');
  });

  it('never shows a secret in the loggable configuration', () => {
    const c = loadConfig({
      XENDIT_SECRET_KEY: 'xnd_development_SECRET1',
      XENDIT_CALLBACK_TOKEN: 'CALLBACK-SECRET2',
      MIDTRANS_SERVER_KEY: 'SB-Mid-server-SECRET3',
      DATABASE_URL: 'postgres://kasir:SECRET4@db:5432/kasir',
      METRICS_TOKEN: 'SECRET5-metrics-token',
    });
    const text = JSON.stringify(maskedConfig(c));
    for (const s of ['SECRET1', 'SECRET2', 'SECRET3', 'SECRET4', 'SECRET5']) expect(text).not.toContain(s);
  });

  it('guards /metrics with the operator token when one is configured', async () => {
    const config = loadConfig({
      DATA_DIR: ':memory:',
      LOG_LEVEL: 'silent',
      METRICS_TOKEN: 'operator-token-0123456789',
    });
    const { app } = await buildApp({
      config: { ...config, database: { kind: 'sqlite', file: ':memory:' } },
      providers: {},
      sweeper: false,
    });
    try {
      expect((await app.inject({ url: '/metrics' })).statusCode).toBe(401);
      expect((await app.inject({ url: '/metrics', headers: { authorization: 'Bearer wrong' } })).statusCode).toBe(401);
      const ok = await app.inject({ url: '/metrics', headers: { authorization: 'Bearer operator-token-0123456789' } });
      expect(ok.statusCode).toBe(200);
      expect(ok.body).toContain('kasir_webhooks_total');
    } finally {
      await app.close();
    }
  });
});
