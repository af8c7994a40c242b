/**
 * One error handler for the whole app: caller mistakes become typed 4xx bodies `{error:{code,message}}`;
 * anything unexpected is logged in full and answered as a 500 without details.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import type { ApiErrorCode } from '../../../shared/schemas/sync-api.ts';
import { HttpError, STATUS_OF } from '../http-errors.ts';
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
