import { describe, expect, it } from 'vitest';
import {
  isFinal,
  mapMidtransStatus,
  mapXenditQrPaymentStatus,
  PAYMENT_STATUSES,
  transition,
} from '../../shared/payment-status.ts';

describe('payment-status lattice', () => {
  it('moves pending forward to every outcome', () => {
    for (const s of ['paid', 'expired', 'cancelled', 'failed'] as const) {
      expect(transition('pending', s)).toEqual({ kind: 'apply', next: s, late: false });
    }
  });

  it('treats the same status as a duplicate and never moves backwards', () => {
    for (const s of PAYMENT_STATUSES) expect(transition(s, s)).toEqual({ kind: 'duplicate' });
    expect(transition('paid', 'pending')).toEqual({ kind: 'ignored', reason: 'backwards' });
    expect(transition('paid', 'expired')).toEqual({ kind: 'ignored', reason: 'backwards' });
    expect(transition('refunded', 'paid')).toEqual({ kind: 'ignored', reason: 'backwards' });
    expect(transition('refunded', 'partially_refunded')).toEqual({ kind: 'ignored', reason: 'backwards' });
    expect(transition('expired', 'pending')).toEqual({ kind: 'ignored', reason: 'backwards' });
  });

  it('keeps a late paid after expiry or cancellation, flagged for review', () => {
    for (const s of ['expired', 'cancelled', 'failed'] as const) {
      expect(transition(s, 'paid')).toEqual({ kind: 'apply', next: 'paid', late: true });
    }
  });

  it('lets offline payments be verified or sent to review', () => {
    expect(transition('unverified', 'paid')).toMatchObject({ kind: 'apply', next: 'paid' });
    expect(transition('unverified', 'needs_review')).toMatchObject({ kind: 'apply', next: 'needs_review' });
    expect(transition('needs_review', 'paid')).toMatchObject({ kind: 'apply', next: 'paid' });
    expect(transition('unverified', 'pending').kind).toBe('ignored');
  });

  it('keeps a status that arrived before the steps leading to it as early, not as backwards', () => {
    expect(transition('pending', 'refunded')).toEqual({ kind: 'early' });
    expect(transition('pending', 'partially_refunded')).toEqual({ kind: 'early' });
    expect(transition('unverified', 'refunded')).toEqual({ kind: 'early' });
    expect(transition('expired', 'refunded')).toEqual({ kind: 'early' }); // late paid, then refunded
    expect(transition('paid', 'needs_review').kind).toBe('ignored');
  });

  it('has no path out of refunded and none that returns to pending', () => {
    expect(isFinal('refunded')).toBe(true);
    expect(isFinal('expired')).toBe(false); // a late paid may still arrive
    for (const from of PAYMENT_STATUSES) {
      if (from !== 'pending') expect(transition(from, 'pending').kind).not.toBe('apply');
    }
  });
});

describe('provider status mapping', () => {
  it('maps Midtrans statuses per the docs success rule', () => {
    expect(mapMidtransStatus({ transaction_status: 'settlement', fraud_status: 'accept', status_code: '200' })).toBe(
      'paid',
    );
    expect(mapMidtransStatus({ transaction_status: 'settlement', status_code: '200' })).toBe('paid');
    expect(mapMidtransStatus({ transaction_status: 'settlement', fraud_status: 'deny', status_code: '200' })).toBe(
      null,
    );
    expect(mapMidtransStatus({ transaction_status: 'capture', fraud_status: 'accept', status_code: '200' })).toBe(
      'paid',
    );
    expect(mapMidtransStatus({ transaction_status: 'capture', fraud_status: 'challenge' })).toBe(null);
    expect(mapMidtransStatus({ transaction_status: 'pending' })).toBe('pending');
    expect(mapMidtransStatus({ transaction_status: 'expire' })).toBe('expired');
    expect(mapMidtransStatus({ transaction_status: 'cancel' })).toBe('cancelled');
    expect(mapMidtransStatus({ transaction_status: 'deny' })).toBe('failed');
    expect(mapMidtransStatus({ transaction_status: 'failure' })).toBe('failed');
    expect(mapMidtransStatus({ transaction_status: 'refund' })).toBe('refunded');
    expect(mapMidtransStatus({ transaction_status: 'partial_refund' })).toBe('partially_refunded');
    expect(mapMidtransStatus({ transaction_status: 'authorize' })).toBe(null);
  });

  it('maps Xendit qr.payment statuses of both API versions', () => {
    expect(mapXenditQrPaymentStatus('SUCCEEDED')).toBe('paid');
    expect(mapXenditQrPaymentStatus('COMPLETED')).toBe('paid');
    expect(mapXenditQrPaymentStatus('SOMETHING_NEW')).toBe(null);
  });
});
