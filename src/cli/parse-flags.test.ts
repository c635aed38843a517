import { describe, expect, it } from "vitest";
import { parseFlags } from "./parse-flags.js";

const spec = { port: "value", sms: "repeat", "dry-run": "switch" } as const;

describe("parseFlags", () => {
  it("reads values, repeats, switches and positionals in both forms", () => {
    const parsed = parseFlags(
      ["show", "--port=3000", "--sms", "+1", "--sms=+2", "--dry-run", "CH1"],
      spec,
      2,
    );
    expect(parsed.values.get("port")).toBe("3000");
    expect(parsed.repeated.get("sms")).toEqual(["+1", "+2"]);
    expect(parsed.switches.has("dry-run")).toBe(true);
    expect(parsed.positional).toEqual(["show", "CH1"]);
  });

  it.each([
    [["--bogus"], /unknown flag --bogus/],
    [["--port"], /--port needs a value/],
    [["--port", "--dry-run"], /--port needs a value/],
    [["--port=1", "--port=2"], /--port given twice/],
    [["--dry-run=yes"], /--dry-run takes no value/],
    [["stray"], /unexpected argument "stray"/],
    [["--port="], /--port needs a value/],
  ])("refuses %j", (argv, message) => {
    expect(() => parseFlags(argv, spec)).toThrow(message);
  });
});
