import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useShallow } from 'zustand/react/shallow';
import { formatRupiah } from '../../../shared/money.ts';
import { selectCategories, selectVisibleProducts, useTill } from '../store/index.ts';
import { Kbd } from './shortcut.tsx';

export const SCAN_INPUT_ID = 'scan-input';
export const SEARCH_INPUT_ID = 'search-input';

export function Catalog() {
  return (
    <section className="catalog" aria-label="catalog">
      <Finders />
      <ProductGrid />
    </section>
  );
}

function Finders() {
  const { t } = useTranslation();
  const query = useTill((s) => s.query);
  const setQuery = useTill((s) => s.setQuery);
  const addByCode = useTill((s) => s.addByCode);
  const flash = useTill((s) => s.flash);
  const [code, setCode] = useState('');

  // A scanner "types" the code into this field and presses Enter: the same path as a cashier typing a SKU.
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (code.trim() === '') return;
    addByCode(code);
    setCode('');
  };

  return (
    <div>
      <div className="finders">
        <form onSubmit={submit} className="field">
          <span>
            {t('catalog.scan')} <Kbd k="F2" />
          </span>
          <input
            id={SCAN_INPUT_ID}
            data-testid="sku-input"
            value={code}
            onChange={(e) => setCode(e.target.value)}
            placeholder={t('catalog.scanPlaceholder')}
            autoComplete="off"
            spellCheck={false}
            // biome-ignore lint/a11y/noAutofocus: the till is a single-purpose screen; the scanner must land here.
            autoFocus
          />
        </form>
        <label className="field">
          <span>
            {t('catalog.search')} <Kbd k="F3" />
          </span>
          <input
            id={SEARCH_INPUT_ID}
            data-testid="search-input"
            type="search"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            placeholder={t('catalog.searchPlaceholder')}
            autoComplete="off"
          />
        </label>
      </div>
      <div
        className={`flash ${flash?.kind === 'error' ? 'bad' : ''}`}
        data-testid="flash"
        role="status"
        aria-live="polite"
      >
        {flash ? t(flash.key, { ...flash.params }) : ''}
      </div>
    </div>
  );
}

function ProductGrid() {
  const { t } = useTranslation();
  const products = useTill(useShallow(selectVisibleProducts));
  const status = useTill((s) => s.catalogStatus);
  const addProduct = useTill((s) => s.addProduct);
  if (status === 'loading' && products.length === 0) return <div className="empty">{t('catalog.loading')}</div>;
  if (products.length === 0) {
    return (
      <>
        <CategoryFilter />
        <div className="empty" data-testid="product-grid">
          {t('catalog.noProducts')}
        </div>
      </>
    );
  }
  return (
    <>
      <CategoryFilter />
      <div className="grid" data-testid="product-grid">
        {products.map((p) => (
          <button
            key={p.id}
            type="button"
            className="tile"
            onClick={() => addProduct(p.id)}
            data-testid={`product-${p.sku}`}
          >
            {p.imageUrl && <img className="tile-img" src={p.imageUrl} alt="" data-testid="tile-img" />}
            <span className="name">{p.name}</span>
            <span className="meta">
              <span className="price">{formatRupiah(p.price)}</span>
              <span className="sku">{p.sku}</span>
            </span>
          </button>
        ))}
      </div>
    </>
  );
}

function CategoryFilter() {
  const { t } = useTranslation();
  const categories = useTill(useShallow(selectCategories));
  const current = useTill((s) => s.category);
  const setCategory = useTill((s) => s.setCategory);
  if (categories.length === 0) return null;
  return (
    <fieldset className="chips" aria-label={t('catalog.category')} data-testid="category-filter">
      <button
        type="button"
        aria-pressed={current === null}
        onClick={() => setCategory(null)}
        data-testid="category-all"
      >
        {t('catalog.allCategories')}
      </button>
      {categories.map((c) => (
        <button
          key={c}
          type="button"
          aria-pressed={current === c}
          onClick={() => setCategory(c)}
          data-testid={`category-${c}`}
        >
          {c}
        </button>
      ))}
    </fieldset>
  );
}
