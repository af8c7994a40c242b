import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../sync-server/src/config.ts';

describe('HTTP hardening configuration', () => {
  it('has bounded defaults: every timeout set, a per-address connection cap, failure limits and a row budget', () => {
    const c = loadConfig({});
    expect(c.http).toEqual({
      requestTimeoutMs: 15_000,
      headersTimeoutMs: 10_000,
      keepAliveTimeoutMs: 10_000,
      socketIdleTimeoutMs: 60_000,
      maxConnectionsPerIp: 256,
    });
    expect(c.abuse).toEqual({
      windowMs: 60_000,
      webhookFailuresPerIp: 60,
      authFailuresPerIp: 30,
      rejectedWebhooksKept: 200,
      rejectedWebhooksWindowMs: 3_600_000,
    });
  });

  it('keeps the headers timeout within the request timeout, and the idle timeout beyond the provider deadline', () => {
    expect(loadConfig({ REQUEST_TIMEOUT_MS: '2000', HEADERS_TIMEOUT_MS: '5000' }).http.headersTimeoutMs).toBe(2_000);
    expect(loadConfig({ PROVIDER_TIMEOUT_MS: '15000' }).http.socketIdleTimeoutMs).toBe(60_000);
    expect(loadConfig({ PROVIDER_TIMEOUT_MS: '15000', SOCKET_IDLE_TIMEOUT_MS: '15001' }).http.socketIdleTimeoutMs).toBe(
      15_001,
    );
    expect(() => loadConfig({ PROVIDER_TIMEOUT_MS: '15000', SOCKET_IDLE_TIMEOUT_MS: '15000' })).toThrow(ConfigError);
  });

  it('refuses nonsense limits at boot with the variable named', () => {
    for (const [k, v] of [
      ['REQUEST_TIMEOUT_MS', '0'],
      ['MAX_CONNECTIONS_PER_IP', '-1'],
      ['WEBHOOK_FAILURES_PER_IP', 'many'],
      ['AUTH_FAILURES_PER_IP', '0'],
      ['REJECTED_WEBHOOKS_KEPT', '1.5'],
      ['ABUSE_WINDOW_MS', '10'],
    ]) {
      expect(() => loadConfig({ [k as string]: v }), k).toThrow(new RegExp(k as string));
    }
  });
});
