/** Typed provider errors. `retryable` errors also count against the provider's circuit breaker. */
export class ProviderError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly providerCode: string | undefined;
  constructor(code: string, message: string, retryable: boolean, providerCode?: string) {
    super(message);
    this.code = code;
    this.retryable = retryable;
    this.providerCode = providerCode;
  }
}

/** The provider refused the request (4xx, a business rule): retrying the same request will not help. */
export class ProviderRejectedError extends ProviderError {
  override readonly name: string = 'ProviderRejectedError';
  constructor(message: string, providerCode?: string) {
    super('PROVIDER_REJECTED', message, false, providerCode);
  }
}

/** The provider could not be reached, timed out or answered 5xx: may succeed later or at the other provider. */
/**
 * The provider already has a payment under this reference (Midtrans 406 "Duplicate order ID"): an earlier
 * create reached it even though its answer never reached us. Ask the provider for its status instead.
 */
export class DuplicateOrderError extends ProviderRejectedError {
  override readonly name = 'DuplicateOrderError';
}

export class ProviderUnavailableError extends ProviderError {
  override readonly name = 'ProviderUnavailableError';
  constructor(message: string, providerCode?: string) {
    super('PROVIDER_UNAVAILABLE', message, true, providerCode);
  }
}

export class NotSupportedError extends ProviderError {
  override readonly name = 'NotSupportedError';
  constructor(message: string) {
    super('NOT_SUPPORTED', message, false);
  }
}

export class WebhookPayloadError extends Error {
  override readonly name = 'WebhookPayloadError';
  readonly code = 'INVALID_INPUT';
}
