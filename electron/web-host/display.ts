/**
 * The customer display over the web host: a second URL with its own token (`#display=<token>`), for a second
 * screen or a tablet facing the customer. Its token opens exactly one thing, `GET /api/display` (WebSocket),
 * which streams the display state; it is not the till token, so every till verb and the cashier's event
 * stream refuse it. What the customer sees is computed by the core (counter.ts), never by this page.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { WebSocket } from 'ws';
import { COUNTER_EVENTS } from '../../shared/counter.ts';
import { tillError } from '../../shared/ipc.ts';
import type { TillCore } from '../core/till-core.ts';
import { checkProtocolToken, DISPLAY_PROTOCOL } from './guards.ts';

export function registerDisplayRoutes(app: FastifyInstance, core: TillCore, displayToken: string): void {
  const refuse = (reply: FastifyReply, missing: boolean) =>
    reply
      .code(missing ? 401 : 403)
      .send(tillError('FORBIDDEN', missing ? 'the display token is missing' : 'the display token is wrong'));

  app.get(
    '/api/display',
    {
      websocket: true,
      onRequest: async (req, reply) => {
        const check = checkProtocolToken(req.headers['sec-websocket-protocol'], displayToken, DISPLAY_PROTOCOL);
        if (check !== 'ok') return refuse(reply, check === 'missing');
      },
    },
    (socket: WebSocket) => {
      const send = (payload: unknown) => {
        if (socket.readyState === socket.OPEN) {
          socket.send(JSON.stringify({ name: COUNTER_EVENTS.displayChanged, payload }));
        }
      };
      const off = core.events.subscribe((name, payload) => {
        if (name === COUNTER_EVENTS.displayChanged) send(payload);
      });
      socket.on('close', off);
      // Read-only: anything the display page sends is dropped.
      socket.on('message', () => {});
      send(core.counter.display());
    },
  );
}
