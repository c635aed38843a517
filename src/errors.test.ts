import { describe, expect, it } from "vitest";
import { ConfigError, SwitchboardError } from "./errors.js";

describe("SwitchboardError", () => {
  it("keeps code, cause and retryability, and names the subclass", () => {
    const cause = new Error("socket hang up");
    const error = new ConfigError("accountSid", "accountSid is missing", { cause });
    expect(error).toBeInstanceOf(SwitchboardError);
    expect(error.name).toBe("ConfigError");
    expect(error.code).toBe("invalid_config");
    expect(error.option).toBe("accountSid");
    expect(error.cause).toBe(cause);
    expect(error.isRetryable).toBe(false);
  });

  it("is recognised across copies of the package through a global symbol", () => {
    const foreign = Object.create({ [Symbol.for("switchboard.error")]: true }) as object;
    expect(SwitchboardError.isSwitchboardError(foreign)).toBe(true);
    expect(SwitchboardError.isSwitchboardError(new Error("plain"))).toBe(false);
    expect(SwitchboardError.isSwitchboardError(new SwitchboardError("x", "y"))).toBe(true);
  });
});
