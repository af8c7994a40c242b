import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PaperMm, PrinterTransportKind } from '../../../shared/counter.ts';
import { formatRupiah } from '../../../shared/money.ts';
import { formatTyped } from '../lib/rupiah-input.ts';
import { useTill } from '../store/index.ts';

/** Shift open/close with the cash count and its report, and the receipt printer's setup. */
export function CounterPage() {
  const loadCounter = useTill((s) => s.loadCounter);
  // Fresh figures whenever the page is opened (the core also pushes changes while it is open).
  useEffect(() => void loadCounter(), [loadCounter]);
  return (
    <div className="page" data-testid="counter-page">
      <ShiftCard />
      <PrinterCard />
    </div>
  );
}

function ShiftCard() {
  const { t, i18n } = useTranslation();
  const shift = useTill((s) => s.shift);
  const floatInput = useTill((s) => s.floatInput);
  const cashierInput = useTill((s) => s.cashierInput);
  const setCashier = useTill((s) => s.setCashierInput);
  const countedInput = useTill((s) => s.countedInput);
  const setFloat = useTill((s) => s.setFloatInput);
  const setCounted = useTill((s) => s.setCountedInput);
  const openShift = useTill((s) => s.openShift);
  const closeShift = useTill((s) => s.closeShift);
  const busy = useTill((s) => s.counterBusy);
  const error = useTill((s) => s.counterError);
  const [startNew, setStartNew] = useState(false);
  const time = new Intl.DateTimeFormat(i18n.language === 'en' ? 'en-GB' : 'id-ID', {
    dateStyle: 'medium',
    timeStyle: 'short',
  });
  const showOpenForm = !shift || (shift.status === 'closed' && startNew);
  const submitOpen = (e: FormEvent) => {
    e.preventDefault();
    void openShift().then(() => setStartNew(false));
  };
  const submitClose = (e: FormEvent) => {
    e.preventDefault();
    void closeShift();
  };
  const r = shift?.report;
  return (
    <section className="card" data-testid="shift-card" data-status={shift?.status ?? 'none'} data-shift-id={shift?.id}>
      <h2>{t('counter.shiftTitle')}</h2>
      {error && (
        <div className="banner bad" role="alert" data-testid="counter-error">
          {t(error.key, { ...error.params })}
        </div>
      )}
      {showOpenForm ? (
        <form onSubmit={submitOpen}>
          {!shift && <p className="field-note">{t('counter.noShift')}</p>}
          <label className="field">
            <span>{t('counter.cashier')}</span>
            <input
              data-testid="shift-cashier"
              value={cashierInput}
              onChange={(e) => setCashier(e.target.value)}
              maxLength={60}
              autoComplete="name"
            />
          </label>
          <label className="field">
            <span>{t('counter.openingFloat')}</span>
            <input
              className="tender-input"
              inputMode="numeric"
              data-testid="shift-float"
              value={floatInput}
              onChange={(e) => setFloat(formatTyped(e.target.value))}
              placeholder="Rp 0"
              autoComplete="off"
            />
          </label>
          <button
            type="submit"
            className="btn-primary btn-big"
            disabled={busy || floatInput === '' || cashierInput.trim() === ''}
            data-testid="shift-open"
          >
            {t('counter.openShift')}
          </button>
        </form>
      ) : (
        shift &&
        r && (
          <>
            {shift.cashier && (
              <div className="r" data-testid="shift-cashier-name">
                <span>{t('counter.cashier')}</span>
                <span>{shift.cashier}</span>
              </div>
            )}
            <div className="r">
              <span>{t('counter.openedAt')}</span>
              <span>{time.format(shift.openedAt)}</span>
            </div>
            {shift.closedAt !== null && (
              <div className="r">
                <span>{t('counter.closedAt')}</span>
                <span>{time.format(shift.closedAt)}</span>
              </div>
            )}
            <table className="table" data-testid="shift-report">
              <tbody>
                <Row label={t('counter.openingFloat')} value={r.openingFloat} id="float" />
                <Row label={t('counter.cashSales')} value={r.cashSales} id="cash-sales" />
                <Row label={t('counter.expected')} value={r.expectedCash} id="expected" strong />
                {r.countedCash !== null && <Row label={t('counter.counted')} value={r.countedCash} id="counted" />}
                {r.difference !== null && (
                  <tr
                    data-testid="shift-difference"
                    data-value={r.difference}
                    className={r.difference < 0 ? 'short' : ''}
                  >
                    <th>{t('counter.difference')}</th>
                    <td className="num">
                      {r.difference > 0 ? '+' : r.difference < 0 ? '−' : ''}
                      {formatRupiah(Math.abs(r.difference))}
                    </td>
                  </tr>
                )}
                {Object.entries(r.qrisByProvider).map(([provider, amount]) => (
                  <Row
                    key={provider}
                    label={t('counter.qrisBy', { provider })}
                    value={amount}
                    id={`qris-${provider}`}
                  />
                ))}
                <Row label={t('counter.unverified')} value={r.unverified} id="unverified" />
                <Row label={t('counter.refunded')} value={r.refunded} id="refunded" />
                <tr>
                  <th>{t('counter.salesCount')}</th>
                  <td className="num" data-testid="shift-sales-count">
                    {r.salesCount}
                  </td>
                </tr>
              </tbody>
            </table>
            {shift.status === 'open' ? (
              <form onSubmit={submitClose}>
                <label className="field">
                  <span>{t('counter.counted')}</span>
                  <input
                    className="tender-input"
                    inputMode="numeric"
                    data-testid="shift-counted"
                    value={countedInput}
                    onChange={(e) => setCounted(formatTyped(e.target.value))}
                    placeholder="Rp 0"
                    autoComplete="off"
                  />
                </label>
                <button
                  type="submit"
                  className="btn-danger btn-big"
                  disabled={busy || countedInput === ''}
                  data-testid="shift-close"
                >
                  {t('counter.closeShift')}
                </button>
              </form>
            ) : (
              <>
                <p className="field-note" data-testid="shift-synced" data-synced={shift.synced}>
                  {shift.synced ? t('counter.synced') : t('counter.notSynced')}
                </p>
                <button type="button" className="btn-primary" onClick={() => setStartNew(true)} data-testid="shift-new">
                  {t('counter.newShift')}
                </button>
              </>
            )}
          </>
        )
      )}
    </section>
  );
}

function Row({ label, value, id, strong }: { label: string; value: number; id: string; strong?: boolean }) {
  return (
    <tr data-testid={`shift-${id}`} data-value={value}>
      <th>{label}</th>
      <td className="num">{strong ? <strong>{formatRupiah(value)}</strong> : formatRupiah(value)}</td>
    </tr>
  );
}

function PrinterCard() {
  const { t } = useTranslation();
  const printer = useTill((s) => s.printer);
  const savePrinter = useTill((s) => s.savePrinter);
  const saved = useTill((s) => s.printerSaved);
  const busy = useTill((s) => s.counterBusy);
  const [transport, setTransport] = useState<PrinterTransportKind>('none');
  const [host, setHost] = useState('');
  const [port, setPort] = useState('9100');
  const [paper, setPaper] = useState<PaperMm>(58);
  const [auto, setAuto] = useState(true);
  // Fill the form from the stored printer when it changes, not when the page merely reloads the same one
  // (that would undo what the cashier is choosing).
  const [shownKey, setShownKey] = useState('');
  useEffect(() => {
    const key = JSON.stringify(printer);
    if (!printer || key === shownKey) return;
    setShownKey(key);
    setTransport(printer.transport);
    setHost(printer.host ?? '');
    setPort(String(printer.port ?? 9100));
    setPaper(printer.paperMm);
    setAuto(printer.autoPrint);
  }, [printer, shownKey]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void savePrinter({
      transport,
      ...(transport === 'none' ? {} : { host: host.trim() }),
      ...(transport === 'tcp' ? { port: Number(port) } : {}),
      paperMm: paper,
      autoPrint: auto,
    });
  };
  return (
    <section className="card" data-testid="printer-card">
      <h2>{t('counter.printerTitle')}</h2>
      <form onSubmit={submit}>
        <label className="field">
          <span>{t('counter.transport')}</span>
          <select
            data-testid="printer-transport"
            value={transport}
            onChange={(e) => setTransport(e.target.value as PrinterTransportKind)}
          >
            <option value="none">{t('counter.transportNone')}</option>
            <option value="tcp">{t('counter.transportTcp')}</option>
            <option value="device">{t('counter.transportDevice')}</option>
          </select>
        </label>
        {transport !== 'none' && (
          <label className="field">
            <span>{transport === 'tcp' ? t('counter.host') : t('counter.devicePath')}</span>
            <input
              data-testid="printer-host"
              value={host}
              onChange={(e) => setHost(e.target.value)}
              autoComplete="off"
            />
          </label>
        )}
        {transport === 'tcp' && (
          <label className="field">
            <span>{t('counter.port')}</span>
            <input
              data-testid="printer-port"
              inputMode="numeric"
              value={port}
              onChange={(e) => setPort(e.target.value.replace(/\D/g, '').slice(0, 5))}
            />
          </label>
        )}
        <label className="field">
          <span>{t('counter.paper')}</span>
          <select
            data-testid="printer-paper"
            value={paper}
            onChange={(e) => setPaper(e.target.value === '80' ? 80 : 58)}
          >
            <option value="58">58 mm</option>
            <option value="80">80 mm</option>
          </select>
        </label>
        <label className="field checkbox">
          <input
            type="checkbox"
            checked={auto}
            onChange={(e) => setAuto(e.target.checked)}
            data-testid="printer-auto"
          />
          <span>{t('counter.autoPrint')}</span>
        </label>
        <button type="submit" className="btn-primary" disabled={busy} data-testid="printer-save">
          {t('counter.savePrinter')}
        </button>
        {saved && (
          <span className="field-note" data-testid="printer-saved">
            {t('counter.printerSaved')}
          </span>
        )}
      </form>
    </section>
  );
}

/** Shown under the top bar while prints wait for the printer: how many, and a retry button. */
export function PrintQueueBanner() {
  const { t } = useTranslation();
  const queued = useTill((s) => s.printQueue.queued.length);
  const lastError = useTill((s) => s.printQueue.queued[0]?.lastError ?? null);
  const retry = useTill((s) => s.retryPrints);
  const busy = useTill((s) => s.counterBusy);
  if (queued === 0) return null;
  return (
    <div className="banner warn" data-testid="print-queue" data-count={queued} title={lastError ?? undefined}>
      {t('counter.queued', { count: queued })}
      <button type="button" onClick={() => void retry()} disabled={busy} data-testid="print-retry">
        {t('counter.retry')}
      </button>
    </div>
  );
}
