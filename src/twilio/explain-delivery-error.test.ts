import { describe, expect, it } from "vitest";
import { deliveryErrorExplanations, explainDeliveryError } from "./explain-delivery-error.js";

describe("explainDeliveryError", () => {
  const required = [
    63016, 63024, 63032, 21610, 21614, 30003, 30004, 30005, 30006, 30007, 30008, 30034, 30019,
  ];

  it.each(required)("explains %i with a title, a sentence, an action and Twilio's page", (code) => {
    const explained = explainDeliveryError(code);
    expect(explained.code).toBe(code);
    expect(explained.title).not.toMatch(/^Twilio error/);
    expect(explained.explanation).toMatch(/\.$/);
    expect(explained.action).toMatch(/\.$/);
    expect(explained.docsUrl).toBe(`https://www.twilio.com/docs/api/errors/${code}`);
  });

  it.each([
    [63016, "window-closed", false],
    [21610, "opted-out", false],
    [30003, "unreachable", true],
    [30008, "unknown", true],
    [30007, "filtered", false],
    [30034, "sender-setup", false],
    [30019, "content", false],
    [63024, "invalid-recipient", false],
  ] as const)("classifies %i as %s (retryable %s)", (code, kind, retryable) => {
    expect(explainDeliveryError(code)).toMatchObject({ kind, retryable });
  });

  it("tells the operator to send a template outside the WhatsApp window", () => {
    const explained = explainDeliveryError(63016);
    expect(explained.title).toBe("Outside WhatsApp's 24-hour window");
    expect(explained.action).toMatch(/template/);
  });

  it("only 21610 means a certain opt-out", () => {
    const optedOut = Object.entries(deliveryErrorExplanations)
      .filter(([, row]) => row.kind === "opted-out")
      .map(([code]) => Number(code));
    expect(optedOut).toEqual([21610]);
  });

  it("accepts the code as a string, as receipts and form fields carry it", () => {
    expect(explainDeliveryError("63016").kind).toBe("window-closed");
    expect(explainDeliveryError(" 21610 ").kind).toBe("opted-out");
  });

  it("falls back for unknown codes, using the REST table's meaning where it has one", () => {
    expect(explainDeliveryError(99999)).toEqual({
      code: 99999,
      title: "Twilio error 99999",
      explanation: "Twilio reported error 99999; switchboard has no explanation for it.",
      action: "Look the code up at https://www.twilio.com/docs/api/errors/99999.",
      kind: "unknown",
      retryable: false,
      docsUrl: "https://www.twilio.com/docs/api/errors/99999",
    });
    expect(explainDeliveryError(21617).explanation).toMatch(/1600 characters/);
  });

  it.each([undefined, null, "", "abc", 0, -5, 1.5])(
    "says the code is missing for %j and never throws",
    (code) => {
      const explained = explainDeliveryError(code as never);
      expect(explained.code).toBeUndefined();
      expect(explained.title).toBe("Delivery failed");
      expect(explained.docsUrl).toBeUndefined();
    },
  );
});
