/**
 * The manager dashboard's API (`/admin/api/...`, contract in shared/schemas/admin-api.ts). Every route but
 * login needs a manager session; every POST also needs the session's CSRF token. Every query is scoped to the
 * session's store: another store's ids are unknown here (404).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  AdminReconciliationQuerySchema,
  type AuditPage,
  AuditQuerySchema,
  ChartsQuerySchema,
  type ChartsResponse,
  LoginRequestSchema,
  type MeResponse,
  type OkResponse,
  type PaymentsPage,
  PaymentsQuerySchema,
  type ProvidersHealthResponse,
  ResolveRequestSchema,
  type ResolveResponse,
  type ReviewResponse,
  SESSION_COOKIE,
  type TillsResponse,
  type WebhooksPage,
  WebhooksQuerySchema,
} from '../../../shared/schemas/admin-api.ts';
import { HttpError, parseOr400 } from '../http-errors.ts';
import { managerOf, requireCsrf, requireManager } from '../plugins/manager-auth.ts';
import { getWebhook, listPayments, listWebhooks } from '../repos/admin-repo.ts';
import { appendAudit, listAudit } from '../repos/audit-repo.ts';
import { getStore } from '../repos/stores-repo.ts';
import {
  adminPayment,
  auditEntry,
  charts,
  installTillGauges,
  paymentDetail,
  providersHealth,
  replayWebhook,
  resolveReview,
  reviewQueue,
  tills,
  webhookDetail,
  webhookSummary,
} from '../services/admin.ts';
import { recordManagerAction } from '../services/audit.ts';
import type { ServerContext } from '../services/context.ts';
import { checkLogin, closeSession, normalizeEmail, openSession } from '../services/managers.ts';
import { reconciliation, reconciliationCsv } from '../services/reconciliation.ts';

const P = '/admin/api';
const PaymentIdParams = z.strictObject({ id: z.string().min(1).max(64) });
const WebhookIdParams = z.strictObject({ id: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) });

/** Opaque cursors: base64url JSON of the last row's sort key. */
const encodeCursor = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
function decodeCursor<S extends z.ZodType>(schema: S, cursor: string | undefined): z.output<S> | undefined {
  if (cursor === undefined) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new HttpError('INVALID_INPUT', 'cursor: not a cursor this server gave');
  }
  const r = schema.safeParse(raw);
  if (!r.success) throw new HttpError('INVALID_INPUT', 'cursor: not a cursor this server gave');
  return r.data;
}
const PaymentCursor = z.tuple([z.number().int(), z.string().max(64)]);
const IdCursor = z.number().int().min(1);

export function adminRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const manager = requireManager(ctx);
  const read = { onRequest: [manager] };
  const write = { onRequest: [manager, requireCsrf] };
  installTillGauges(ctx);

  // Failed logins are counted per address and per email (from anywhere); either over its limit answers 429
  // before the password is even checked, so a guesser gets only that many tries per window.
  const { loginFailuresPerIp, loginFailuresPerEmail, loginWindowMs } = ctx.config.admin;
  const failuresByIp = app.createRateLimit({ max: loginFailuresPerIp, timeWindow: loginWindowMs });
  const failuresByEmail = app.createRateLimit({
    max: loginFailuresPerEmail,
    timeWindow: loginWindowMs,
    keyGenerator: (req: FastifyRequest) => {
      const email = (req.body as { email?: unknown } | undefined)?.email;
      return `email:${typeof email === 'string' ? normalizeEmail(email) : ''}`;
    },
  });
  const blocked = (r: Awaited<ReturnType<typeof failuresByIp>>) => !r.isAllowed && r.remaining <= 0;

  const me = (request: FastifyRequest): MeResponse => {
    const m = managerOf(request);
    const s = request.managerSession!;
    return {
      manager: { id: m.id, email: m.email, store_id: m.storeId, store_name: s.storeName },
      csrf_token: s.csrfToken,
      expires_at: s.expiresAt,
      server_time: ctx.now(),
    };
  };

  app.post(`${P}/login`, async (request, reply): Promise<MeResponse> => {
    const body = parseOr400(LoginRequestSchema, request.body);
    const [byIp, byEmail] = await Promise.all([
      failuresByIp(request, { increment: false }),
      failuresByEmail(request, { increment: false }),
    ]);
    if (blocked(byIp) || blocked(byEmail)) {
      ctx.metrics.adminLogins.inc({ result: 'throttled' });
      const wait = Math.max(byIp.isAllowed ? 0 : byIp.ttlInSeconds, byEmail.isAllowed ? 0 : byEmail.ttlInSeconds);
      reply.header('retry-after', String(Math.max(1, wait)));
      throw new HttpError('RATE_LIMITED', 'too many failed sign-ins; try again later');
    }
    const attempt = await checkLogin(ctx.database.db, body);
    const now = ctx.now();
    if (!attempt.ok) {
      if (attempt.ambiguous) {
        throw new HttpError('INVALID_INPUT', 'this email manages more than one store: choose the store');
      }
      // Counted here; the next attempt over the limit is refused above, before its password is checked.
      await Promise.all([failuresByIp(request), failuresByEmail(request)]);
      ctx.metrics.adminLogins.inc({ result: 'wrong' });
      // Only a known manager's store can hold the record; unknown emails are counted in metrics. Rows stay
      // bounded: the per-email limit caps them per manager and window.
      if (attempt.known) {
        await appendAudit(ctx.database.db, {
          storeId: attempt.known.store_id,
          at: now,
          actorKind: 'system',
          actorId: null,
          action: 'manager.login_failed',
          subjectType: 'manager',
          subjectId: attempt.known.id,
          detail: { email: attempt.known.email, ip: request.ip },
        });
      }
      throw new HttpError('UNAUTHORIZED', 'wrong email or password');
    }
    const m = attempt.manager;
    const s = await openSession(ctx.database.db, m.id, now, ctx.config.admin.sessionTtlMs);
    const identity = { id: m.id, storeId: m.store_id, email: m.email };
    await recordManagerAction(ctx.database.db, identity, {
      action: 'manager.login',
      at: now,
      subjectType: 'manager',
      subjectId: m.id,
      detail: { ip: request.ip },
    });
    ctx.metrics.adminLogins.inc({ result: 'ok' });
    reply.setCookie(SESSION_COOKIE, s.sessionId, {
      httpOnly: true,
      sameSite: 'strict',
      secure: request.protocol === 'https' || ctx.config.admin.secureCookie,
      path: '/admin',
      maxAge: Math.floor(ctx.config.admin.sessionTtlMs / 1000),
    });
    request.manager = identity;
    const storeName = (await getStore(ctx.database.db, m.store_id))?.name;
    request.managerSession = {
      csrfToken: s.csrfToken,
      expiresAt: s.expiresAt,
      storeName: storeName ?? m.store_id,
      sessionId: s.sessionId,
    };
    return me(request);
  });

  app.post(`${P}/logout`, write, async (request, reply): Promise<OkResponse> => {
    const m = managerOf(request);
    await closeSession(ctx.database.db, request.managerSession!.sessionId);
    await recordManagerAction(ctx.database.db, m, {
      action: 'manager.logout',
      at: ctx.now(),
      subjectType: 'manager',
      subjectId: m.id,
    });
    reply.clearCookie(SESSION_COOKIE, { path: '/admin' });
    return { ok: true };
  });

  app.get(`${P}/me`, read, async (request): Promise<MeResponse> => me(request));

  app.get(
    `${P}/tills`,
    read,
    async (request): Promise<TillsResponse> => ({
      server_time: ctx.now(),
      tills: await tills(ctx, managerOf(request).storeId),
    }),
  );

  app.get(`${P}/payments`, read, async (request): Promise<PaymentsPage> => {
    const q = parseOr400(PaymentsQuerySchema, request.query);
    const after = decodeCursor(PaymentCursor, q.cursor);
    const rows = await listPayments(ctx.database.db, managerOf(request).storeId, {
      status: q.status,
      provider: q.provider,
      method: q.method,
      from: q.from,
      to: q.to,
      q: q.q,
      device: q.device,
      after: after && { createdAt: after[0], id: after[1] },
      limit: q.limit,
    });
    const last = rows.at(-1);
    return {
      items: rows.map(adminPayment),
      next_cursor: rows.length === q.limit && last ? encodeCursor([last.created_at, last.id]) : null,
    };
  });

  app.get(`${P}/payments/:id`, read, async (request) => {
    const { id } = parseOr400(PaymentIdParams, request.params);
    return paymentDetail(ctx, managerOf(request).storeId, id);
  });

  app.get(
    `${P}/review`,
    read,
    async (request): Promise<ReviewResponse> => ({
      items: await reviewQueue(ctx, managerOf(request).storeId),
    }),
  );

  app.post(`${P}/review/:id/resolve`, write, async (request): Promise<ResolveResponse> => {
    const { id } = parseOr400(PaymentIdParams, request.params);
    const body = parseOr400(ResolveRequestSchema, request.body);
    return { payment: await resolveReview(ctx, managerOf(request), id, body) };
  });

  app.get(`${P}/webhooks`, read, async (request): Promise<WebhooksPage> => {
    const q = parseOr400(WebhooksQuerySchema, request.query);
    const before = decodeCursor(IdCursor, q.cursor);
    const rows = await listWebhooks(ctx.database.db, managerOf(request).storeId, {
      provider: q.provider,
      outcome: q.outcome,
      verified: q.verified === undefined ? undefined : q.verified === 'true',
      paymentId: q.payment_id,
      from: q.from,
      to: q.to,
      beforeId: before,
      limit: q.limit,
    });
    const last = rows.at(-1);
    return {
      items: rows.map(webhookSummary),
      next_cursor: rows.length === q.limit && last ? encodeCursor(Number(last.id)) : null,
    };
  });

  app.get(`${P}/webhooks/:id`, read, async (request) => {
    const { id } = parseOr400(WebhookIdParams, request.params);
    const w = await getWebhook(ctx.database.db, managerOf(request).storeId, id);
    if (!w) throw new HttpError('NOT_FOUND', 'no such webhook');
    return webhookDetail(w);
  });

  app.post(`${P}/webhooks/:id/replay`, write, async (request) => {
    const { id } = parseOr400(WebhookIdParams, request.params);
    return replayWebhook(ctx, managerOf(request), id);
  });

  app.get(
    `${P}/providers/health`,
    read,
    async (): Promise<ProvidersHealthResponse> => ({
      server_time: ctx.now(),
      providers: providersHealth(ctx),
    }),
  );

  app.get(`${P}/charts`, read, async (request): Promise<ChartsResponse> => {
    const q = parseOr400(ChartsQuerySchema, request.query);
    return { from: q.from, to: q.to, buckets: await charts(ctx, managerOf(request).storeId, q.from, q.to) };
  });

  app.get(`${P}/reconciliation`, read, async (request, reply: FastifyReply) => {
    const q = parseOr400(AdminReconciliationQuerySchema, request.query);
    const store = managerOf(request).storeId;
    const report = await reconciliation(ctx, store, q.date);
    if (q.format === 'csv') {
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="reconciliation-${store}-${q.date}.csv"`)
        .send(reconciliationCsv(report));
    }
    return report;
  });

  app.get(`${P}/audit`, read, async (request): Promise<AuditPage> => {
    const q = parseOr400(AuditQuerySchema, request.query);
    const rows = await listAudit(ctx.database.db, managerOf(request).storeId, {
      action: q.action,
      subjectType: q.subject_type,
      subjectId: q.subject_id,
      beforeId: decodeCursor(IdCursor, q.cursor),
      limit: q.limit,
    });
    const last = rows.at(-1);
    return {
      items: rows.map(auditEntry),
      next_cursor: rows.length === q.limit && last ? encodeCursor(last.id) : null,
    };
  });
}
