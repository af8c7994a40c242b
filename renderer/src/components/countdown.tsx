import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatCountdown } from '../lib/cart-math.ts';

/**
 * Time left until `expiresAt` (server clock). `skewMs` is server minus till clock, so a till whose clock is
 * off still counts down to the moment the server will expire the payment.
 */
export function Countdown({ expiresAt, skewMs }: { expiresAt: number; skewMs: number }) {
  const { t } = useTranslation();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, []);
  const left = expiresAt - (now + skewMs);
  return (
    <div className={`countdown ${left < 60_000 ? 'low' : ''}`} data-testid="qris-countdown" aria-live="off">
      {t('qris.expiresIn', { time: formatCountdown(left) })}
    </div>
  );
}
