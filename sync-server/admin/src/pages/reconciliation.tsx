import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ReconciliationReportSchema } from '../../../../shared/schemas/admin-api.ts';
import { call, withQuery } from '../api.ts';
import { Empty, ErrorBox, Money, PageHeader, StatusBadge } from '../components/common.tsx';
import { formatTime, todayWib } from '../format.ts';
import { useLoad } from '../hooks.ts';
import { href, navigate } from '../router.ts';

const CATEGORIES = ['verified', 'pending', 'review'] as const;

export function ReconciliationPage({ params }: { params: URLSearchParams }) {
  const { t, i18n } = useTranslation();
  const date = params.get('date') || todayWib();
  const [draft, setDraft] = useState(date);
  const r = useLoad(
    () => call('GET', withQuery('/admin/api/reconciliation', { date }), ReconciliationReportSchema),
    [date],
  );
  const rep = r.data;
  // A plain link: the browser downloads it with the session cookie; the server names the file and the columns.
  const csvUrl = withQuery('/admin/api/reconciliation', { date, format: 'csv' });
  return (
    <section>
      <PageHeader title={t('recon.title')}>
        <a className="button" href={csvUrl} download data-testid="recon-csv">
          {t('recon.csv')}
        </a>
      </PageHeader>
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          navigate(href('reconciliation', null, { date: draft }));
        }}
      >
        <label>
          {t('recon.date')}
          <input
            type="date"
            value={draft}
            required
            onChange={(e) => setDraft(e.target.value)}
            data-testid="recon-date"
          />
        </label>
        <button type="submit">{t('common.apply')}</button>
      </form>
      <p className="muted">{t('recon.intro')}</p>
      <ErrorBox error={r.error} />
      {rep && (
        <>
          <div className="cards">
            {CATEGORIES.map((c) => (
              <article key={c} className={`card total-${c}`} data-testid={`recon-${c}`}>
                <h2>{t(`recon.categories.${c}`)}</h2>
                <p className="big">
                  <Money amount={rep.totals[c].amount} testId={`recon-${c}-amount`} />
                </p>
                <p className="muted">{t('recon.count', { count: rep.totals[c].count })}</p>
              </article>
            ))}
          </div>
          {rep.items.length === 0 ? (
            <Empty>{t('recon.none')}</Empty>
          ) : (
            <div className="table-wrap">
              <table data-testid="recon-table">
                <thead>
                  <tr>
                    <th scope="col">{t('recon.category')}</th>
                    <th scope="col">{t('payments.created')}</th>
                    <th scope="col">{t('payments.payment')}</th>
                    <th scope="col">{t('payments.method')}</th>
                    <th scope="col">{t('payments.status')}</th>
                    <th scope="col" className="num">
                      {t('payments.amount')}
                    </th>
                    <th scope="col" className="num">
                      {t('payments.refunded')}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {rep.items.map((it) => (
                    <tr key={it.payment_id}>
                      <td>{t(`recon.categories.${it.category}`)}</td>
                      <td>{formatTime(it.created_at, i18n.language)}</td>
                      <td>
                        <a href={href('payments', it.payment_id)} className="mono">
                          {it.payment_id}
                        </a>
                      </td>
                      <td>{t(`methods.${it.kind}`)}</td>
                      <td>
                        <StatusBadge status={it.status} late={it.late} />
                      </td>
                      <td className="num">
                        <Money amount={it.amount} />
                      </td>
                      <td className="num">{it.refunded_amount ? <Money amount={it.refunded_amount} /> : '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  );
}
