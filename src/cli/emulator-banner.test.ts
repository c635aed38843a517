import { describe, expect, it } from "vitest";
import type { Emulator } from "../emulator/start-emulator.js";
import { emulatorBanner } from "./emulator-banner.js";

const emulatorAt = (url: string) =>
  ({
    url,
    accountSid: "AC00000000000000000000000000000000",
    authToken: "0".repeat(32),
    serviceSid: "IS00000000000000000000000000000000",
    numbers: { sms: "+15550000000", whatsapp: "whatsapp:+15550000001" },
    inspectorUrl: `${url}/_emulator/`,
  }) as unknown as Emulator;

describe("emulatorBanner", () => {
  it("warns loudly when the emulator listens beyond loopback", () => {
    expect(emulatorBanner(emulatorAt("http://0.0.0.0:4010"), undefined)).toMatch(
      /WARNING: the emulator listens beyond this machine/,
    );
    expect(emulatorBanner(emulatorAt("http://127.0.0.1:4010"), undefined)).not.toMatch(/WARNING/);
  });
});
