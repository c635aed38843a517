/** Structured logging with secrets redacted and phone numbers masked. */
export {
  createLogger,
  fullNumbersVariable,
  type Logger,
  type LoggerOptions,
} from "./create-logger.js";
export { maskAddress, maskPhoneNumbersInText, redactUrlCredentials } from "./mask-phone-numbers.js";
export { redactedValue, sanitizeLogValue } from "./sanitize-log-fields.js";
