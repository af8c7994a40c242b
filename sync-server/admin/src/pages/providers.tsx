import { useTranslation } from 'react-i18next';
import { ProvidersHealthResponseSchema } from '../../../../shared/schemas/admin-api.ts';
import { call } from '../api.ts';
import { Empty, ErrorBox, PageHeader } from '../components/common.tsx';
import { formatPercent, formatTime } from '../format.ts';
import { useLoad } from '../hooks.ts';

const ms = (v: number | null) => (v === null ? '—' : `${Math.round(v)} ms`);

export function ProvidersPage() {
  const { t, i18n } = useTranslation();
  const r = useLoad(() => call('GET', '/admin/api/providers/health', ProvidersHealthResponseSchema), [], 5_000);
  const providers = r.data?.providers ?? [];
  return (
    <section>
      <PageHeader title={t('providers.title')} />
      <ErrorBox error={r.error} />
      {r.data && providers.length === 0 && <Empty>{t('providers.none')}</Empty>}
      <div className="cards">
        {providers.map((p) => (
          <article key={p.provider} className="card" data-testid={`provider-${p.provider}`} data-breaker={p.breaker}>
            <h2>
              {p.provider} <span className="badge badge-muted">{t(`providers.modes.${p.mode}`)}</span>
            </h2>
            <dl className="facts">
              <dt>{t('providers.breaker')}</dt>
              <dd>
                <span
                  className={`badge badge-${p.breaker === 'closed' ? 'ok' : p.breaker === 'open' ? 'bad' : 'warn'}`}
                >
                  {t(`providers.breakers.${p.breaker}`)}
                </span>
              </dd>
              <dt>{t('providers.failures')}</dt>
              <dd>{p.breaker_failures}</dd>
              <dt>{t('providers.successRate')}</dt>
              <dd data-testid="provider-success">
                {formatPercent(p.recent.success_rate, i18n.language)}{' '}
                <span className="muted">({t('providers.calls', { ok: p.recent.ok, calls: p.recent.calls })})</span>
              </dd>
              <dt>{t('providers.latency')}</dt>
              <dd>
                p50 {ms(p.recent.p50_ms)} · p95 {ms(p.recent.p95_ms)} · p99 {ms(p.recent.p99_ms)}
              </dd>
              <dt>{t('providers.since')}</dt>
              <dd>{formatTime(p.recent.since, i18n.language)}</dd>
            </dl>
          </article>
        ))}
      </div>
    </section>
  );
}
