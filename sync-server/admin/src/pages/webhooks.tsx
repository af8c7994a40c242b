import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  type ReplayResponse,
  ReplayResponseSchema,
  WebhookDetailSchema,
  type WebhookSummary,
  WebhooksPageSchema,
} from '../../../../shared/schemas/admin-api.ts';
import { ApiError, call, withQuery } from '../api.ts';
import { Empty, ErrorBox, PageHeader } from '../components/common.tsx';
import { formatTime } from '../format.ts';
import { useLoad } from '../hooks.ts';
import { href, navigate } from '../router.ts';

const OUTCOMES = [
  'received',
  'applied',
  'duplicate',
  'ignored',
  'parked',
  'rejected',
  'invalid',
  'unconfirmed',
  'error',
] as const;
const FILTERS = ['provider', 'outcome', 'verified', 'payment_id'] as const;
type Filters = Record<(typeof FILTERS)[number], string>;

function Verified({ ok }: { ok: boolean }) {
  const { t } = useTranslation();
  return (
    <span className={`badge badge-${ok ? 'ok' : 'bad'}`} data-verified={ok}>
      {ok ? t('webhooks.verifiedYes') : t('webhooks.verifiedNo')}
    </span>
  );
}

export function WebhooksPage({ params }: { params: URLSearchParams }) {
  const { t, i18n } = useTranslation();
  const filters = Object.fromEntries(FILTERS.map((k) => [k, params.get(k) ?? ''])) as Filters;
  const [draft, setDraft] = useState<Filters>(filters);
  const [more, setMore] = useState<{ items: WebhookSummary[]; cursor: string | null } | null>(null);
  const key = FILTERS.map((k) => filters[k]).join('|');
  const r = useLoad(() => {
    setMore(null);
    return call('GET', withQuery('/admin/api/webhooks', filters), WebhooksPageSchema);
  }, [key]);
  const items = [...(r.data?.items ?? []), ...(more?.items ?? [])];
  const cursor = more ? more.cursor : (r.data?.next_cursor ?? null);
  const set = (k: keyof Filters) => (e: { target: { value: string } }) => setDraft({ ...draft, [k]: e.target.value });
  const apply = (e: FormEvent) => {
    e.preventDefault();
    navigate(href('webhooks', null, draft));
  };
  const loadMore = async () => {
    if (!cursor) return;
    const page = await call('GET', withQuery('/admin/api/webhooks', { ...filters, cursor }), WebhooksPageSchema);
    setMore({ items: [...(more?.items ?? []), ...page.items], cursor: page.next_cursor });
  };
  return (
    <section>
      <PageHeader title={t('webhooks.title')} />
      <form className="filters" onSubmit={apply} aria-label={t('common.filters')}>
        <label>
          {t('payments.provider')}
          <select value={draft.provider} onChange={set('provider')}>
            <option value="">{t('common.all')}</option>
            <option value="xendit">Xendit</option>
            <option value="midtrans">Midtrans</option>
          </select>
        </label>
        <label>
          {t('webhooks.outcome')}
          <select value={draft.outcome} onChange={set('outcome')}>
            <option value="">{t('common.all')}</option>
            {OUTCOMES.map((o) => (
              <option key={o} value={o}>
                {t(`webhooks.outcomes.${o}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('webhooks.verified')}
          <select value={draft.verified} onChange={set('verified')}>
            <option value="">{t('common.all')}</option>
            <option value="true">{t('webhooks.verifiedYes')}</option>
            <option value="false">{t('webhooks.verifiedNo')}</option>
          </select>
        </label>
        <label>
          {t('payments.payment')}
          <input type="search" value={draft.payment_id} onChange={set('payment_id')} />
        </label>
        <button type="submit">{t('common.apply')}</button>
      </form>
      <ErrorBox error={r.error} />
      {r.data && items.length === 0 && <Empty>{t('webhooks.none')}</Empty>}
      {items.length > 0 && (
        <div className="table-wrap">
          <table data-testid="webhooks-table">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">{t('webhooks.received')}</th>
                <th scope="col">{t('payments.provider')}</th>
                <th scope="col">{t('webhooks.verified')}</th>
                <th scope="col">{t('webhooks.outcome')}</th>
                <th scope="col">{t('webhooks.providerStatus')}</th>
                <th scope="col">{t('payments.payment')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((w) => (
                <tr key={w.id} data-testid={`webhook-${w.id}`} data-outcome={w.outcome}>
                  <td>
                    <a href={href('webhooks', String(w.id))}>#{w.id}</a>
                    {w.replay_of !== null && (
                      <div className="muted small">{t('webhooks.replayOf', { id: w.replay_of })}</div>
                    )}
                  </td>
                  <td>{formatTime(w.received_at, i18n.language)}</td>
                  <td>{w.provider}</td>
                  <td>
                    <Verified ok={w.verified} />
                  </td>
                  <td>
                    {t(`webhooks.outcomes.${w.outcome}`, w.outcome)}
                    {w.detail && <div className="muted small">{w.detail}</div>}
                  </td>
                  <td>{w.status ?? '—'}</td>
                  <td>
                    {w.payment_id ? (
                      <a href={href('payments', w.payment_id)} className="mono">
                        {w.payment_id}
                      </a>
                    ) : (
                      '—'
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor && (
        <button type="button" onClick={() => void loadMore()}>
          {t('common.loadMore')}
        </button>
      )}
    </section>
  );
}

export function WebhookDetailPage({ id }: { id: string }) {
  const { t, i18n } = useTranslation();
  const r = useLoad(() => call('GET', `/admin/api/webhooks/${encodeURIComponent(id)}`, WebhookDetailSchema), [id]);
  const [replay, setReplay] = useState<{ busy: boolean; error: ApiError | null; result: ReplayResponse | null }>({
    busy: false,
    error: null,
    result: null,
  });
  const w = r.data;
  const doReplay = async () => {
    setReplay({ busy: true, error: null, result: null });
    try {
      const res = await call('POST', `/admin/api/webhooks/${encodeURIComponent(id)}/replay`, ReplayResponseSchema, {});
      setReplay({ busy: false, error: null, result: res });
      r.reload();
    } catch (e) {
      setReplay({ busy: false, error: e instanceof ApiError ? e : new ApiError(0, 'CLIENT', String(e)), result: null });
    }
  };
  let pretty: string | null = null;
  if (w) {
    try {
      pretty = JSON.stringify(JSON.parse(w.raw_body), null, 2);
    } catch {
      pretty = null; // not JSON: shown as received
    }
  }
  return (
    <section data-testid="webhook-detail">
      <PageHeader title={t('webhooks.detailTitle', { id })}>
        <a href={href('webhooks')}>{t('webhooks.back')}</a>
      </PageHeader>
      <ErrorBox error={r.error} />
      {w && (
        <>
          <dl className="facts">
            <dt>{t('payments.provider')}</dt>
            <dd>{w.provider}</dd>
            <dt>{t('webhooks.received')}</dt>
            <dd>{formatTime(w.received_at, i18n.language)}</dd>
            <dt>{t('webhooks.verified')}</dt>
            <dd>
              <Verified ok={w.verified} />
            </dd>
            <dt>{t('webhooks.outcome')}</dt>
            <dd data-testid="webhook-outcome">
              {t(`webhooks.outcomes.${w.outcome}`, w.outcome)}
              {w.detail ? ` — ${w.detail}` : ''}
            </dd>
            <dt>{t('webhooks.providerStatus')}</dt>
            <dd>{w.status ?? '—'}</dd>
            <dt>{t('payments.payment')}</dt>
            <dd>{w.payment_id ? <a href={href('payments', w.payment_id)}>{w.payment_id}</a> : '—'}</dd>
            <dt>{t('webhooks.eventKey')}</dt>
            <dd className="mono">{w.event_key ?? '—'}</dd>
            {w.replay_of !== null && (
              <>
                <dt>{t('webhooks.replayOfLabel')}</dt>
                <dd>
                  <a href={href('webhooks', String(w.replay_of))}>#{w.replay_of}</a>
                </dd>
              </>
            )}
          </dl>
          <div className="actions">
            <button
              type="button"
              className="primary"
              disabled={!w.replayable || replay.busy}
              onClick={() => void doReplay()}
              data-testid="webhook-replay"
            >
              {t('webhooks.replay')}
            </button>
            {!w.replayable && <span className="muted">{t('webhooks.notReplayable')}</span>}
          </div>
          <ErrorBox error={replay.error} />
          {replay.result && (
            <div
              className="alert alert-ok"
              role="status"
              data-testid="replay-result"
              data-outcome={replay.result.outcome}
              data-http={replay.result.http_status}
            >
              {t('webhooks.replayedOutcome', {
                outcome: t(`webhooks.outcomes.${replay.result.outcome}`, replay.result.outcome),
                status: replay.result.http_status,
              })}
              {replay.result.message ? ` ${replay.result.message}` : ''}{' '}
              {replay.result.event.id !== replay.result.replay_of ? (
                <a href={href('webhooks', String(replay.result.event.id))} data-testid="replay-event">
                  {t('webhooks.replayStored', { id: replay.result.event.id })}
                </a>
              ) : (
                <span data-testid="replay-same">{t('webhooks.replayNothingNew')}</span>
              )}
            </div>
          )}
          <h2>{t('webhooks.headers')}</h2>
          <pre className="raw" data-testid="webhook-headers">
            {Object.entries(w.headers)
              .map(([k, v]) => `${k}: ${v}`)
              .join('\n')}
          </pre>
          <h2>{t('webhooks.rawBody')}</h2>
          <pre className="raw" data-testid="webhook-raw">
            {w.raw_body}
          </pre>
          {pretty && (
            <details>
              <summary>{t('webhooks.formatted')}</summary>
              <pre className="raw">{pretty}</pre>
            </details>
          )}
        </>
      )}
    </section>
  );
}
