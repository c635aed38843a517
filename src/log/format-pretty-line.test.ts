import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "./create-logger.js";
import { formatPrettyLine } from "./format-pretty-line.js";
import { logFormatFor } from "./log-format.js";

const record = (fields: Record<string, unknown>) =>
  JSON.stringify({
    level: "error",
    time: "2026-12-06T12:00:01.000Z",
    msg: "send failed",
    ...fields,
  });
const error = {
  type: "TwilioApiError",
  message: "messages.create: could not reach Twilio at http://127.0.0.1:9/v1 (ECONNREFUSED).",
  code: "connection_failed",
  stack: "TwilioApiError: messages.create …\n    at send (file.js:1:1)\n    at run (file.js:2:2)",
  cause: { type: "Error", message: "connect ECONNREFUSED", code: "ECONNREFUSED" },
};

describe("formatPrettyLine", () => {
  it("writes an error as one readable line with its cause, and no stack by default", () => {
    const line = formatPrettyLine(record({ err: error, conversationSid: "CH1" }));
    expect(line).toBe(
      "12:00:01 ERROR send failed err=TwilioApiError: messages.create: could not reach Twilio at http://127.0.0.1:9/v1 (ECONNREFUSED). (connection_failed) ← Error: connect ECONNREFUSED (ECONNREFUSED) conversationSid=CH1",
    );
    expect(line).not.toContain("\n");
  });

  it("adds the stack frames below the line when asked (debug level)", () => {
    const lines = formatPrettyLine(record({ err: error }), { stacks: true }).split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[1]).toBe("    at send (file.js:1:1)");
  });

  it("colours level, time and field names only when asked", () => {
    const plain = formatPrettyLine(record({ conversationSid: "CH1" }));
    expect(plain).not.toContain("\u001b[");
    const coloured = formatPrettyLine(record({ conversationSid: "CH1" }), { colour: true });
    expect(coloured).toContain("\u001b[31mERROR");
    expect(coloured).toContain("\u001b[36mconversationSid=\u001b[0mCH1");
    expect(
      coloured
        .split(/\[\d+m/)
        .join("")
        .replaceAll(String.fromCharCode(27), ""),
    ).toBe(plain);
  });

  it("returns a line that is not JSON unchanged", () => {
    expect(formatPrettyLine("not json  ")).toBe("not json");
  });
});

describe("logFormatFor", () => {
  it("is pretty and coloured on a terminal, JSON elsewhere", () => {
    expect(logFormatFor({}, { isTTY: true })).toEqual({ pretty: true, colour: true });
    expect(logFormatFor({}, { isTTY: false })).toEqual({ pretty: false, colour: false });
    expect(logFormatFor({}, {})).toEqual({ pretty: false, colour: false });
  });

  it("follows LOG_FORMAT, NO_COLOR and FORCE_COLOR", () => {
    expect(logFormatFor({ LOG_FORMAT: "json" }, { isTTY: true }).pretty).toBe(false);
    expect(logFormatFor({ LOG_FORMAT: "pretty" }, {})).toEqual({ pretty: true, colour: false });
    expect(logFormatFor({ LOG_FORMAT: "pretty", FORCE_COLOR: "1" }, {}).colour).toBe(true);
    expect(logFormatFor({ NO_COLOR: "1" }, { isTTY: true })).toEqual({
      pretty: true,
      colour: false,
    });
  });

  it("refuses an unknown LOG_FORMAT, naming the variable and the formats", () => {
    expect(() => logFormatFor({ LOG_FORMAT: "bogus" }, { isTTY: true })).toThrow(
      /^LOG_FORMAT must be one of json, pretty; got "bogus"\.$/,
    );
    expect(logFormatFor({ LOG_FORMAT: " JSON " }, { isTTY: true }).pretty).toBe(false);
    expect(logFormatFor({ LOG_FORMAT: "" }, { isTTY: true }).pretty).toBe(true);
  });
});

describe("createLogger pretty output", () => {
  const capture = (level: "info" | "debug") => {
    let text = "";
    const destination = new Writable({
      write(chunk, _, done) {
        text += chunk.toString();
        done();
      },
    });
    const logger = createLogger({ pretty: true, level, destination, env: {} });
    const failure = new Error("could not reach Twilio at http://127.0.0.1:9/v1 (ECONNREFUSED).");
    logger.error({ err: failure, to: "+15551230001" }, "send failed");
    return text;
  };

  it("prints an error as one line at info level, masked", () => {
    const text = capture("info");
    expect(text.trimEnd().split("\n")).toHaveLength(1);
    expect(text).toContain("err=Error: could not reach Twilio at http://127.0.0.1:9/v1");
    expect(text).toContain("to=+1555***0001");
    expect(text).not.toMatch(/^\s+at /m);
  });

  it("adds the stack at debug level", () => {
    expect(capture("debug")).toMatch(/^\s+at /m);
  });
});
