/**
 * The manager's sync page (F6), behind the manager PIN: connection, queue depth, the oldest unsynced item,
 * last sync, clock skew, the drain's progress, entries the server refused (with a retry), and offline QRIS
 * money not yet verified. Numbers follow the live status snapshot; the lists reload when it changes.
 */
import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatRupiah } from '../../../shared/money.ts';
import { useTill } from '../store/index.ts';
import { Kbd } from './shortcut.tsx';

const PIN_RE = /^\d{4,8}$/;

export function SyncPage() {
  const { t } = useTranslation();
  const pin = useTill((s) => s.managerPin);
  const details = useTill((s) => s.syncDetails);
  return (
    <div className="page" data-testid="sync-page">
      <div className="card">
        <h2>{t('syncPage.title')}</h2>
        {pin === null ? null : !pin.set ? (
          <SetPinForm first />
        ) : details === null ? (
          <UnlockForm />
        ) : (
          <SyncDetailsView />
        )}
      </div>
    </div>
  );
}

function ManagerError() {
  const { t } = useTranslation();
  const error = useTill((s) => s.managerError);
  if (!error) return null;
  return (
    <div className="alert" role="alert" data-testid="manager-error" data-code={error.code}>
      {t(error.key, { ...error.params })}
    </div>
  );
}

function PinInput(props: {
  value: string;
  onChange: (v: string) => void;
  testId: string;
  label: string;
  id?: string;
  autoFocus?: boolean;
}) {
  return (
    <label className="field">
      <span>{props.label}</span>
      <input
        data-testid={props.testId}
        id={props.id}
        // biome-ignore lint/a11y/noAutofocus: keyboard-first: the manager types the PIN straight away
        autoFocus={props.autoFocus}
        type="password"
        inputMode="numeric"
        autoComplete="off"
        maxLength={8}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value.replace(/\D/g, ''))}
      />
    </label>
  );
}

/** Sets the PIN (first time: from the sync page; later: in Settings, with the current PIN). */
export function SetPinForm({ first = false }: { first?: boolean }) {
  const { t } = useTranslation();
  const pinSet = useTill((s) => s.managerPin?.set ?? false);
  const busy = useTill((s) => s.managerBusy);
  const saved = useTill((s) => s.pinSaved);
  const setManagerPin = useTill((s) => s.setManagerPin);
  const [current, setCurrent] = useState('');
  const [pin, setPin] = useState('');
  const valid = PIN_RE.test(pin) && (!pinSet || PIN_RE.test(current));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!valid) return;
    if (await setManagerPin(pin, pinSet ? current : undefined)) {
      setPin('');
      setCurrent('');
    }
  };
  return (
    <form onSubmit={submit} data-testid="set-pin-form">
      {first && (
        <p className="field-note" data-testid="no-pin">
          {t('manager.noPin')}
        </p>
      )}
      {!first && (
        <p className="field-note" data-testid="pin-state">
          {pinSet ? t('manager.pinIsSet') : t('manager.pinNotSet')}
        </p>
      )}
      <ManagerError />
      {pinSet && (
        <PinInput value={current} onChange={setCurrent} testId="current-pin" label={t('manager.currentPin')} />
      )}
      <PinInput value={pin} onChange={setPin} testId="new-pin" label={t('manager.newPin')} />
      {pin !== '' && !PIN_RE.test(pin) && <span className="field-error">{t('manager.pinFormat')}</span>}
      {saved && (
        <div className="flash" data-testid="pin-saved">
          {t('manager.pinSaved')}
        </div>
      )}
      <button type="submit" className="btn-primary btn-big" disabled={!valid || busy} data-testid="save-pin">
        {t('manager.setPin')}
      </button>
    </form>
  );
}

function UnlockForm() {
  const { t } = useTranslation();
  const busy = useTill((s) => s.managerBusy);
  const unlock = useTill((s) => s.unlockManager);
  const [pin, setPin] = useState('');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!PIN_RE.test(pin)) return;
    await unlock(pin);
    setPin('');
  };
  return (
    <form onSubmit={submit} data-testid="unlock-form">
      <p className="field-note">{t('manager.pinPrompt')}</p>
      <ManagerError />
      <PinInput
        value={pin}
        onChange={setPin}
        testId="unlock-pin"
        id="unlock-pin-input"
        autoFocus
        label={t('manager.pin')}
      />
      <button
        type="submit"
        className="btn-primary btn-big"
        disabled={!PIN_RE.test(pin) || busy}
        data-testid="unlock-submit"
      >
        {t('manager.unlock')}
      </button>
    </form>
  );
}

function age(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 90) return `${m} min`;
  return `${Math.round(m / 60)} h`;
}

function time(ms: number | null): string {
  return ms === null ? '—' : new Date(ms).toLocaleString();
}

function SyncDetailsView() {
  const { t } = useTranslation();
  const details = useTill((s) => s.syncDetails);
  const live = useTill((s) => s.status);
  const load = useTill((s) => s.loadSyncDetails);
  const lock = useTill((s) => s.lockManager);
  const retry = useTill((s) => s.retryParkedItems);
  // The lists behind the numbers follow the pushed status snapshot.
  const key = live
    ? `${live.pendingOutbox}/${live.parkedOutbox}/${live.unverifiedTotal}/${live.lastSyncedAt}/${live.connection}`
    : '';
  useEffect(() => {
    if (key) void load();
  }, [key, load]);
  if (!details) return null;
  const s = live ?? details.status;
  const queue = s.pendingOutbox + s.parkedOutbox;
  const drain = s.drain;
  const skewS = s.clockSkewMs === null ? null : Math.round(s.clockSkewMs / 1000);
  return (
    <div data-testid="sync-details">
      <ManagerError />
      <dl className="sync-grid">
        <dt>{t('syncPage.connection')}</dt>
        <dd data-testid="sync-connection" data-state={s.connection}>
          {s.connection === 'online'
            ? t('app.online')
            : s.connection === 'offline'
              ? t('app.offline')
              : t('app.connecting')}
        </dd>
        <dt>{t('syncPage.queue')}</dt>
        <dd data-testid="sync-queue" data-count={queue}>
          {t('syncPage.queueValue', { count: queue })}
        </dd>
        <dt>{t('syncPage.unsyncedSales')}</dt>
        <dd data-testid="sync-unsynced-sales" data-count={s.pending} data-total={s.pendingTotal}>
          {s.pending} ({formatRupiah(s.pendingTotal)})
        </dd>
        <dt>{t('syncPage.oldest')}</dt>
        <dd data-testid="sync-oldest" data-at={details.oldestUnsyncedAt ?? ''}>
          {details.oldestUnsyncedAt === null
            ? t('syncPage.none')
            : t('syncPage.oldestAge', { age: age(details.now - details.oldestUnsyncedAt) })}
        </dd>
        <dt>{t('syncPage.lastSync')}</dt>
        <dd data-testid="sync-last">{s.lastSyncedAt === null ? t('syncPage.never') : time(s.lastSyncedAt)}</dd>
        <dt>{t('syncPage.skew')}</dt>
        <dd data-testid="sync-skew" data-warning={s.clockWarning}>
          {skewS === null ? t('syncPage.none') : t('syncPage.skewValue', { seconds: skewS })}
        </dd>
        {s.lastError && (
          <>
            <dt>{t('syncPage.lastError')}</dt>
            <dd data-testid="sync-error">{s.lastError}</dd>
          </>
        )}
        <dt>{t('syncPage.unverifiedTotal')}</dt>
        <dd data-testid="sync-unverified-total" data-total={s.unverifiedTotal}>
          {formatRupiah(s.unverifiedTotal)}
        </dd>
      </dl>

      <h3>{t('syncPage.progress')}</h3>
      {drain ? (
        <div
          data-testid="sync-progress"
          data-done={drain.done}
          data-total={drain.total}
          data-state={drain.finished ? 'done' : 'running'}
        >
          <progress max={Math.max(1, drain.total)} value={drain.done} style={{ width: '100%' }} />
          <span>
            {drain.finished
              ? t('syncPage.progressDone', { done: drain.done, total: drain.total })
              : t('syncPage.progressValue', { done: drain.done, total: drain.total })}
          </span>
        </div>
      ) : (
        <p className="field-note" data-testid="sync-progress-idle">
          {t('syncPage.progressIdle')}
        </p>
      )}

      <h3>{t('syncPage.parkedTitle')}</h3>
      {details.parkedItems.length === 0 ? (
        <p className="field-note">{t('syncPage.parkedNone')}</p>
      ) : (
        <>
          <table className="sync-table" data-testid="parked-list">
            <thead>
              <tr>
                <th>{t('syncPage.time')}</th>
                <th>{t('syncPage.kind')}</th>
                <th>{t('syncPage.amount')}</th>
                <th>{t('syncPage.error')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {details.parkedItems.map((p) => (
                <tr key={p.id} data-testid={`parked-${p.id}`}>
                  <td>{time(p.parkedAt ?? p.createdAt)}</td>
                  <td>{p.kind}</td>
                  <td>{p.amount === null ? '—' : formatRupiah(p.amount)}</td>
                  <td className="parked-error">{p.error ?? '—'}</td>
                  <td>
                    <button type="button" onClick={() => void retry([p.id])} data-testid={`retry-${p.id}`}>
                      {t('syncPage.retry')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <button type="button" onClick={() => void retry()} data-testid="retry-all">
            {t('syncPage.retryAll')}
          </button>
        </>
      )}

      <h3>{t('syncPage.unverifiedTitle')}</h3>
      {details.unverified.length === 0 ? (
        <p className="field-note">{t('syncPage.unverifiedNone')}</p>
      ) : (
        <table className="sync-table" data-testid="unverified-list">
          <thead>
            <tr>
              <th>{t('syncPage.time')}</th>
              <th>{t('syncPage.reference')}</th>
              <th>{t('syncPage.amount')}</th>
            </tr>
          </thead>
          <tbody>
            {details.unverified.map((u) => (
              <tr key={u.paymentId}>
                <td>{time(u.createdAt)}</td>
                <td>{u.offlineRef ?? '—'}</td>
                <td>{formatRupiah(u.amount)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <div style={{ display: 'flex', gap: 10, justifyContent: 'flex-end', marginTop: 12 }}>
        <button type="button" className="btn-big" onClick={() => void lock()} data-testid="sync-lock">
          {t('manager.lock')}
        </button>
        <button type="button" className="btn-big" onClick={() => useTill.getState().setPage('sale')}>
          {t('settings.back')} <Kbd k="Esc" />
        </button>
      </div>
    </div>
  );
}
