import { useTranslation } from 'react-i18next';
import { PageHeader } from '../components/common.tsx';

// The catalog API (/admin/api/catalog/…) is not merged into this branch yet: the page says so.
export function CatalogPage() {
  const { t } = useTranslation();
  return (
    <section>
      <PageHeader title={t('catalog.title')} />
      <p className="empty">{t('catalog.unavailable')}</p>
    </section>
  );
}
