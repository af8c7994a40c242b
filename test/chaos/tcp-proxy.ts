/**
 * A TCP proxy that cuts connections at random: each accepted connection is either refused at once or given a
 * random lifetime, after which both sides are destroyed (a reset mid-request or mid-response, as a flaky
 * shop Wi-Fi or a NAT timeout would). The upstream may be down (the server being restarted): the client's
 * connection is then dropped too.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export type ChaosProxy = {
  port: number;
  cuts(): number;
  /** Stops cutting (the final drain runs on a healthy network). */
  calm(): void;
  close(): Promise<void>;
};

export async function startChaosProxy(o: {
  upstreamPort: number;
  refuseRate?: number;
  maxLifetimeMs?: number;
  random?: () => number;
}): Promise<ChaosProxy> {
  const random = o.random ?? Math.random;
  const refuseRate = o.refuseRate ?? 0.1;
  const maxLifetime = o.maxLifetimeMs ?? 250;
  let cuts = 0;
  let calm = false;
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => {});
    if (!calm && random() < refuseRate) {
      cuts++;
      client.resetAndDestroy();
      return;
    }
    const upstream = connect({ host: '127.0.0.1', port: o.upstreamPort });
    open.add(upstream);
    upstream.on('close', () => {
      open.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
    if (!calm) {
      const t = setTimeout(
        () => {
          if (calm || client.destroyed) return;
          cuts++;
          client.resetAndDestroy();
          upstream.destroy();
        },
        Math.floor(random() * maxLifetime),
      );
      t.unref();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  if (!addr || typeof addr !== 'object') throw new Error('proxy has no port');
  return {
    port: addr.port,
    cuts: () => cuts,
    calm: () => {
      calm = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
