import { useTranslation } from 'react-i18next';
import { TillsResponseSchema } from '../../../../shared/schemas/admin-api.ts';
import { call } from '../api.ts';
import { Empty, ErrorBox, Money, PageHeader } from '../components/common.tsx';
import { formatDuration, formatTime } from '../format.ts';
import { useLoad } from '../hooks.ts';

/** How often the page asks again: a manager watching a backlog drain sees the lag fall within seconds. */
export const TILLS_REFRESH_MS = 2_000;

export function TillsPage() {
  const { t, i18n } = useTranslation();
  const r = useLoad(() => call('GET', '/admin/api/tills', TillsResponseSchema), [], TILLS_REFRESH_MS);
  const tills = r.data?.tills ?? [];
  return (
    <section>
      <PageHeader title={t('tills.title')}>
        <span className="muted" aria-live="polite" data-testid="tills-updated">
          {r.at ? t('common.updatedAt', { time: formatTime(r.at, i18n.language) }) : t('common.loading')}
        </span>
      </PageHeader>
      <p className="muted">{t('tills.intro', { seconds: TILLS_REFRESH_MS / 1000 })}</p>
      <ErrorBox error={r.error} />
      {r.data && tills.length === 0 && <Empty>{t('tills.none')}</Empty>}
      {tills.length > 0 && (
        <div className="table-wrap">
          <table data-testid="tills-table">
            <thead>
              <tr>
                <th scope="col">{t('tills.name')}</th>
                <th scope="col">{t('tills.state')}</th>
                <th scope="col">{t('tills.lastSeen')}</th>
                <th scope="col">{t('tills.lag')}</th>
                <th scope="col" className="num">
                  {t('tills.queue')}
                </th>
                <th scope="col" className="num">
                  {t('tills.parked')}
                </th>
                <th scope="col" className="num">
                  {t('tills.unverified')}
                </th>
                <th scope="col">{t('tills.skew')}</th>
              </tr>
            </thead>
            <tbody>
              {tills.map((till) => (
                <tr key={till.device_id} data-testid={`till-${till.device_id}`} data-state={till.state}>
                  <th scope="row">
                    {till.name}
                    {till.revoked && <span className="badge badge-muted">{t('tills.revoked')}</span>}
                    <div className="muted small mono">{till.device_id}</div>
                  </th>
                  <td>
                    <span
                      className={`badge badge-${till.state === 'synced' ? 'ok' : till.state === 'lagging' ? 'warn' : 'muted'}`}
                      data-testid="till-state"
                    >
                      {t(`tills.states.${till.state}`)}
                    </span>
                  </td>
                  <td>{formatTime(till.last_seen_at, i18n.language)}</td>
                  <td data-testid="till-lag">{formatDuration(till.sync_lag_ms)}</td>
                  <td className="num" data-testid="till-queue">
                    {till.queue_depth ?? '—'}
                  </td>
                  <td className={`num${till.parked ? ' bad' : ''}`}>{till.parked ?? '—'}</td>
                  <td className="num">
                    <Money amount={till.unverified_amount} testId="till-unverified" />
                  </td>
                  <td>{till.clock_skew_ms === null ? '—' : formatDuration(Math.abs(till.clock_skew_ms))}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
