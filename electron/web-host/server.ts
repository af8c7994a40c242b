/**
 * The loopback web host: the same till API as Electron's IPC, for a browser on this machine (and the e2e
 * tests). `POST /api/<channel>` with the token header answers the channel's Result as JSON (always HTTP 200:
 * errors are values, as over IPC); `GET /api/events` is a WebSocket of push events. Everything else serves the
 * built renderer with a CSP.
 */
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { TILL_EVENTS, tillError } from '../../shared/ipc.ts';
import { contentSecurityPolicy } from '../core/csp.ts';
import { type ChannelHandlers, dispatch } from '../core/handlers.ts';
import type { TillCore } from '../core/till-core.ts';
import { registerDisplayRoutes } from './display.ts';
import {
  checkHeaderToken,
  checkProtocolToken,
  DISPLAY_PROTOCOL,
  EVENTS_PROTOCOL,
  isAllowedHost,
  isAllowedOrigin,
  TOKEN_HEADER,
  type TokenCheck,
} from './guards.ts';

export type WebHostOptions = {
  core: TillCore;
  handlers: ChannelHandlers;
  token: string;
  /** The customer display's token: opens the display stream and nothing else. */
  displayToken: string;
  /** The built renderer (dist/renderer); when missing, the API still works and `/` explains what to build. */
  rendererDir: string;
};

export async function createWebHost(o: WebHostOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: 256 * 1024 });
  const port = () => (app.server.address() as AddressInfo | null)?.port ?? -1;

  await app.register(fastifyWebsocket, {
    options: {
      maxPayload: 4 * 1024,
      // Echo our protocol name, never the token (the browser requires one offered value back).
      handleProtocols: (protocols: Set<string>) =>
        protocols.has(EVENTS_PROTOCOL) ? EVENTS_PROTOCOL : protocols.has(DISPLAY_PROTOCOL) ? DISPLAY_PROTOCOL : false,
    },
  });

  app.addHook('onRequest', async (req, reply) => {
    const fetchSite = req.headers['sec-fetch-site'];
    if (
      !isAllowedHost(req.headers.host, port()) ||
      !isAllowedOrigin(req.headers.origin, port()) ||
      fetchSite === 'cross-site'
    ) {
      return reply.code(403).send(tillError('FORBIDDEN', 'only this machine may use the till'));
    }
  });

  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header(
      'content-security-policy',
      contentSecurityPolicy([`ws://127.0.0.1:${port()}`, `ws://localhost:${port()}`]),
    );
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cross-origin-opener-policy', 'same-origin');
    reply.header('x-frame-options', 'DENY');
    return payload;
  });

  const refuse = (reply: FastifyReply, check: Exclude<TokenCheck, 'ok'>) =>
    reply
      .code(check === 'missing' ? 401 : 403)
      .send(tillError('FORBIDDEN', check === 'missing' ? 'the till token is missing' : 'the till token is wrong'));

  app.setErrorHandler((e: { statusCode?: number }, _req, reply) => {
    // Malformed JSON, oversized bodies, wrong content types: the caller's mistake, answered as a Result.
    const status = e.statusCode && e.statusCode >= 400 && e.statusCode < 500 ? e.statusCode : 500;
    if (status === 500) o.core.log.error('web host request failed', { err: e });
    return reply.code(status).send(tillError(status === 500 ? 'INTERNAL' : 'INVALID_INPUT', 'bad request'));
  });

  app.post<{ Params: { channel: string } }>('/api/:channel', {
    // The token check runs before the body is parsed: an unauthenticated caller gets nothing parsed.
    onRequest: async (req, reply) => {
      const check = checkHeaderToken(req.headers[TOKEN_HEADER], o.token);
      if (check !== 'ok') return refuse(reply, check);
    },
    handler: async (req: FastifyRequest<{ Params: { channel: string } }>) => {
      const body = req.body;
      const input =
        body && typeof body === 'object' && 'input' in body ? (body as { input: unknown }).input : undefined;
      return dispatch(o.handlers, req.params.channel, input);
    },
  });

  app.get(
    '/api/events',
    {
      websocket: true,
      onRequest: async (req, reply) => {
        const check = checkProtocolToken(req.headers['sec-websocket-protocol'], o.token);
        if (check !== 'ok') return refuse(reply, check);
      },
    },
    (socket: WebSocket) => {
      const send = (name: string, payload: unknown) => {
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify({ name, payload }));
      };
      const off = o.core.events.subscribe((name, payload) => send(name, payload));
      socket.on('close', off);
      // The page only listens; whatever it sends is ignored rather than trusted.
      socket.on('message', () => {});
      // A fresh snapshot on every (re)connect, so the screen can refetch what it missed.
      send(TILL_EVENTS.connectionChanged, o.core.status());
    },
  );

  registerDisplayRoutes(app, o.core, o.displayToken);

  if (existsSync(join(o.rendererDir, 'index.html'))) {
    await app.register(fastifyStatic, { root: o.rendererDir, index: 'index.html', dotfiles: 'deny' });
  } else {
    app.get('/', async (_req, reply) =>
      reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The till screen is not built yet: run `npm run build:renderer` and reload.'),
    );
  }
  return app;
}
