import fc from "fast-check";
import twilio from "twilio";
import { describe, expect, it } from "vitest";
import {
  candidateUrls,
  computeBodyHash,
  computeTwilioSignature,
  parseSignatureSettings,
  verifyTwilioSignature,
} from "./verify-signature.js";

const vectorParams = {
  CallSid: "CA1234567890ABCDE",
  Caller: "+14158675309",
  Digits: "1234",
  From: "+14158675309",
  To: "+18005551212",
};
const vectorUrl = "https://mycompany.com/myapp.php?foo=1&bar=2";
const jsonBody = '{"property": "value", "boolean": true}';
const jsonHash = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620";
const conversationsParams = {
  AccountSid: "AC00000000000000000000000000000000",
  EventType: "onMessageAdded",
  ConversationSid: "CH00000000000000000000000000000001",
  MessageSid: "IM00000000000000000000000000000002",
  Body: "Hello from SMS",
  Author: "+15551230001",
  Source: "SMS",
  Index: "0",
};

describe("reference vectors", () => {
  it("signs the classic form vector", () => {
    expect(computeTwilioSignature("12345", vectorUrl, vectorParams)).toBe(
      "RSOYDt4T1cUTdK1PDd93/VVr8B8=",
    );
    const result = verifyTwilioSignature({
      authToken: "12345",
      signature: "RSOYDt4T1cUTdK1PDd93/VVr8B8=",
      url: vectorUrl,
      params: vectorParams,
    });
    expect(result).toMatchObject({ valid: true, algorithm: "HMAC_SHA1" });
    expect(result.urlsTried[0]).toBe(vectorUrl);
  });

  it("signs and checks the bodySHA256 JSON vector", () => {
    expect(computeBodyHash(jsonBody)).toBe(jsonHash);
    const url = `${vectorUrl}&bodySHA256=${jsonHash}`;
    expect(computeTwilioSignature("12345", url)).toBe("a9nBmqA0ju/hNViExpshrM61xv4=");
    expect(
      verifyTwilioSignature({
        authToken: "12345",
        signature: "a9nBmqA0ju/hNViExpshrM61xv4=",
        url,
        rawBody: jsonBody,
      }).valid,
    ).toBe(true);
  });

  it("signs the Conversations onMessageAdded vector", () => {
    expect(
      computeTwilioSignature(
        "test-auth-token",
        "https://example.com/twilio/webhook",
        conversationsParams,
      ),
    ).toBe("ZHJpYl6UvdnWg12wBt3/CNjwPLY=");
  });
});

describe("failures", () => {
  const base = { authToken: "12345", url: vectorUrl, params: vectorParams };

  it("rejects a missing signature", () => {
    expect(verifyTwilioSignature({ ...base, signature: undefined })).toMatchObject({
      valid: false,
      failure: "missing_signature",
    });
    expect(verifyTwilioSignature({ ...base, signature: "" }).failure).toBe("missing_signature");
  });

  it("rejects the wrong token and lists every URL tried", () => {
    const result = verifyTwilioSignature({
      ...base,
      authToken: "54321",
      signature: "RSOYDt4T1cUTdK1PDd93/VVr8B8=",
    });
    expect(result.valid).toBe(false);
    expect(result.failure).toBe("signature_mismatch");
    expect(result.urlsTried).toContain("https://mycompany.com:443/myapp.php?foo=1&bar=2");
    expect(result.urlsTried).toContain(vectorUrl);
  });

  it("rejects a tampered parameter", () => {
    const result = verifyTwilioSignature({
      ...base,
      params: { ...vectorParams, Digits: "1235" },
      signature: "RSOYDt4T1cUTdK1PDd93/VVr8B8=",
    });
    expect(result.valid).toBe(false);
  });

  it("rejects a body that does not match bodySHA256 even when the URL signature matches", () => {
    const url = `${vectorUrl}&bodySHA256=${jsonHash}`;
    const signature = "a9nBmqA0ju/hNViExpshrM61xv4=";
    expect(
      verifyTwilioSignature({ authToken: "12345", signature, url, rawBody: '{"property":"other"}' })
        .failure,
    ).toBe("body_hash_mismatch");
    expect(verifyTwilioSignature({ authToken: "12345", signature, url }).failure).toBe(
      "body_hash_mismatch",
    );
  });

  it("reports a missing key rather than accepting", () => {
    expect(verifyTwilioSignature({ signature: "x", url: vectorUrl }).failure).toBe("missing_key");
  });

  it("rejects signatures of a different length without throwing", () => {
    expect(verifyTwilioSignature({ ...base, signature: "short" }).valid).toBe(false);
    expect(verifyTwilioSignature({ ...base, signature: "é".repeat(40) }).valid).toBe(false);
  });

  it("does not throw on an unparseable URL", () => {
    expect(verifyTwilioSignature({ ...base, url: "not a url", signature: "abc" }).valid).toBe(
      false,
    );
  });
});

describe("URL variants", () => {
  const token = "test-auth-token";
  const params = conversationsParams;

  it("accepts a signature made without the port when the server saw :443", () => {
    const signature = computeTwilioSignature(token, "https://example.com/twilio/webhook", params);
    expect(
      verifyTwilioSignature({
        authToken: token,
        signature,
        url: "https://example.com:443/twilio/webhook",
        params,
      }).valid,
    ).toBe(true);
  });

  it("accepts a signature made with the default port when the URL has none", () => {
    const signature = computeTwilioSignature(token, "http://example.com:80/hook", params);
    expect(
      verifyTwilioSignature({ authToken: token, signature, url: "http://example.com/hook", params })
        .valid,
    ).toBe(true);
  });

  it("does not treat a non-default port as optional", () => {
    const signature = computeTwilioSignature(token, "https://example.com:8443/hook", params);
    expect(
      verifyTwilioSignature({
        authToken: token,
        signature,
        url: "https://example.com/hook",
        params,
      }).valid,
    ).toBe(false);
  });

  it("accepts legacy query escaping (an apostrophe signed as %27)", () => {
    const received = "https://example.com/hook?name=O'Brien";
    const signedUrl = "https://example.com/hook?name=O%27Brien";
    const signature = computeTwilioSignature(token, signedUrl, params);
    expect(
      verifyTwilioSignature({ authToken: token, signature, url: received, params }).valid,
    ).toBe(true);
    expect(twilio.validateRequest(token, signature, received, params)).toBe(true);
  });

  it("accepts a signature over an apostrophe when the server saw %27 (legacy querystring)", () => {
    const signature = computeTwilioSignature(
      token,
      "https://example.com/hook?name=O'Brien",
      params,
    );
    const received = "https://example.com/hook?name=O%27Brien";
    expect(twilio.validateRequest(token, signature, received, params)).toBe(true);
    const result = verifyTwilioSignature({ authToken: token, signature, url: received, params });
    expect(result.valid).toBe(true);
    expect(result.urlsTried.at(-1)).toBe("https://example.com/hook?name=O'Brien");
  });

  it("treats a trailing slash or http/https difference as a different URL", () => {
    const signature = computeTwilioSignature(token, "https://example.com/hook", params);
    expect(
      verifyTwilioSignature({
        authToken: token,
        signature,
        url: "https://example.com/hook/",
        params,
      }).valid,
    ).toBe(false);
    expect(
      verifyTwilioSignature({ authToken: token, signature, url: "http://example.com/hook", params })
        .valid,
    ).toBe(false);
  });

  it("lists distinct candidates, the URL as received first", () => {
    const urls = candidateUrls("https://example.com/hook?a=1");
    expect(urls[0]).toBe("https://example.com/hook?a=1");
    expect(new Set(urls).size).toBe(urls.length);
    expect(urls).toContain("https://example.com:443/hook?a=1");
  });

  it("sorts and de-duplicates repeated parameter values like the SDK", () => {
    const repeated = {
      Filters: ["onMessageAdded", "onConversationAdded", "onMessageAdded"],
      A: "1",
    };
    const signature = computeTwilioSignature(token, "https://example.com/hook", repeated);
    expect(twilio.validateRequest(token, signature, "https://example.com/hook", repeated)).toBe(
      true,
    );
  });
});

describe("HMAC_SHA256 with a shared key", () => {
  const sharedKey = "shared-secret-key";
  const url = "https://example.com/twilio/webhook";

  it("verifies when the settings header announces HMAC_SHA256", () => {
    const signature = computeTwilioSignature(sharedKey, url, conversationsParams, "HMAC_SHA256");
    const result = verifyTwilioSignature({
      authToken: "test-auth-token",
      sharedKey,
      signature,
      url,
      params: conversationsParams,
      signatureSettings: "key=KS123,algorithm=HMAC_SHA256",
    });
    expect(result).toMatchObject({ valid: true, algorithm: "HMAC_SHA256" });
  });

  it("does not accept an HMAC_SHA1 signature when HMAC_SHA256 is announced", () => {
    const signature = computeTwilioSignature(sharedKey, url, conversationsParams);
    expect(
      verifyTwilioSignature({
        sharedKey,
        signature,
        url,
        params: conversationsParams,
        signatureSettings: "algorithm=HMAC_SHA256",
      }).valid,
    ).toBe(false);
  });

  it("needs the shared key, not the auth token, for HMAC_SHA256", () => {
    const signature = computeTwilioSignature(
      "test-auth-token",
      url,
      conversationsParams,
      "HMAC_SHA256",
    );
    const result = verifyTwilioSignature({
      authToken: "test-auth-token",
      signature,
      url,
      params: conversationsParams,
      algorithm: "HMAC_SHA256",
    });
    expect(result.failure).toBe("missing_key");
  });

  it("refuses an unknown algorithm", () => {
    expect(parseSignatureSettings("key=a,algorithm=HMAC_MD5")).toEqual({ unsupported: "HMAC_MD5" });
    expect(
      verifyTwilioSignature({
        authToken: "x",
        signature: "y",
        url,
        signatureSettings: "algorithm=HMAC_MD5",
      }).failure,
    ).toBe("unsupported_algorithm");
  });
});

describe("agreement with the official validateRequest", () => {
  const segment = fc.stringMatching(/^[A-Za-z0-9._~'!*()-]{1,8}$/);
  const queryValue = fc.string({ maxLength: 8, unit: fc.constantFrom(..."a''1 '!*@:/?&=+%éZ") });
  /** One URL rendered twice — as received and as signed — with the port and escaping chosen independently. */
  const urlPair = fc
    .record({
      scheme: fc.constantFrom("http", "https"),
      host: fc.constantFrom("example.com", "hooks.example.org", "127.0.0.1", "[::1]"),
      ports: fc.tuple(
        fc.constantFrom("", ":80", ":443", ":8080"),
        fc.constantFrom("", ":80", ":443", ":8080"),
      ),
      path: fc.array(segment, { maxLength: 3 }),
      query: fc.array(fc.tuple(segment, queryValue), { maxLength: 3 }),
      escapes: fc.tuple(fc.boolean(), fc.boolean()),
    })
    .map(({ scheme, host, ports, path, query, escapes }) => {
      const render = (port: string, escapeApostrophe: boolean) => {
        const encode = (text: string) => {
          const encoded = encodeURIComponent(text);
          // encodeURIComponent leaves "'" alone; some Twilio back ends sign it as %27.
          return escapeApostrophe ? encoded.replace(/'/g, "%27") : encoded;
        };
        const pathPart = `/${path.map(encode).join("/")}`;
        const queryPart =
          query.length === 0
            ? ""
            : `?${query.map(([name, value]) => `${encode(name)}=${encode(value)}`).join("&")}`;
        return `${scheme}://${host}${port}${pathPart}${queryPart}`;
      };
      return { received: render(ports[0], escapes[0]), signed: render(ports[1], escapes[1]) };
    });
  const paramsArbitrary = fc.dictionary(
    fc.stringMatching(/^[A-Z][A-Za-z.]{0,12}$/),
    fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.array(fc.string({ maxLength: 5 }), { minLength: 1, maxLength: 3 }),
    ),
    { maxKeys: 6 },
  );
  const token = fc.stringMatching(/^[0-9a-f]{32}$/);

  it("accepts exactly what the SDK accepts across port and escaping variants", () => {
    let accepted = 0;
    fc.assert(
      fc.property(token, urlPair, paramsArbitrary, (authToken, { received, signed }, params) => {
        const signature = computeTwilioSignature(authToken, signed, params);
        const ours = verifyTwilioSignature({ authToken, signature, url: received, params }).valid;
        expect(ours).toBe(twilio.validateRequest(authToken, signature, received, params));
        if (ours) accepted += 1;
        const exact = computeTwilioSignature(authToken, received, params);
        expect(
          verifyTwilioSignature({ authToken, signature: exact, url: received, params }).valid,
        ).toBe(true);
      }),
      { numRuns: 400 },
    );
    // The generator must exercise both outcomes, or the agreement above proves little.
    expect(accepted).toBeGreaterThan(40);
    expect(accepted).toBeLessThan(390);
  });

  it("rejects tampered params, signatures and tokens, as the SDK does", () => {
    fc.assert(
      fc.property(
        token,
        urlPair,
        paramsArbitrary,
        fc.constantFrom("param", "signature", "token"),
        fc.string({ minLength: 1, maxLength: 4 }),
        (authToken, { received }, params, tamper, noise) => {
          const signature = computeTwilioSignature(authToken, received, params);
          let checkedParams: Record<string, string | string[]> = params;
          let checkedSignature = signature;
          let checkedToken = authToken;
          // Generated keys never contain "_", so this one is always new.
          if (tamper === "param") checkedParams = { ...params, Tampered_: noise };
          if (tamper === "signature") checkedSignature = `${noise}${signature.slice(noise.length)}`;
          if (tamper === "token") checkedToken = `${authToken}${noise}`;
          const ours = verifyTwilioSignature({
            authToken: checkedToken,
            signature: checkedSignature,
            url: received,
            params: checkedParams,
          }).valid;
          expect(ours).toBe(
            twilio.validateRequest(checkedToken, checkedSignature, received, checkedParams),
          );
          if (tamper !== "signature" || checkedSignature !== signature) expect(ours).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });
});
