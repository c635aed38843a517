import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import type { TwilioLogger } from "../twilio/logger.js";
import { createLogger, type LoggerOptions } from "./create-logger.js";

/** A logger writing into memory; `lines()` parses what it wrote. */
function recordingLogger(options: Omit<LoggerOptions, "destination"> = {}) {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const logger = createLogger({ env: {}, ...options, destination });
  const text = () => chunks.join("");
  const lines = () =>
    text()
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines, text };
}

describe("createLogger", () => {
  it("writes JSON lines with a level label and message, no pid or hostname", () => {
    const { logger, lines } = recordingLogger();
    logger.info({ conversationSid: "CH00000000000000000000000000000001" }, "turn done");
    const [line] = lines();
    expect(line).toMatchObject({
      level: "info",
      msg: "turn done",
      conversationSid: "CH00000000000000000000000000000001",
    });
    expect(line).not.toHaveProperty("pid");
    expect(line).not.toHaveProperty("hostname");
  });

  it("masks addresses in known fields, nested and in arrays", () => {
    const { logger, lines, text } = recordingLogger();
    logger.info(
      {
        from: "+15551230001",
        to: "whatsapp:+15551230001",
        event: { Author: "+447700900123", participant: { address: "alice@example.com" } },
        customers: [{ customer: "+15551239999" }],
      },
      "inbound",
    );
    const [line] = lines();
    expect(line).toMatchObject({
      from: "+1555***0001",
      to: "whatsapp:+1555***0001",
      event: { Author: "+4477***0123", participant: { address: "al***om" } },
      customers: [{ customer: "+1555***9999" }],
    });
    expect(text()).not.toContain("5551230001");
    expect(text()).not.toContain("alice@example.com");
  });

  it("masks phone numbers inside messages and free-text fields but leaves SIDs alone", () => {
    const { logger, lines } = recordingLogger();
    logger.warn(
      { detail: "send to whatsapp:+15551230001 failed", sid: "IM0123456789abcdef0123456789abcdef" },
      "could not reach +15551230001 (code 21211)",
    );
    const [line] = lines();
    expect(line?.msg).toBe("could not reach +1555***0001 (code 21211)");
    expect(line?.detail).toBe("send to whatsapp:+1555***0001 failed");
    expect(line?.sid).toBe("IM0123456789abcdef0123456789abcdef");
  });

  it("masks numbers in a message given without fields and in printf arguments", () => {
    const { logger, lines } = recordingLogger();
    logger.info("hello +15551230001");
    logger.info({ a: 1 }, "customer %s wrote", "+15551230002");
    expect(lines().map((line) => line.msg)).toEqual([
      "hello +1555***0001",
      "customer +1555***0002 wrote",
    ]);
  });

  it("redacts secrets at every level and depth, whatever their spelling", () => {
    const { logger, lines, text } = recordingLogger({ level: "debug", fullNumbersAtDebug: true });
    logger.debug(
      {
        authToken: "0123456789abcdef0123456789abcdef",
        options: { api_key_secret: "s3cr3t-value", password: "hunter2" },
        headers: { Authorization: "Basic QUM6dG9rZW4=", "X-Twilio-Signature": "abc=" },
        console: { token: "console-token-value" },
        empty: { authToken: undefined },
      },
      "starting",
    );
    const [line] = lines();
    expect(line).toMatchObject({
      authToken: "[redacted]",
      options: { api_key_secret: "[redacted]", password: "[redacted]" },
      headers: { Authorization: "[redacted]", "X-Twilio-Signature": "[redacted]" },
      console: { token: "[redacted]" },
    });
    for (const secret of ["0123456789abcdef", "s3cr3t", "hunter2", "QUM6", "console-token-value"]) {
      expect(text()).not.toContain(secret);
    }
  });

  it("hides connection-string passwords in any string", () => {
    const { logger, lines, text } = recordingLogger();
    logger.info(
      { database: "postgres://app:pa55word@db.internal:5432/switchboard" },
      "connecting to postgresql://u:other-pass@h/db",
    );
    const [line] = lines();
    expect(line?.database).toBe("postgres://app:***@db.internal:5432/switchboard");
    expect(line?.msg).toBe("connecting to postgresql://u:***@h/db");
    expect(text()).not.toContain("pa55word");
    expect(text()).not.toContain("other-pass");
  });

  it("sanitizes errors: message, stack and cause", () => {
    const { logger, lines, text } = recordingLogger();
    const cause = new Error("postgres://app:pa55word@db/x refused");
    const error = Object.assign(new Error("21211 invalid To +15551230001", { cause }), {
      code: "send_failed",
    });
    logger.error({ err: error, conversationSid: "CHx" }, "send failed");
    logger.error(error);
    const [first, second] = lines();
    expect(first?.err).toMatchObject({
      type: "Error",
      message: "21211 invalid To +1555***0001",
      code: "send_failed",
      cause: { message: "postgres://app:***@db/x refused" },
    });
    expect(second?.msg).toBe("21211 invalid To +1555***0001");
    expect(text()).not.toContain("5551230001");
    expect(text()).not.toContain("pa55word");
  });

  it("sanitizes base fields", () => {
    const { logger, lines } = recordingLogger({
      base: { service: "switchboard", password: "pw", owner: "+15551230001" },
    });
    logger.info({}, "up");
    expect(lines()[0]).toMatchObject({
      service: "switchboard",
      password: "[redacted]",
      owner: "+1555***0001",
    });
  });

  it("masks child-logger bindings", () => {
    const { logger, lines, text } = recordingLogger();
    logger.child({ customer: "+15551230001", authToken: "tok" }).info({}, "from child");
    expect(lines()[0]).toMatchObject({ customer: "+1555***0001", authToken: "[redacted]" });
    expect(text()).not.toContain('tok"');
  });

  it("keeps full numbers only below info when allowed, by option or environment", () => {
    const allowed = recordingLogger({ level: "debug", env: { SWITCHBOARD_LOG_FULL_NUMBERS: "1" } });
    allowed.logger.debug({ from: "+15551230001" }, "debug +15551230001");
    allowed.logger.info({ from: "+15551230001" }, "info +15551230001");
    const [debugLine, infoLine] = allowed.lines();
    expect(debugLine).toMatchObject({ from: "+15551230001", msg: "debug +15551230001" });
    expect(infoLine).toMatchObject({ from: "+1555***0001", msg: "info +1555***0001" });

    const notAllowed = recordingLogger({ level: "debug" });
    notAllowed.logger.debug({ from: "+15551230001" }, "debug");
    expect(notAllowed.lines()[0]).toMatchObject({ from: "+1555***0001" });
  });

  it("does not mutate the caller's objects and survives cycles", () => {
    const { logger, lines } = recordingLogger();
    const fields: Record<string, unknown> = { from: "+15551230001", authToken: "secret" };
    fields.self = fields;
    logger.info(fields, "cyclic");
    expect(fields.from).toBe("+15551230001");
    expect(fields.authToken).toBe("secret");
    expect(lines()[0]).toMatchObject({ from: "+1555***0001", self: "[circular]" });
  });

  it("respects the level", () => {
    const { logger, lines } = recordingLogger({ level: "warn" });
    logger.info({}, "hidden");
    logger.warn({}, "shown");
    expect(lines().map((line) => line.msg)).toEqual(["shown"]);
  });

  it("reads the level from LOG_LEVEL and refuses an unknown one", () => {
    const fromEnv = recordingLogger({ env: { LOG_LEVEL: " ERROR " } });
    fromEnv.logger.warn({}, "hidden");
    fromEnv.logger.error({}, "shown");
    expect(fromEnv.lines().map((line) => line.msg)).toEqual(["shown"]);
    expect(recordingLogger({ env: { LOG_LEVEL: "error" }, level: "debug" }).logger.level).toBe(
      "debug",
    );
    expect(() => createLogger({ env: { LOG_LEVEL: "verbose" } })).toThrow(
      /^LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent; got "verbose"\.$/,
    );
  });

  it("writes readable lines when pretty, still sanitized", () => {
    const { logger, text } = recordingLogger({ pretty: true });
    logger.info({ from: "+15551230001", attempt: 2 }, "sent");
    expect(text()).toMatch(/^\d\d:\d\d:\d\d INFO {2}sent from=\+1555\*\*\*0001 attempt=2\n$/);
  });

  it("fits where a TwilioLogger is expected", () => {
    const { logger, lines } = recordingLogger();
    const twilioLogger: TwilioLogger = logger;
    twilioLogger.warn({ to: "+15551230001" }, "retrying");
    expect(lines()[0]).toMatchObject({ level: "warn", to: "+1555***0001" });
  });
});
