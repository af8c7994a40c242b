/**
 * One error handler for the whole app: caller mistakes become typed 4xx bodies `{error:{code,message}}`;
 * anything unexpected is logged in full and answered as a 500 without details.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiErrorCode } from '../../../shared/schemas/sync-api.ts';
import { HttpError, STATUS_OF } from '../http-errors.ts';
import type { Metrics } from '../metrics.ts';
import { ProviderError } from '../providers/errors.ts';

const FASTIFY_CODES: Record<string, ApiErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'INVALID_INPUT',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_INPUT',
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_INPUT',
  FST_ERR_VALIDATION: 'INVALID_INPUT',
};

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    let code: ApiErrorCode;
    let message = error.message;
    if (error instanceof HttpError) code = error.code;
    else if (error instanceof ProviderError)
      code = (error.code in STATUS_OF ? error.code : 'PROVIDER_REJECTED') as ApiErrorCode;
    else if (error.code && FASTIFY_CODES[error.code]) code = FASTIFY_CODES[error.code]!;
    else if (error instanceof SyntaxError || (error.statusCode && error.statusCode >= 400 && error.statusCode < 500)) {
      code =
        error.statusCode === 413
          ? 'PAYLOAD_TOO_LARGE'
          : error.statusCode === 415
            ? 'UNSUPPORTED_MEDIA_TYPE'
            : 'INVALID_INPUT';
    } else {
      code = 'INTERNAL';
      message = 'internal error';
      request.log.error({ err: error }, 'unhandled error');
    }
    reply.status(STATUS_OF[code]).send({ error: { code, message } });
  });
  app.setNotFoundHandler((request, reply) => {
    reply
      .status(404)
      .send({ error: { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` } });
  });
}

/**
 * Errors Node's HTTP parser raises before Fastify has a request: a request that did not arrive in time (408),
 * headers over the size limit (431), and anything malformed, such as a duplicate Content-Length (400). Fastify's
 * default writes its own body shape; these answer in the API's `{error:{code,message}}` and close the connection,
 * because the parser cannot find the next request on it.
 */
export function clientErrorHandler(metrics: Metrics) {
  return function onClientError(err: NodeJS.ErrnoException, socket: Socket): void {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const [status, code, message, kind]: [number, ApiErrorCode, string, string] =
      err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'REQUEST_TIMEOUT', 'the request did not arrive in time', 'timeout']
        : err.code === 'HPE_HEADER_OVERFLOW'
          ? [431, 'HEADERS_TOO_LARGE', 'the request headers are too large', 'header_overflow']
          : [400, 'INVALID_INPUT', 'malformed HTTP request', 'malformed'];
    metrics.clientErrors.inc({ kind });
    // A response already started on this socket (a request refused before its body arrived, say) must not
    // get a second one spliced into it: just close.
    const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (!socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    const body = JSON.stringify({ error: { code, message } });
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      () => socket.destroy(),
    );
  };
}

/** Router-level refusals (a path with broken percent-encoding, an over-long parameter) in the API's shape. */
export function frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const message = error.code === 'FST_ERR_BAD_URL' ? 'the URL is not valid' : error.message;
  reply.status(400).send({ error: { code: 'INVALID_INPUT', message } });
}
