import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { newId } from '../../../../shared/ids.ts';
import {
  CATALOG_PRICE_MAX,
  CATALOG_PRICE_MIN,
  type CatalogImportResult,
  CatalogImportResultSchema,
  type CatalogProduct,
  CatalogProductSchema,
  CatalogSnapshotSchema,
} from '../../../../shared/schemas/catalog-api.ts';
import { ApiError, call, request } from '../api.ts';
import { Empty, ErrorBox, Money, PageHeader } from '../components/common.tsx';
import { Dialog } from '../components/dialog.tsx';
import { useLoad } from '../hooks.ts';
import { formatTyped, parseTyped } from '../money-input.ts';

const asApiError = (e: unknown) => (e instanceof ApiError ? e : new ApiError(0, 'CLIENT', String(e)));
const priceOk = (p: number | null): p is number =>
  p !== null && Number.isSafeInteger(p) && p >= CATALOG_PRICE_MIN && p <= CATALOG_PRICE_MAX;

export function CatalogPage() {
  const { t } = useTranslation();
  const r = useLoad(() => call('GET', '/admin/api/catalog/products', CatalogSnapshotSchema), []);
  const [search, setSearch] = useState('');
  const [editing, setEditing] = useState<CatalogProduct | 'new' | null>(null);
  const [saved, setSaved] = useState(false);
  const q = search.trim().toLowerCase();
  const products = (r.data?.products ?? [])
    .filter(
      (p) =>
        !q ||
        p.name.toLowerCase().includes(q) ||
        p.sku.toLowerCase().includes(q) ||
        (p.barcode ?? '').toLowerCase().includes(q) ||
        (p.category ?? '').toLowerCase().includes(q),
    )
    .sort((a, b) => a.name.localeCompare(b.name));
  const done = () => {
    setSaved(true);
    r.reload();
  };
  return (
    <section>
      <PageHeader title={t('catalog.title')}>
        <button type="button" className="primary" onClick={() => setEditing('new')} data-testid="catalog-add">
          {t('catalog.add')}
        </button>
      </PageHeader>
      <ImportForm onDone={done} />
      <label className="search">
        {t('catalog.search')}
        <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} data-testid="catalog-search" />
      </label>
      {saved && (
        <p className="alert alert-ok" role="status" data-testid="catalog-saved">
          {t('catalog.saved')}
        </p>
      )}
      <ErrorBox error={r.error} />
      {r.data && products.length === 0 && <Empty>{t('catalog.none')}</Empty>}
      {products.length > 0 && (
        <div className="table-wrap">
          <table data-testid="catalog-table">
            <thead>
              <tr>
                <th scope="col">{t('catalog.name')}</th>
                <th scope="col">{t('catalog.sku')}</th>
                <th scope="col">{t('catalog.category')}</th>
                <th scope="col">{t('catalog.barcode')}</th>
                <th scope="col" className="num">
                  {t('catalog.price')}
                </th>
                <th scope="col">{t('catalog.active')}</th>
                <th scope="col">{t('common.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {products.map((p) => (
                <tr key={p.id} data-testid={`catalog-${p.sku}`} data-active={p.active}>
                  <th scope="row">{p.name}</th>
                  <td className="mono">{p.sku}</td>
                  <td>{p.category ?? '—'}</td>
                  <td className="mono">{p.barcode ?? '—'}</td>
                  <td className="num">
                    <Money amount={p.price} testId="catalog-price" />
                  </td>
                  <td>{p.active ? '✓' : '—'}</td>
                  <td>
                    <button
                      type="button"
                      onClick={() => {
                        setSaved(false);
                        setEditing(p);
                      }}
                      data-testid="catalog-edit"
                      aria-label={`${t('catalog.edit')} ${p.name}`}
                    >
                      {t('catalog.edit')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {editing && (
        <ProductDialog product={editing === 'new' ? null : editing} onClose={() => setEditing(null)} onDone={done} />
      )}
    </section>
  );
}

function ProductDialog({
  product,
  onClose,
  onDone,
}: {
  product: CatalogProduct | null;
  onClose: () => void;
  onDone: () => void;
}) {
  const { t } = useTranslation();
  // A new product's id is made once per dialog, so a retried save cannot add it twice.
  const [id] = useState(() => product?.id ?? newId());
  const [sku, setSku] = useState(product?.sku ?? '');
  const [name, setName] = useState(product?.name ?? '');
  const [price, setPrice] = useState(product ? formatTyped(String(product.price)) : '');
  const [category, setCategory] = useState(product?.category ?? '');
  const [barcode, setBarcode] = useState(product?.barcode ?? '');
  const [active, setActive] = useState(product?.active ?? true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const parsed = parseTyped(price);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!priceOk(parsed)) return;
    setBusy(true);
    setError(null);
    const fields = {
      sku: sku.trim(),
      name: name.trim(),
      price: parsed,
      category: category.trim() || null,
      barcode: barcode.trim() || null,
      active,
    };
    try {
      if (product) {
        await call('PUT', `/admin/api/catalog/products/${encodeURIComponent(product.id)}`, CatalogProductSchema, {
          ...fields,
          expected_version: product.version,
        });
      } else {
        await call('POST', '/admin/api/catalog/products', CatalogProductSchema, { id, ...fields });
      }
      onDone();
      onClose();
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      title={product ? `${t('catalog.edit')}: ${product.name}` : t('catalog.add')}
      onClose={onClose}
      testId="product-dialog"
    >
      <form onSubmit={submit}>
        <label>
          {t('catalog.name')}
          <input
            required
            maxLength={200}
            value={name}
            onChange={(e) => setName(e.target.value)}
            data-testid="product-name"
          />
        </label>
        <label>
          {t('catalog.price')}
          <input
            required
            inputMode="numeric"
            value={price}
            onChange={(e) => setPrice(formatTyped(e.target.value))}
            aria-invalid={price !== '' && !priceOk(parsed)}
            data-testid="product-price"
          />
        </label>
        {price !== '' && !priceOk(parsed) && (
          <p className="bad small" role="alert">
            {t('catalog.invalidPrice')}
          </p>
        )}
        <label>
          {t('catalog.sku')}
          <input
            required
            maxLength={64}
            value={sku}
            onChange={(e) => setSku(e.target.value)}
            data-testid="product-sku"
          />
        </label>
        <label>
          {t('catalog.category')}
          <input
            maxLength={60}
            value={category}
            onChange={(e) => setCategory(e.target.value)}
            data-testid="product-category"
          />
        </label>
        <label>
          {t('catalog.barcode')}
          <input
            maxLength={64}
            value={barcode}
            onChange={(e) => setBarcode(e.target.value)}
            data-testid="product-barcode"
          />
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={active}
            onChange={(e) => setActive(e.target.checked)}
            data-testid="product-active"
          />
          {t('catalog.active')}
        </label>
        <ErrorBox error={error} />
        <div className="actions">
          <button type="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="primary" disabled={busy || !priceOk(parsed)} data-testid="product-save">
            {t('common.save')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function ImportForm({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [result, setResult] = useState<CatalogImportResult | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!file) return;
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const res = await request('POST', '/admin/api/catalog/import', undefined, await file.text());
      const parsed = CatalogImportResultSchema.safeParse(await res.json());
      if (!parsed.success) throw new ApiError(res.status, 'BAD_RESPONSE', 'unexpected import answer');
      setResult(parsed.data);
      onDone();
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <details className="import">
      <summary>{t('catalog.import')}</summary>
      <form onSubmit={submit} className="filters" data-testid="catalog-import">
        <p className="muted small">{t('catalog.importHint')}</p>
        <label>
          {t('catalog.importFile')}
          <input
            type="file"
            accept=".csv,text/csv"
            onChange={(e) => setFile(e.target.files?.[0] ?? null)}
            data-testid="catalog-import-file"
          />
        </label>
        <button type="submit" disabled={!file || busy} data-testid="catalog-import-submit">
          {t('catalog.import')}
        </button>
      </form>
      <ErrorBox error={error} />
      {result && (
        <p className="alert alert-ok" role="status" data-testid="catalog-import-result">
          {t('catalog.importDone', result)}
        </p>
      )}
    </details>
  );
}
