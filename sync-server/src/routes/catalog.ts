/**
 * The store catalog over HTTP. Tills: `GET /v1/catalog` (device token; its own store only). Managers
 * (`auth.manager` preHandlers, which set `request.manager = {id, storeId, email}`; state-changing routes also
 * carry the CSRF check in that list): list, read, create, change, deactivate and CSV-import the products of
 * their own store under `/admin/api/catalog`.
 */
import type { FastifyInstance, FastifyRequest, preHandlerHookHandler } from 'fastify';
import {
  ProductCreateSchema,
  ProductIdParamsSchema,
  ProductUpdateSchema,
} from '../../../shared/schemas/catalog-api.ts';
import { HttpError, parseOr400 } from '../http-errors.ts';
import type { AbuseGuards } from '../plugins/abuse-limits.ts';
import { deviceAuth, deviceOf } from '../plugins/device-auth.ts';
import {
  catalogSnapshot,
  createProduct,
  deactivateProduct,
  getCatalogProduct,
  importCatalogCsv,
  updateCatalogProduct,
} from '../services/catalog.ts';
import type { ServerContext } from '../services/context.ts';

/** A product body may carry a picture (a data: URL up to 200,000 characters). */
const PRODUCT_BODY_LIMIT = 512 * 1024;
/** A CSV import of up to 10,000 rows. */
const CSV_BODY_LIMIT = 4 * 1024 * 1024;

/** The manager's store, as the manager guard left it on the request; a request without one never gets here. */
function managerStore(request: FastifyRequest): string {
  const storeId = (request as FastifyRequest & { manager?: { storeId?: unknown } }).manager?.storeId;
  if (typeof storeId !== 'string' || storeId === '') throw new HttpError('UNAUTHORIZED', 'manager login required');
  return storeId;
}

export function catalogRoutes(
  app: FastifyInstance,
  ctx: ServerContext,
  auth: { manager: preHandlerHookHandler[] },
  guards: AbuseGuards,
): void {
  const requireDevice = deviceAuth(ctx, guards);

  // A till gets its own store's whole catalog when it connects; changes follow as `catalog.updated` events.
  app.get('/v1/catalog', { onRequest: requireDevice }, async (request) =>
    catalogSnapshot(ctx, deviceOf(request).store_id),
  );

  void app.register(async (scope) => {
    // CSV arrives as text/csv; only this scope parses it (the API elsewhere refuses anything but JSON).
    scope.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: CSV_BODY_LIMIT }, (_req, body, done) =>
      done(null, body),
    );
    const pre = { preHandler: auth.manager };

    scope.get('/admin/api/catalog/products', pre, async (request) => catalogSnapshot(ctx, managerStore(request)));

    scope.get('/admin/api/catalog/products/:id', pre, async (request) => {
      const { id } = parseOr400(ProductIdParamsSchema, request.params);
      return getCatalogProduct(ctx, managerStore(request), id);
    });

    scope.post('/admin/api/catalog/products', { ...pre, bodyLimit: PRODUCT_BODY_LIMIT }, async (request, reply) => {
      const body = parseOr400(ProductCreateSchema, request.body);
      return reply.code(201).send(await createProduct(ctx, managerStore(request), body));
    });

    scope.put('/admin/api/catalog/products/:id', { ...pre, bodyLimit: PRODUCT_BODY_LIMIT }, async (request) => {
      const { id } = parseOr400(ProductIdParamsSchema, request.params);
      const body = parseOr400(ProductUpdateSchema, request.body);
      return updateCatalogProduct(ctx, managerStore(request), id, body);
    });

    scope.delete('/admin/api/catalog/products/:id', pre, async (request) => {
      const { id } = parseOr400(ProductIdParamsSchema, request.params);
      return deactivateProduct(ctx, managerStore(request), id);
    });

    scope.post('/admin/api/catalog/import', { ...pre, bodyLimit: CSV_BODY_LIMIT }, async (request) => {
      if (typeof request.body !== 'string') {
        throw new HttpError('UNSUPPORTED_MEDIA_TYPE', 'send the CSV file as text/csv');
      }
      return importCatalogCsv(ctx, managerStore(request), request.body);
    });
  });
}

/**
 * Until the manager login is wired (the admin API's `requireManager` + `requireCsrf`), the manager routes
 * refuse everyone: 401 MANAGER_REQUIRED.
 */
export const refuseWithoutManager: preHandlerHookHandler = (_request, reply) => {
  // Answering from a callback-style hook: the reply is sent and `done` is not called (Fastify's hooks docs).
  void reply.code(401).send({ error: { code: 'MANAGER_REQUIRED', message: 'manager login required' } });
};
