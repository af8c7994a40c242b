import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ChartsResponseSchema } from '../../../../shared/schemas/admin-api.ts';
import { call, withQuery } from '../api.ts';
import { HOUR, hourSeries } from '../chart-series.ts';
import { BarChart, type ChartPoint, LineChart } from '../components/charts.tsx';
import { ErrorBox, Money, PageHeader } from '../components/common.tsx';
import { formatPercent } from '../format.ts';
import { useLoad } from '../hooks.ts';

const RANGES = { '24h': 24, '48h': 48, '7d': 24 * 7 } as const;
type RangeKey = keyof typeof RANGES;

export function ChartsPage() {
  const { t, i18n } = useTranslation();
  const [range, setRange] = useState<RangeKey>('24h');
  const hours = RANGES[range];
  // Whole hours: the range ends at the start of the next hour, so the current hour is the last bar.
  const { from, to } = useMemo(() => {
    const end = Math.floor(Date.now() / HOUR) * HOUR + HOUR;
    return { from: end - hours * HOUR, to: end };
  }, [hours]);
  const r = useLoad(
    () => call('GET', withQuery('/admin/api/charts', { from, to }), ChartsResponseSchema),
    [from, to],
    30_000,
  );
  const series = hourSeries(r.data?.buckets ?? [], from, hours);
  const label = (i: number) => {
    const d = new Date(from + i * HOUR);
    const hh = `${String(d.getHours()).padStart(2, '0')}:00`;
    return hours > 48 ? `${d.getDate()}/${d.getMonth() + 1} ${hh}` : hh;
  };
  const counts: ChartPoint[] = series.map((b, i) => ({ label: label(i), value: b ? b.count + b.cash_count : 0 }));
  const rates: ChartPoint[] = series.map((b, i) => ({ label: label(i), value: b?.success_rate ?? null }));
  const buckets = r.data?.buckets ?? [];
  const totals = buckets.reduce(
    (a, b) => ({
      count: a.count + b.count + b.cash_count,
      paid: a.paid + b.paid_count,
      failed: a.failed + b.failed_count,
      amount: a.amount + b.paid_amount + b.cash_amount,
    }),
    { count: 0, paid: 0, failed: 0, amount: 0 },
  );
  const nf = new Intl.NumberFormat(i18n.language === 'id' ? 'id-ID' : 'en-GB', { maximumFractionDigits: 0 });
  return (
    <section>
      <PageHeader title={t('charts.title')}>
        <label>
          {t('charts.range')}{' '}
          <select value={range} onChange={(e) => setRange(e.target.value as RangeKey)} data-testid="charts-range">
            {(Object.keys(RANGES) as RangeKey[]).map((k) => (
              <option key={k} value={k}>
                {t(`charts.ranges.${k}`)}
              </option>
            ))}
          </select>
        </label>
      </PageHeader>
      <ErrorBox error={r.error} />
      <div className="cards">
        <article className="card">
          <h2>{t('charts.payments')}</h2>
          <p className="big" data-testid="charts-total-count">
            {totals.count}
          </p>
        </article>
        <article className="card">
          <h2>{t('charts.taken')}</h2>
          <p className="big">
            <Money amount={totals.amount} />
          </p>
        </article>
        <article className="card">
          <h2>{t('charts.successRate')}</h2>
          <p className="big">
            {formatPercent(
              totals.paid + totals.failed ? totals.paid / (totals.paid + totals.failed) : null,
              i18n.language,
            )}
          </p>
        </article>
      </div>
      <BarChart
        title={t('charts.perHour')}
        points={counts}
        format={(v) => nf.format(v)}
        testId="chart-per-hour"
        labelHeader={t('charts.hour')}
        valueHeader={t('charts.payments')}
      />
      <LineChart
        title={t('charts.rate')}
        points={rates}
        max={1}
        format={(v) => formatPercent(v, i18n.language)}
        testId="chart-success"
        labelHeader={t('charts.hour')}
        valueHeader={t('charts.successRate')}
      />
    </section>
  );
}
