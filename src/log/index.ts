/** Structured logging with secrets redacted and phone numbers masked. */
export {
  createLogger,
  fullNumbersVariable,
  type Logger,
  type LoggerOptions,
} from "./create-logger.js";
export { formatPrettyLine, type PrettyLineOptions } from "./format-pretty-line.js";
export { logFormatFor, logFormatVariable } from "./log-format.js";
export {
  maskAddress,
  maskPersonalAddress,
  maskPhoneNumbersInText,
  redactUrlCredentials,
} from "./mask-phone-numbers.js";
export { redactedValue, sanitizeLogValue } from "./sanitize-log-fields.js";
