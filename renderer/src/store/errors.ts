import type { AppError } from '../../../shared/result.ts';
import type { UiError } from './types.ts';

/**
 * A till error → what the cashier reads. Unknown codes (a newer core, a transport failure) still get a message
 * that says what happened instead of a blank screen.
 */
export function toUiError(e: AppError): UiError {
  switch (e.code) {
    case 'SERVER_UNREACHABLE':
      return { code: e.code, key: 'errors.serverUnreachable' };
    case 'PROVIDER_UNAVAILABLE':
      return { code: e.code, key: 'errors.providerUnavailable' };
    case 'UNAUTHORIZED':
      return { code: e.code, key: 'errors.unauthorized' };
    case 'NOT_CONFIGURED':
      return { code: e.code, key: 'app.notEnrolled' };
    case 'ALREADY_PAID':
      return { code: e.code, key: 'errors.alreadyPaid' };
    case 'INVALID_INPUT':
      return { code: e.code, key: 'errors.invalidInput', params: { message: e.message } };
    case 'OFFLINE_QRIS_REFUSED':
      return { code: e.code, key: offlineReasonKey(e.message) };
    case 'PIN_REQUIRED':
      return { code: e.code, key: 'manager.pinRequired' };
    case 'PIN_WRONG':
      return { code: e.code, key: 'manager.pinWrong', params: { left: Number(e.message) || 0 } };
    case 'PIN_LOCKED': {
      const until = Number(e.message);
      const seconds = Number.isFinite(until) ? Math.max(1, Math.ceil((until - Date.now()) / 1000)) : 30;
      return { code: e.code, key: 'manager.pinLocked', params: { seconds } };
    }
    case 'BRIDGE_UNAVAILABLE':
    case 'FORBIDDEN':
      return { code: e.code, key: 'errors.bridge' };
    default:
      return { code: e.code, key: 'errors.generic', params: { message: e.message } };
  }
}

const OFFLINE_REASONS = ['no_static_qris', 'invalid_amount', 'over_max_amount', 'over_unverified_total'];

/** The text explaining why only cash is offered offline (shared/offline-qris.ts `OfflineQrisRefusal`). */
export function offlineReasonKey(reason: string): string {
  return `offline.reason.${OFFLINE_REASONS.includes(reason) ? reason : 'no_static_qris'}`;
}

/** A call that threw instead of answering with a Result (a broken transport): never let it escape an action. */
export function thrown(e: unknown): AppError {
  return { code: 'BRIDGE_UNAVAILABLE', message: e instanceof Error ? e.message : String(e), retryable: true };
}
