/**
 * Caps how many connections one client address may hold open. Without it one host could open tens of thousands
 * of idle or stalled sockets and exhaust the server's file descriptors before any timeout ends them. Counted on
 * the raw server, before any HTTP parsing, so a refused connection costs one accept and one close.
 *
 * The address is the TCP peer (trustProxy is off): behind a reverse proxy every client shares the proxy's
 * address, so there either raise MAX_CONNECTIONS_PER_IP or set it to 0 and let the proxy limit per client.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Metrics } from '../metrics.ts';

export function limitConnectionsPerIp(server: Server, maxPerIp: number, metrics: Metrics): void {
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const ip = socket.remoteAddress;
    if (ip === undefined) {
      // Already closed by the peer before we looked.
      socket.destroy();
      return;
    }
    const n = open.get(ip) ?? 0;
    if (maxPerIp > 0 && n >= maxPerIp) {
      metrics.connectionsRefused.inc();
      socket.destroy();
      return;
    }
    open.set(ip, n + 1);
    metrics.openConnections.inc();
    socket.once('close', () => {
      metrics.openConnections.dec();
      const left = (open.get(ip) ?? 1) - 1;
      // Deleting at zero keeps the map as small as the set of addresses with open connections.
      if (left <= 0) open.delete(ip);
      else open.set(ip, left);
    });
  });
}
