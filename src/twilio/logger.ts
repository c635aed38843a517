/** One log method, pino-style: structured fields first, then the message. */
export type LogMethod = (fields: Record<string, unknown>, message?: string) => void;

/** The logger switchboard's Twilio code accepts; a pino logger fits as is. */
export interface TwilioLogger {
  debug: LogMethod;
  info: LogMethod;
  warn: LogMethod;
  error: LogMethod;
}

const ignore: LogMethod = () => {};

/** The default when no logger is injected: says nothing. */
export const silentLogger: TwilioLogger = {
  debug: ignore,
  info: ignore,
  warn: ignore,
  error: ignore,
};
