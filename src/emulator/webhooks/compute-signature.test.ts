import fc from "fast-check";
import twilio from "twilio";
import { describe, expect, it } from "vitest";
import { computeSignature } from "./compute-signature.js";

describe("computeSignature", () => {
  it("matches the reference vectors", () => {
    expect(
      computeSignature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", {
        CallSid: "CA1234567890ABCDE",
        Caller: "+14158675309",
        Digits: "1234",
        From: "+14158675309",
        To: "+18005551212",
      }),
    ).toBe("RSOYDt4T1cUTdK1PDd93/VVr8B8=");
    expect(
      computeSignature(
        "12345",
        "https://mycompany.com/myapp.php?foo=1&bar=2&bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620",
      ),
    ).toBe("a9nBmqA0ju/hNViExpshrM61xv4=");
    expect(
      computeSignature("test-auth-token", "https://example.com/twilio/webhook", {
        AccountSid: "AC00000000000000000000000000000000",
        EventType: "onMessageAdded",
        ConversationSid: "CH00000000000000000000000000000001",
        MessageSid: "IM00000000000000000000000000000002",
        Body: "Hello from SMS",
        Author: "+15551230001",
        Source: "SMS",
        Index: "0",
      }),
    ).toBe("ZHJpYl6UvdnWg12wBt3/CNjwPLY=");
  });

  it("changes when the token, the URL or any parameter changes", () => {
    const base = computeSignature("token", "https://example.com/hook", { Body: "hi" });
    expect(computeSignature("token2", "https://example.com/hook", { Body: "hi" })).not.toBe(base);
    expect(computeSignature("token", "https://example.com/hook/", { Body: "hi" })).not.toBe(base);
    expect(computeSignature("token", "https://example.com/hook", { Body: "hi " })).not.toBe(base);
    expect(computeSignature("token", "https://example.com/hook", { Body: "hi", X: "" })).not.toBe(
      base,
    );
  });

  it("signs repeated values sorted, whatever order they were given in", () => {
    const one = computeSignature("t", "https://example.com/", { Filters: ["b", "a", "c"] });
    const two = computeSignature("t", "https://example.com/", { Filters: ["c", "a", "b"] });
    expect(one).toBe(two);
    expect(one).toBe(
      computeSignature("t", "https://example.com/Filtersa", { Filters: ["b", "c"] }),
    );
  });

  it("is accepted by the official validateRequest for arbitrary URLs and parameters", () => {
    const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9.]{0,20}$/);
    const value = fc.oneof(fc.string(), fc.array(fc.string(), { minLength: 1, maxLength: 4 }));
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.webUrl({ withQueryParameters: true }),
        fc.dictionary(name, value, { maxKeys: 8 }),
        (token, url, params) => {
          const signature = computeSignature(token, url, params);
          expect(twilio.validateRequest(token, signature, url, params)).toBe(true);
          expect(twilio.validateRequest(`${token}x`, signature, url, params)).toBe(false);
        },
      ),
      { numRuns: 100 },
    );
  });
});
