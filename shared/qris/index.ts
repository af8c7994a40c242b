/** QRIS (EMV MPM) codec: pure TypeScript with no Node-only APIs, shared by the till, renderer and server. */

export type { QrisAcquirer, QrisAdditionalData, QrisPayload, QrisSummary } from './codec.ts';
export {
  buildQris,
  describeQris,
  isValidAmountText,
  parseQris,
  QRIS_MAX_PAYLOAD_LENGTH,
  serializeQris,
} from './codec.ts';
export { crc16CcittFalse, formatCrc } from './crc.ts';
export { type DynamicOptions, toDynamic } from './dynamic.ts';
export { isQrisError, QrisError, type QrisErrorCode, type QrisErrorDetails } from './errors.ts';
export {
  codePointLength,
  findNode,
  isTemplateId,
  parseTlv,
  type QrisNode,
  serializeTlv,
  template,
  tlv,
} from './tlv.ts';
