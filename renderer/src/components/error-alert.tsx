import { useTranslation } from 'react-i18next';
import { useTill } from '../store/index.ts';

/** The last failed action, in words a cashier can act on. */
export function ErrorAlert() {
  const { t } = useTranslation();
  const error = useTill((s) => s.error);
  if (!error) return null;
  return (
    <div className="alert" role="alert" data-testid="error" data-code={error.code}>
      {t(error.key, { ...error.params })}
    </div>
  );
}
