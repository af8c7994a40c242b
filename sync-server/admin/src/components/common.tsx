import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiError } from '../api.ts';
import { formatRupiah } from '../format.ts';

export function Money({ amount, testId }: { amount: number | null | undefined; testId?: string }) {
  return (
    <span className="money" data-testid={testId} data-amount={amount ?? ''}>
      {amount === null || amount === undefined ? '—' : formatRupiah(amount)}
    </span>
  );
}

/** A payment status in the page language, coloured by what it means for the money. */
export function StatusBadge({ status, late }: { status: string; late?: boolean }) {
  const { t } = useTranslation();
  const tone =
    status === 'paid'
      ? 'ok'
      : status === 'needs_review' || status === 'unverified' || status === 'pending'
        ? 'warn'
        : status === 'refunded' || status === 'partially_refunded'
          ? 'info'
          : 'muted';
  return (
    <span className={`badge badge-${tone}`} data-status={status}>
      {t(`status.${status}`, { defaultValue: status })}
      {late ? ` · ${t('status.late')}` : ''}
    </span>
  );
}

export function ErrorBox({ error, children }: { error: ApiError | null; children?: ReactNode }) {
  const { t } = useTranslation();
  if (!error) return null;
  return (
    <div className="alert alert-bad" role="alert" data-testid="error" data-code={error.code}>
      {t(`errors.${error.code}`, {
        message: error.message,
        defaultValue: t('errors.generic', { message: error.message }),
      })}
      {children}
    </div>
  );
}

export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="page-header">
      <h1 tabIndex={-1}>{title}</h1>
      <div className="page-actions">{children}</div>
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}
