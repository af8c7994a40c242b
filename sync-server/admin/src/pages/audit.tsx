import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type AuditEntry, AuditPageSchema } from '../../../../shared/schemas/admin-api.ts';
import { call, withQuery } from '../api.ts';
import { Empty, ErrorBox, PageHeader } from '../components/common.tsx';
import { formatTime } from '../format.ts';
import { useLoad } from '../hooks.ts';
import { href, navigate } from '../router.ts';

const FILTERS = ['action', 'subject_type', 'subject_id'] as const;
type Filters = Record<(typeof FILTERS)[number], string>;

export function AuditPage({ params }: { params: URLSearchParams }) {
  const { t, i18n } = useTranslation();
  const filters = Object.fromEntries(FILTERS.map((k) => [k, params.get(k) ?? ''])) as Filters;
  const [draft, setDraft] = useState<Filters>(filters);
  const [more, setMore] = useState<{ items: AuditEntry[]; cursor: string | null } | null>(null);
  const key = FILTERS.map((k) => filters[k]).join('|');
  const r = useLoad(
    () => {
      setMore(null);
      return call('GET', withQuery('/admin/api/audit', filters), AuditPageSchema);
    },
    [key],
    10_000,
  );
  const items = [...(r.data?.items ?? []), ...(more?.items ?? [])];
  const cursor = more ? more.cursor : (r.data?.next_cursor ?? null);
  const set = (k: keyof Filters) => (e: { target: { value: string } }) => setDraft({ ...draft, [k]: e.target.value });
  const apply = (e: FormEvent) => {
    e.preventDefault();
    navigate(href('audit', null, draft));
  };
  const loadMore = async () => {
    if (!cursor) return;
    const page = await call('GET', withQuery('/admin/api/audit', { ...filters, cursor }), AuditPageSchema);
    setMore({ items: [...(more?.items ?? []), ...page.items], cursor: page.next_cursor });
  };
  return (
    <section>
      <PageHeader title={t('audit.title')} />
      <p className="muted">{t('audit.intro')}</p>
      <form className="filters" onSubmit={apply} aria-label={t('common.filters')}>
        <label>
          {t('audit.action')}
          <input type="search" value={draft.action} onChange={set('action')} data-testid="audit-action" />
        </label>
        <label>
          {t('audit.subjectType')}
          <input type="search" value={draft.subject_type} onChange={set('subject_type')} />
        </label>
        <label>
          {t('audit.subject')}
          <input type="search" value={draft.subject_id} onChange={set('subject_id')} />
        </label>
        <button type="submit">{t('common.apply')}</button>
      </form>
      <ErrorBox error={r.error} />
      {r.data && items.length === 0 && <Empty>{t('audit.none')}</Empty>}
      {items.length > 0 && (
        <div className="table-wrap">
          <table data-testid="audit-table">
            <thead>
              <tr>
                <th scope="col">{t('audit.at')}</th>
                <th scope="col">{t('audit.actor')}</th>
                <th scope="col">{t('audit.action')}</th>
                <th scope="col">{t('audit.subject')}</th>
                <th scope="col">{t('audit.detail')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((a) => (
                <tr key={a.id} data-testid="audit-row" data-action={a.action}>
                  <td>{formatTime(a.at, i18n.language)}</td>
                  <td>
                    {t(`audit.actors.${a.actor_kind}`)}
                    {a.actor_id && <div className="muted small mono">{a.actor_id}</div>}
                  </td>
                  <td className="mono">{a.action}</td>
                  <td>
                    {a.subject_type === 'payment' && a.subject_id ? (
                      <a href={href('payments', a.subject_id)} className="mono">
                        {a.subject_id}
                      </a>
                    ) : (
                      <span className="mono">
                        {a.subject_type ?? ''} {a.subject_id ?? ''}
                      </span>
                    )}
                  </td>
                  <td>{a.detail && <code className="small">{JSON.stringify(a.detail)}</code>}</td>
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
