import { describe, expect, it } from "vitest";
import { inboundMessage } from "../testing/mailbox-contract/contract-fixtures.js";
import { customerAddressOf, sameNumberAddress } from "./customer-of-message.js";

describe("same-number addresses", () => {
  it("pairs an SMS number with its WhatsApp address and back", () => {
    expect(sameNumberAddress({ kind: "sms", value: "+15551230001" })).toEqual({
      kind: "whatsapp",
      value: "whatsapp:+15551230001",
    });
    expect(sameNumberAddress({ kind: "whatsapp", value: "whatsapp:+15551230001" })).toEqual({
      kind: "sms",
      value: "+15551230001",
    });
  });

  it("pairs nothing that is not an E.164 number on SMS or WhatsApp", () => {
    for (const address of [
      { kind: "chat", value: "+15551230001" },
      { kind: "app", value: "+15551230001" },
      { kind: "sms", value: "15551230001" },
      { kind: "sms", value: "+0123456789" },
      { kind: "sms", value: "+1555123000100000000" },
      { kind: "whatsapp", value: "+15551230001" },
      { kind: "whatsapp", value: "whatsapp:+1555 1230001" },
      { kind: "whatsapp", value: "whatsapp:" },
    ] as const)
      expect(sameNumberAddress(address)).toBeUndefined();
  });

  it("takes the address of customer messages only", () => {
    expect(customerAddressOf(inboundMessage({ channel: "chat", customerAddress: "v-1" }))).toEqual({
      kind: "chat",
      value: "v-1",
    });
    expect(customerAddressOf(inboundMessage({ role: "human" }))).toBeUndefined();
    const { customerAddress: _, ...withoutAddress } = inboundMessage();
    expect(customerAddressOf(withoutAddress)).toBeUndefined();
    expect(customerAddressOf(inboundMessage({ customerAddress: "" }))).toBeUndefined();
  });
});
