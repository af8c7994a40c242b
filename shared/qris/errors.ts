/**
 * Every way a QRIS payload or a conversion request can be refused. The set is closed so callers (the till
 * screen, the CLI, the sandboxes) can switch on `code` and show a cashier something better than a stack trace.
 *
 * - EMPTY          the payload is an empty string
 * - TOO_LONG       the payload is over 512 characters, or a value would not fit its 2-digit length (≤ 99)
 * - TLV_MALFORMED  an id or length is not two ASCII digits, a length is 00, or a value runs past the end
 * - CRC_MISSING    no tag 63 at the top level
 * - CRC_NOT_LAST   tag 63 is present but something follows it
 * - CRC_FORMAT     tag 63 does not have length 04
 * - CRC_MISMATCH   the 4 CRC characters are not the uppercase CRC-16/CCITT-FALSE of the payload
 * - DUPLICATE_TAG  an id appears twice at one level (root or inside a template)
 * - INVALID_AMOUNT tag 54 breaks the EMV/QRIS amount syntax, or a requested amount is outside 1…10,000,000
 * - INVALID_FIELD  any other field breaks a rule we enforce (00 first with value 01, labels, 62 structure)
 * - NOT_STATIC     a static→dynamic conversion was asked for a payload that is not static
 */
export type QrisErrorCode =
  | 'EMPTY'
  | 'TOO_LONG'
  | 'TLV_MALFORMED'
  | 'CRC_MISSING'
  | 'CRC_NOT_LAST'
  | 'CRC_FORMAT'
  | 'CRC_MISMATCH'
  | 'DUPLICATE_TAG'
  | 'INVALID_AMOUNT'
  | 'INVALID_FIELD'
  | 'NOT_STATIC';

export type QrisErrorDetails = {
  /** Tag path of the offending object, e.g. `54` or `62.05`. */
  tag?: string;
  /** Character (code point) offset into the payload or template value where TLV parsing failed. */
  offset?: number;
  /** CRC_MISMATCH: the CRC the payload should carry, and the one it does carry. */
  expected?: string;
  actual?: string;
};

export class QrisError extends Error {
  override readonly name = 'QrisError';
  readonly code: QrisErrorCode;
  readonly tag: string | undefined;
  readonly offset: number | undefined;
  readonly expected: string | undefined;
  readonly actual: string | undefined;

  constructor(code: QrisErrorCode, message: string, details: QrisErrorDetails = {}) {
    super(message);
    this.code = code;
    this.tag = details.tag;
    this.offset = details.offset;
    this.expected = details.expected;
    this.actual = details.actual;
  }
}

export function isQrisError(e: unknown): e is QrisError {
  return e instanceof QrisError;
}
